/**
 * Environment → resolved plan: the one place an environment is interpreted.
 *
 * A validated environment (modules/model/env.ts) becomes the props of every construct of its
 * stacks: per cluster the port contract (entry points with their TLS choice and target kind) and
 * the controller (plug-in, settings, identity), every derived name, and the constructs' own props.
 * The plan runs every construct's check on the props it built, each problem mapped to the
 * environment field it came from (paths.ts); rules that exist only for environments (removed
 * fields, public ranges, tags, names with one owner) live here. The schema's cross-field check
 * reports the problems (`planProblems`); the stack builder takes the plan (`planEnvironment`) and
 * hands each stack its own part, so what is validated is what is built. No constructs, no I/O.
 */
import { ConfigError, type FieldProblem } from "../core/errors";
import { contractProblems } from "../model/contract";
import type { Env } from "../model/env";
import { parseRoutes } from "../model/routes";
import { vpcLinkSecurityGroupName } from "../aws/api-gateway-rules";
import { latticeClientsSecurityGroupName } from "../aws/lattice";
import { resolveAws } from "./aws";
import { contractInputFor, controllerEnvProblems, controllerPlan } from "./controller";
import { dnsEnvProblems, dnsPlan } from "./dns";
import { resolveGcp } from "./gcp";
import { envRouteProblems } from "./routes";
import type { EnvPlan, Resolution } from "./types";

export type { EnvPlan, Resolution } from "./types";
export type { DnsPlan } from "./dns";
export type { AwsClusterPlan, AwsEdgePlan, AwsPlan } from "./aws";
export type { ApiPlan } from "./api";
export type { ClusterPlan, ControllerPlan } from "./controller";
export type { GcpAddressPlan, GcpEdgePlan, GcpPlan, GkeClusterPlan } from "./gcp";
export type { LatticeControllerPlan, LatticePlan } from "./lattice";
export type { AwsStackSettings, GcpStackSettings } from "./settings";
export { gatehouseAwsTags, nlbSecurityGroupName } from "./aws";
export { contractInputFor, serviceEntryName } from "./controller";
export { gatehouseGcpLabels, IAP_SECRET_VARIABLE } from "./gcp";
export { awsAccountOf, crossEnvProblems, nameClaims, type NameClaim } from "./names";
export { ROUTES_RELEASE_NAME } from "./routes";

/** Resolves an environment; the plan is set exactly when there are no problems. */
export function resolve(env: Env): Resolution {
  const problems: FieldProblem[] = [];
  if (!env.aws && !env.gcp) problems.push({ path: "aws", message: "an environment needs an aws section, a gcp section, or both" });
  const controller = controllerPlan(env);
  problems.push(...controllerEnvProblems(env, controller));
  // Port rules do not depend on the cluster: checked once.
  const portProblems = contractProblems(contractInputFor(env, "", controller));
  problems.push(...portProblems);
  problems.push(...envRouteProblems(env, { controller }));
  dnsEnvProblems(env, (path, value, message) => {
    if (message) problems.push({ path, value, message });
  });

  const aws = env.aws ? resolveAws(env, env.aws, controller, problems, portProblems.length === 0) : undefined;
  const gcp = env.gcp ? resolveGcp(env, env.gcp, controller, problems, portProblems.length === 0) : undefined;
  const dns =
    aws && gcp
      ? dnsPlan(env, { aws: { settings: aws.edge.settings, nlbName: aws.edge.nlb.name, httpsPort: env.ports.https.listenerPort }, gcp: { settings: gcp.address.settings, addresses: gcp.address.addresses } }, problems)
      : undefined;
  if (problems.length) return { problems };
  return { plan: { env, aws, gcp, dns, routes: parseRoutes(env.routes) }, problems };
}

/** Plan-level problems of an environment, for the schema's cross-field check. */
export function planProblems(env: Env): readonly FieldProblem[] {
  return resolve(env).problems;
}

/** The plan of an environment; throws a ConfigError naming every problem. */
export function planEnvironment(env: Env): EnvPlan {
  const r = resolve(env);
  if (!r.plan) throw new ConfigError(r.problems.map((p) => ({ ...p, env: env.name })));
  return r.plan;
}

/** Every security group name an environment's AWS stacks give, as `[env field the name starts with, name]`. */
export function awsSecurityGroupNames(plan: EnvPlan): Array<[string, string]> {
  const a = plan.aws;
  if (!a) return [];
  const out: Array<[string, string]> = [];
  const sg = a.edge.securityGroup;
  if (sg && "create" in sg) out.push(["name", sg.create.name]);
  if (a.api) out.push(["name", vpcLinkSecurityGroupName(a.api.props.name)]);
  if (a.lattice) out.push([plan.env.aws?.lattice?.serviceNetworkName !== undefined ? "aws.lattice.serviceNetworkName" : "name", latticeClientsSecurityGroupName(a.lattice.network.serviceNetworkName)]);
  return out;
}
