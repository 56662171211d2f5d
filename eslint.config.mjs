// Lint: typescript-eslint's recommended rules, plus gatehouse's import discipline.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "coverage/", "dist/", "**/*.js"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mjs"],
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // A provider package root loads every resource of the provider: ~12x slower synth and
      // ~8x the memory. Import each class from its own module path instead.
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@cdktf/provider-[a-z-]+$",
              message: "Import provider classes from '@cdktf/provider-<name>/lib/<resource>', never the package root.",
            },
            {
              regex: "^@cdktf/provider-[a-z-]+/lib/?$",
              message: "Import provider classes from '@cdktf/provider-<name>/lib/<resource>', never the lib index.",
            },
          ],
        },
      ],
    },
  },
);
