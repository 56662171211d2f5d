/** What every stack of an environment on one cloud sets up: its provider and its state. */
import * as rules from "../core/rules";
import type { AwsEnv, Env, GcpEnv, StateConfig } from "../model/env";

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

/** The tags the AWS provider puts on everything of an environment besides its own. */
export function gatehouseDefaultTags(envName: string): Record<string, string> {
  return { "gatehouse:env": envName, "gatehouse:managed-by": "gatehouse" };
}

/** The labels gatehouse puts on every GCP resource besides the environment's tags. */
export function gatehouseGcpLabels(envName: string): Readonly<Record<string, string>> {
  return { "gatehouse-env": envName, "managed-by": "gatehouse" };
}

/** Every AWS stack's settings: the environment's Region, its tags and gatehouse's, its state. */
export function awsStackSettings(env: Env, aws: AwsEnv): AwsStackSettings {
  return { region: aws.region, defaultTags: { ...env.tags, ...gatehouseDefaultTags(env.name) }, state: env.state };
}

/** Every GCP stack's settings: the environment's project, its tags and gatehouse's as labels, its state. */
export function gcpStackSettings(env: Env, gcp: GcpEnv): GcpStackSettings {
  return { project: gcp.project, labels: rules.gcpLabels({ ...env.tags, ...gatehouseGcpLabels(env.name) }), state: env.state };
}
