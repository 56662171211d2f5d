/**
 * Amazon VPC Lattice rules, checked at synth instead of by the Lattice API or, worse, by the AWS
 * Gateway API controller at run time. Pure: no constructs, no I/O. Terraform references (tokens)
 * are not literals and are never checked.
 *
 * Names (VPC Lattice API reference and the CloudFormation resource schemas
 * AWS::VpcLattice::ServiceNetwork / AWS::VpcLattice::Service):
 * - a service network name is 3-63 characters of `a-z`, `0-9` and `-`, with no hyphen first, last
 *   or right after another one, and not starting with `servicenetwork-`
 *   (`^(?!servicenetwork-)(?![-])(?!.*[-]$)(?!.*[-]{2})[a-z0-9-]+$`);
 * - a service name follows the same pattern in 3-40 characters, not starting with `svc-`.
 * IDs, not names, start with `sn-` and `svc-` (`sn-[0-9a-z]{17}`, `svc-[0-9a-z]{17}`).
 *
 * The controller (aws-application-networking-k8s v2.1.3, pkg/utils/common.go LatticeServiceName)
 * names the Lattice service of a route `<route name, cut to 20>-<namespace, cut to 18>`, each cut
 * part stripped of leading and trailing hyphens. Two routes whose names agree on that cut get the
 * same service, and a route named `svc-…` gets a name Lattice refuses, so both are checked here.
 */
import type { Check, FieldProblem } from "../core/errors";
import { isToken } from "../core/cdktf";

/**
 * The AWS Gateway API controller for VPC Lattice, as both sides of gatehouse need it (tag v2.1.3,
 * 2026-08-14): its namespace and service account (the Pod Identity association and the IRSA trust
 * name them; docs/guides/deploy.md), the controllerName of its GatewayClass
 * (files/controller-installation/gatewayclass.yaml), and the minimums it states: Gateway API
 * CRDs v1.5 and Kubernetes 1.31 (docs/guides/upgrading-v2-0-x-to-v2-1-y.md).
 */
export const LATTICE_CONTROLLER = {
  version: "v2.1.3",
  namespace: "aws-application-networking-system",
  serviceAccount: "gateway-api-controller",
  gatewayClass: "amazon-vpc-lattice",
  controllerName: "application-networking.k8s.aws/gateway-api-controller",
  minKubernetes: "1.31",
  minGatewayApi: "v1.5",
} as const;

export const LATTICE_NAME_LIMITS = { serviceNetwork: { min: 3, max: 63, reservedPrefix: "servicenetwork-" }, service: { min: 3, max: 40, reservedPrefix: "svc-" } } as const;

function latticeName(value: string, kind: "service network" | "service"): Check {
  if (isToken(value)) return undefined;
  const limits = kind === "service network" ? LATTICE_NAME_LIMITS.serviceNetwork : LATTICE_NAME_LIMITS.service;
  const rule = `${limits.min}-${limits.max} lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "${limits.reservedPrefix}"`;
  if (value.length < limits.min || value.length > limits.max) return `must be ${rule} (Lattice ${kind} names); it has ${value.length} characters`;
  if (!/^[a-z0-9-]+$/.test(value)) return `must be ${rule} (Lattice ${kind} names); it has other characters`;
  if (value.startsWith("-") || value.endsWith("-")) return `must be ${rule} (Lattice ${kind} names); it starts or ends with a hyphen`;
  if (value.includes("--")) return `must be ${rule} (Lattice ${kind} names); it has "--"`;
  if (value.startsWith(limits.reservedPrefix)) return `must be ${rule} (Lattice ${kind} names); "${limits.reservedPrefix}" is reserved`;
  return undefined;
}

/** A Lattice service network name (also the Gateway's name: the controller finds the network by it). */
export function serviceNetworkName(value: string): Check {
  return latticeName(value, "service network");
}

/** A Lattice service name. */
export function serviceName(value: string): Check {
  return latticeName(value, "service");
}

function cut(name: string, length: number): string {
  return name.slice(0, length).replace(/^-+|-+$/g, "");
}

/** The Lattice service name the controller gives an HTTPRoute (no service-name-override annotation). */
export function controllerServiceName(routeName: string, routeNamespace: string): string {
  return `${cut(routeName, 20)}-${cut(routeNamespace, 18)}`;
}

/**
 * HTTPRoutes (name and namespace) whose Lattice services would be refused or shared. `path` is
 * where each route is set, for the message.
 */
export function controllerServiceNameProblems(routes: ReadonlyArray<{ readonly path: string; readonly name: string; readonly namespace: string }>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const first = new Map<string, string>();
  for (const r of routes) {
    const service = controllerServiceName(r.name, r.namespace);
    const bad = serviceName(service);
    if (bad) problems.push({ path: r.path, value: r.name, message: `becomes the Lattice service "${service}" (route name cut to 20 characters, "-", namespace cut to 18), which ${bad}` });
    const other = first.get(service);
    if (other !== undefined) problems.push({ path: r.path, value: r.name, message: `becomes the Lattice service "${service}", as ${other} does (route name cut to 20 characters, "-", namespace cut to 18); make the first 20 characters differ` });
    else first.set(service, r.path);
  }
  return problems;
}

