/** Tests are transpiled by esbuild without type checking; `tsc --noEmit` checks types once, before jest. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": "<rootDir>/scripts/jest-esbuild.js" },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  clearMocks: true,
  // Every core: jest's default leaves one idle, and most suites wait on child processes (helm, synth).
  maxWorkers: "100%",
};
