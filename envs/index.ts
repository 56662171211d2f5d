/**
 * The team's environments written in TypeScript (typed, completed by the editor). Environment
 * files need no listing: every `envs/*.yaml`, `*.yml` and `*.json` file is picked up by synth and
 * by the plan workflow. While neither holds an environment, synth builds the demo environments
 * (envs/examples/demo.ts) instead.
 *
 *   import type { EnvInput } from "../modules/config/schema";
 *   const shop: EnvInput = { name: "shop", aws: { … } };
 *   export const ENVIRONMENTS: readonly EnvInput[] = [shop];
 */
import type { EnvInput } from "../modules/config/schema";

export const ENVIRONMENTS: readonly EnvInput[] = [];
