/** An environment's resolved plan: what every stack of it is built from. */
import type { FieldProblem } from "../core/errors";
import type { Env } from "../model/env";
import type { Route } from "../model/route-types";
import type { AwsPlan } from "./aws";
import type { DnsPlan } from "./dns";
import type { GcpPlan } from "./gcp";

export interface EnvPlan {
  /** The environment, for plan-level functions (name claims); stacks get their own plans, never this. */
  readonly env: Env;
  /** The routes, sorted by name, for every cluster's controller. */
  readonly routes: readonly Route[];
  readonly aws?: AwsPlan;
  readonly gcp?: GcpPlan;
  /** `<env>-dns`, when the environment steers between its edges. */
  readonly dns?: DnsPlan;
}

export interface Resolution {
  /** Set when there are no problems. */
  readonly plan?: EnvPlan;
  /** Every plan-level problem, with paths relative to the environment. */
  readonly problems: readonly FieldProblem[];
}
