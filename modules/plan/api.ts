/**
 * API Gateway in front of the NLB, `<env>-aws-api`: its props, resolved from the environment's
 * route keys and entry points, and the construct's own check run on them.
 */
import type { FieldProblem } from "../core/errors";
import { derivedName, stackNames } from "../core/naming";
import { apiGatewayProblems, type ApiGatewayProps } from "../aws/api-gateway";
import type { AwsEnv, Env } from "../model/env";
import type { PortContract } from "../model/contract";
import { atEnvFields, entryField, type PathTable } from "./paths";
import type { AwsStackSettings } from "./settings";

/** API Gateway in front of the NLB (its own stack, after the edge). */
export interface ApiPlan {
  readonly stack: string;
  readonly settings: AwsStackSettings;
  readonly props: Omit<ApiGatewayProps, "nlbSecurityGroupId">;
  /** The NLB's security group: made by the edge stack (the stack finds it by name in the VPC), or given ids. */
  readonly nlbSecurityGroup?: { readonly created: string; readonly vpcId: string } | { readonly ids: readonly string[] };
}

/** The VPC link's own security group. */

type Add = (path: string, value: unknown, message: string | undefined) => void;

/** What API Gateway needs of the edge: its contract, the NLB's name, the name of the security group it makes (if it does). */
export interface ApiEdge {
  readonly contract: PortContract;
  readonly lbName: string;
  readonly createdSecurityGroup?: string;
}

export function resolveApi(env: Env, aws: AwsEnv, edge: ApiEdge, settings: AwsStackSettings, add: Add, problems: FieldProblem[]): ApiPlan | undefined {
  const api = aws.apiGateway;
  if (!api) return undefined;
  if (aws.nlb.internetFacing && !api.allowDirectClients)
    add("aws.nlb.internetFacing", true, "must be false with aws.apiGateway: an internet-facing NLB lets clients skip API Gateway's throttling and authorization; make it internal, or set aws.apiGateway.allowDirectClients: true on purpose");
  const contract = edge.contract;
  const entries = new Map([...contract.entryPoints, ...contract.services].map((e) => [e.name, e]));
  const kinds = { tcp: contract.entryPoints.filter((e) => e.kind === "tcp").map((e) => e.name), services: contract.services.map((e) => e.name) };
  // The routes' targets, by the entry point or service each names: the plan resolves the names.
  const targets: Record<string, ApiGatewayProps["targets"][string]> = {};
  for (const [key, target] of Object.entries(api.routes)) {
    const e = entries.get(target);
    if (!e) {
      add(`aws.apiGateway.routes.${key}`, target, `names no entry point or service; known: ${[...entries.keys()].join(", ")}`);
      continue;
    }
    // API Gateway speaks HTTPS where TLS reaches the listener: a TLS listener, or https passed through.
    const speaksTls = e.tls === "terminate" || (e.kind === "https" && e.tls === "passthrough");
    if (speaksTls && api.tlsServerName === undefined)
      add("aws.apiGateway.tlsServerName", undefined, `is required: route "${key}" goes to ${target}, where API Gateway speaks HTTPS and must verify the certificate against a name`);
    targets[target] = { port: e.listenerPort, tls: speaksTls && api.tlsServerName ? { serverName: api.tlsServerName } : undefined };
  }
  const name = derivedName([env.name, "gatehouse", "api"], 100);
  const props: ApiPlan["props"] = {
    name,
    type: api.type,
    lbName: edge.lbName,
    targets,
    // Routes to names the plan could not resolve were reported above.
    routes: Object.fromEntries(Object.entries(api.routes).filter(([, t]) => targets[t] !== undefined)),
    vpcLink: { subnetIds: api.vpcLinkSubnets ?? aws.nlb.subnets ?? (aws.nlb.subnetMappings ?? []).map((m) => m.subnetId), vpcId: aws.vpc.id, cidrs: aws.vpc.cidrs },
    stage: api.stage,
    domain: api.domain,
    region: aws.region,
  };
  const table: PathTable = [
    ["", "aws.apiGateway"],
    ["name", () => "name", { value: env.name }],
    ["lbName", "aws.nlb.name"],
    ["targets", (rest) => (rest.endsWith(".tls.serverName") ? "aws.apiGateway.tlsServerName" : `${entryField(kinds, rest.split(".")[0] ?? "")}.listenerPort`)],
    ["routes", "aws.apiGateway.routes"],
    ["vpcLink.subnetIds", api.vpcLinkSubnets ? "aws.apiGateway.vpcLinkSubnets" : "aws.nlb.subnets"],
    ["vpcLink.cidrs", "aws.vpc.cidrs"],
    ["vpcLink.vpcId", "aws.vpc.id"],
    ["region", "aws.region"],
  ];
  // An empty route list is the plan's to report (its resolution may have removed them all).
  if (Object.keys(props.routes).length) problems.push(...atEnvFields("API Gateway", table, apiGatewayProblems(props)));
  const sg = aws.nlb.securityGroup;
  return {
    stack: stackNames.awsApi(env.name),
    settings,
    props,
    nlbSecurityGroup: sg.mode === "existing" ? { ids: sg.ids } : edge.createdSecurityGroup !== undefined ? { created: edge.createdSecurityGroup, vpcId: aws.vpc.id } : undefined,
  };
}