/** IAM policy language versions (IAM JSON policy reference, "Version"). */
export const POLICY_VERSIONS = ["2012-10-17", "2008-10-17"] as const;

/**
 * An auth policy as JSON text: parses, is an object with `Version` and `Statement`, and each
 * statement has an `Effect` of Allow or Deny and an `Action` (or `NotAction`). Lattice checks the
 * rest when the policy is put. A reference is not checked.
 */
export function authPolicyProblems(policy: string, path: string): FieldProblem[] {
  if (isToken(policy)) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch (e) {
    return [{ path, value: policy, message: `must be a JSON policy document; it does not parse: ${e instanceof Error ? e.message : String(e)}` }];
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return [{ path, value: policy, message: "must be a JSON object with Version and Statement" }];
  const o = doc as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  if (o.Version === undefined) problems.push({ path: `${path}.Version`, value: undefined, message: `is required: "2012-10-17"` });
  else if (!POLICY_VERSIONS.includes(o.Version as (typeof POLICY_VERSIONS)[number])) problems.push({ path: `${path}.Version`, value: o.Version, message: `must be "2012-10-17" (or the older "2008-10-17")` });
  if (o.Statement === undefined) {
    problems.push({ path: `${path}.Statement`, value: undefined, message: "is required: a statement object or a non-empty list of them" });
    return problems;
  }
  const statements = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
  if (statements.length === 0) problems.push({ path: `${path}.Statement`, value: [], message: "must hold at least one statement" });
  statements.forEach((s: unknown, i) => {
    const at = Array.isArray(o.Statement) ? `${path}.Statement[${i}]` : `${path}.Statement`;
    if (typeof s !== "object" || s === null || Array.isArray(s)) {
      problems.push({ path: at, value: s, message: "must be a statement object" });
      return;
    }
    const st = s as Record<string, unknown>;
    if (st.Effect !== "Allow" && st.Effect !== "Deny") problems.push({ path: `${at}.Effect`, value: st.Effect, message: 'must be "Allow" or "Deny"' });
    if (st.Action === undefined && st.NotAction === undefined) problems.push({ path: `${at}.Action`, value: undefined, message: "is required (or NotAction)" });
  });
  return problems;
}

export type LatticeAuthType = "NONE" | "AWS_IAM";

/** The service network's auth: AWS_IAM needs a policy, NONE takes none. */
export function authProblems(authType: LatticeAuthType, authPolicy: string | undefined): FieldProblem[] {
  if (authType === "AWS_IAM") {
    if (authPolicy === undefined) return [{ path: "authPolicy", value: undefined, message: 'is required with authType "AWS_IAM": Lattice denies every request to a network with IAM auth and no auth policy' }];
    return authPolicyProblems(authPolicy, "authPolicy");
  }
  if (authPolicy !== undefined) return [{ path: "authPolicy", value: "(a policy)", message: 'is unused with authType "NONE"; set authType "AWS_IAM" or remove it' }];
  return [];
}

/** ACM certificate ARNs: what a Lattice HTTPS listener takes (Lattice takes no IAM server certificates). */
export function acmCertificateArn(value: string): Check {
  if (isToken(value)) return undefined;
  return /^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate\/[0-9a-z-]+$/.test(value) ? undefined : "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)";
}

/** IAM role names: 1-64 of letters, digits and `+=,.@_-` (IAM CreateRole). */
export function iamRoleName(value: string): Check {
  if (isToken(value)) return undefined;
  return /^[\w+=,.@-]{1,64}$/.test(value) ? undefined : 'must be 1-64 letters, digits or "+=,.@_-" (IAM role names)';
}

/** Kubernetes versions as EKS reports them ("1.31"); the minimum the controller states. */
export function kubernetesAtLeast(version: string, minimum: string): Check {
  if (isToken(version)) return undefined;
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  const [minMajor, minMinor] = minimum.split(".").map(Number) as [number, number];
  if (!m) return `must be a Kubernetes version such as "${minimum}"`;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major > minMajor || (major === minMajor && minor >= minMinor) ? undefined : `must be at least ${minimum}`;
}

/**
 * A regular expression matching Kubernetes versions ("1.31", "v1.32.2") at or above `minimum`, for
 * Terraform's `regex()` in plan-time conditions. Written without backslashes, so it reads the same
 * in JavaScript, in JSON and in an HCL string.
 */
export function kubernetesMinimumPattern(minimum: string): string {
  const m = /^([1-8])\.([0-9]{1,2})$/.exec(minimum);
  if (!m) throw new Error(`gatehouse: unsupported Kubernetes minimum ${minimum}`);
  const major = Number(m[1]);
  const minor = m[2] as string;
  const higherMajor = `[${major + 1}-9]|[1-9][0-9]+`;
  const minors: string[] = [];
  if (minor.length === 1) minors.push(`[${minor}-9]`, "[1-9][0-9]+");
  else {
    const [tens, ones] = [Number(minor[0]), Number(minor[1])];
    minors.push(`${tens}[${ones}-9]`);
    if (tens < 9) minors.push(`[${tens + 1}-9][0-9]`);
    minors.push("[1-9][0-9][0-9]+");
  }
  return `^v?((${higherMajor})[.][0-9]+|${major}[.](${minors.join("|")}))([^0-9]|$)`;
}
