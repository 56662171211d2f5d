/** What every stack of an environment on one cloud sets up: its provider and its state. */
import type { StateConfig } from "../model/env";

export interface AwsStackSettings {
  readonly region: string;
  /** The provider's default tags, on everything it makes: the environment's tags and gatehouse's own. */
  readonly defaultTags: Readonly<Record<string, string>>;
  readonly state: StateConfig;
}

export interface GcpStackSettings {
  readonly project: string;
  /** The provider's default labels, on everything that takes labels: the environment's tags and gatehouse's own. */
  readonly labels: Readonly<Record<string, string>>;
  readonly state: StateConfig;
}
