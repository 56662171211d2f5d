/**
 * The demo environments: what `npm run synth` builds on a fresh clone, while envs/ holds no
 * environment of the team's own. They show the reference design (prod), TLS at the load
 * balancers with controller-managed targets (staging) and the smallest AWS setup (dev), with
 * placeholder account, VPC and subnet ids.
 */
import type { EnvInput } from "../../modules/config/schema";
import { dev } from "./dev";
import { prod } from "./prod";
import { staging } from "./staging";

export const DEMO_ENVS: readonly EnvInput[] = [dev, staging, prod];
