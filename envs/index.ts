/** The built-in environments, synthesized by default. Add one: write envs/<name>.ts and list it here. */
import { dev } from "./dev";
import { prod } from "./prod";
import type { EnvInput } from "./schema";
import { staging } from "./staging";

export const BUILTIN_ENVS: readonly EnvInput[] = [dev, staging, prod];
