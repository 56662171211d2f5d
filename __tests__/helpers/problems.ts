/** An environment loaded as a user's would be: its problems as "path: message", [] when it loads. */
import { loadEnvironments } from "../../modules/config/loader";
import type { EnvInput } from "../../modules/config/schema";
import { ConfigError, type Problem } from "../../modules/core/errors";

export function loadProblems(env: EnvInput): string[] {
  try {
    loadEnvironments({ builtins: [env] });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

/** The problems a build throws (a ConfigError) as "path: message"; any other outcome fails. */
export function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error("expected a ConfigError");
}

/** Every problem of loading these environments together; [] when they load. */
export function loadFailures(...envs: EnvInput[]): Problem[] {
  try {
    loadEnvironments({ builtins: envs });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.problems];
    throw e;
  }
  return [];
}

/** "env: path (got value): message", as the report prints them, without the indent. */
export function reportLines(...envs: EnvInput[]): string[] {
  return loadFailures(...envs).map((p) => `${p.env}: ${p.path}${p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`}: ${p.message}`);
}
