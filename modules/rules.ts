/**
 * Field rules that the cloud APIs or the providers enforce, checked at synth instead.
 *
 * Each rule returns `undefined` when the value is fine, else a message that says what is
 * accepted. Config loading (envs/schema.ts) and the constructs call the same rules, so a rule
 * is written once. Only documented limits are checked; each rule names its source. Terraform
 * references (tokens) are not literals and are never checked.
 */
import type { Check } from "./errors";
import { isToken } from "./cdktf";

/** Ports: TCP/UDP port numbers. */
export function port(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : "must be a whole number from 1 to 65535";
}

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export function nodePort(value: number, range: PortRange): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= range.min && value <= range.max
    ? undefined
    : `must be a NodePort inside the cluster's node port range ${range.min}-${range.max}`;
}

/**
 * ELB names. API_CreateLoadBalancer: at most 32 characters, alphanumerics and hyphens only,
 * must not begin or end with a hyphen, must not begin with "internal-".
 * API_CreateTargetGroup: the same except the `internal-` rule.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html
 */
export function awsElbName(value: string, kind: "load balancer" | "target group"): Check {
  if (isToken(value)) return undefined;
  const rules = "1-32 characters, letters, digits and hyphens, no leading or trailing hyphen";
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(value)) return `${kind} names must be ${rules}`;
  if (kind === "load balancer" && value.toLowerCase().startsWith("internal-"))
    return `load balancer names must not begin with "internal-" (${rules})`;
  return undefined;
}

/**
 * Compute Engine and most GCP resource names: RFC 1035 label, 1-63 characters.
 * https://cloud.google.com/compute/docs/naming-resources
 */
export function gcpName(value: string): Check {
  if (isToken(value)) return undefined;
  return /^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(value)
    ? undefined
    : "must match [a-z]([-a-z0-9]*[a-z0-9])? and be at most 63 characters";
}

/** Kubernetes object names that are DNS-1123 labels (namespaces, Services): 1-63 characters. */
export function k8sLabelName(value: string): Check {
  if (isToken(value)) return undefined;
  return /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(value)
    ? undefined
    : "must be a DNS-1123 label: lowercase letters, digits and hyphens, 1-63 characters, starting and ending alphanumeric";
}

/** Helm release names: DNS-1123 label of at most 53 characters (helm `ValidateReleaseName`). */
export function helmReleaseName(value: string): Check {
  return k8sLabelName(value) ?? (value.length > 53 ? "Helm release names are at most 53 characters" : undefined);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

export function ipv4(value: string): Check {
  if (isToken(value)) return undefined;
  return ipv4ToInt(value) === undefined ? "must be an IPv4 address such as 10.0.1.17" : undefined;
}

/** IPv4 CIDR with no host bits set (AWS and GCP both reject or silently rewrite those). */
export function cidrV4(value: string): Check {
  if (isToken(value)) return undefined;
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(value);
  const base = m ? ipv4ToInt(m[1] ?? "") : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || base === undefined || bits > 32) return "must be an IPv4 CIDR block such as 10.0.0.0/16";
  const hostMask = bits === 32 ? 0 : 2 ** (32 - bits) - 1;
  if ((base & hostMask) !== 0) return `has host bits set; the network address for /${bits} is ${intToIpv4(base - (base % (hostMask + 1)))}/${bits}`;
  return undefined;
}

function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** True when the IPv4 address lies inside the CIDR. */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split("/");
  const b = ipv4ToInt(base ?? "");
  const i = ipv4ToInt(ip);
  if (b === undefined || i === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return i >= b && i < b + size;
}

/**
 * A DNS hostname, optionally a wildcard (`*.` as the whole leftmost label, once), lowercase.
 * RFC 1035 label rules; Certificate Manager accepts wildcards with DNS authorization.
 */
export function hostname(value: string, allowWildcard: boolean): Check {
  if (isToken(value)) return undefined;
  const accepted = allowWildcard
    ? 'a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"'
    : 'a lowercase DNS name such as "example.com"';
  if (value.length > 253 || value.endsWith(".")) return `must be ${accepted}, without a trailing dot`;
  const labels = value.split(".");
  if (labels.length < 2) return `must be ${accepted} (at least two labels)`;
  for (const [i, label] of labels.entries()) {
    if (label === "*") {
      if (!allowWildcard) return `must be ${accepted}; wildcards are not allowed here`;
      if (i !== 0) return `must be ${accepted}; "*" may only be the whole leftmost label`;
      continue;
    }
    if (!/^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(label)) return `must be ${accepted}; label "${label}" is not valid`;
  }
  return undefined;
}

/** True when `host` is `domain` or lies under it (wildcards included). */
export function isWithinDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/**
 * NLB target group health check limits (API_CreateTargetGroup, NLB rows):
 * interval 5-300 s, timeout 2-120 s, healthy/unhealthy thresholds 2-10; the timeout must not
 * exceed the interval. Path 1-1024 characters starting with "/", and only for HTTP(S) checks;
 * the NLB HTTP matcher takes codes 200-599 (API_Matcher). The provider rejects `path` or
 * `matcher` on a TCP health check at plan time (resourceTargetGroupCustomizeDiff).
 */
export interface NlbHealthCheck {
  readonly protocol: "HTTP" | "HTTPS" | "TCP";
  readonly interval: number;
  readonly timeout: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  readonly path?: string;
  readonly matcher?: string;
}

export function nlbHealthCheck(hc: NlbHealthCheck): Array<{ field: keyof NlbHealthCheck; value: unknown; message: string }> {
  const out: Array<{ field: keyof NlbHealthCheck; value: unknown; message: string }> = [];
  const range = (field: keyof NlbHealthCheck, v: number, lo: number, hi: number) => {
    if (!isToken(v) && !(Number.isInteger(v) && v >= lo && v <= hi)) out.push({ field, value: v, message: `must be a whole number from ${lo} to ${hi}` });
  };
  range("interval", hc.interval, 5, 300);
  range("timeout", hc.timeout, 2, 120);
  range("healthyThreshold", hc.healthyThreshold, 2, 10);
  range("unhealthyThreshold", hc.unhealthyThreshold, 2, 10);
  if (!isToken(hc.timeout) && !isToken(hc.interval) && hc.timeout > hc.interval)
    out.push({ field: "timeout", value: hc.timeout, message: `must not exceed the interval (${hc.interval} s)` });
  if (hc.protocol === "TCP") {
    if (hc.path !== undefined) out.push({ field: "path", value: hc.path, message: "a TCP health check cannot carry a path; use protocol HTTP or drop the path" });
    if (hc.matcher !== undefined) out.push({ field: "matcher", value: hc.matcher, message: "a TCP health check cannot carry a matcher; use protocol HTTP or drop the matcher" });
  } else {
    if (hc.path !== undefined && !isToken(hc.path) && !(hc.path.startsWith("/") && hc.path.length <= 1024))
      out.push({ field: "path", value: hc.path, message: 'must start with "/" and be at most 1024 characters' });
    if (hc.matcher !== undefined && !isToken(hc.matcher) && httpMatcher(hc.matcher) !== undefined)
      out.push({ field: "matcher", value: hc.matcher, message: httpMatcher(hc.matcher) ?? "" });
  }
  return out;
}

function httpMatcher(value: string): Check {
  const accepted = 'must be HTTP codes from 200 to 599: "200", "200,202" or "200-299"';
  for (const part of value.split(",")) {
    const m = /^([0-9]{3})(?:-([0-9]{3}))?$/.exec(part);
    if (!m) return accepted;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo < 200 || hi > 599 || hi < lo) return accepted;
  }
  return undefined;
}

/** Target group `deregistration_delay`: 0-3600 seconds (API_TargetGroupAttribute). */
export function deregistrationDelay(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= 0 && value <= 3600 ? undefined : "must be a whole number of seconds from 0 to 3600";
}

/** ACM certificate or IAM server certificate ARN, as an NLB TLS listener takes. */
export function certificateArn(value: string): Check {
  if (isToken(value)) return undefined;
  return /^arn:aws[a-z-]*:(acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+|iam::[0-9]{12}:server-certificate\/[\w+=,.@/-]+)$/.test(value)
    ? undefined
    : "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) or an IAM server certificate ARN";
}

/**
 * NLB TLS listeners take only predefined security policies, all named `ELBSecurityPolicy-...`
 * (Elastic Load Balancing "Security policies for your Network Load Balancer").
 */
export const ELB_SSL_POLICY = { pattern: /^ELBSecurityPolicy-/, message: 'must be a predefined ELB security policy ("ELBSecurityPolicy-...")' } as const;

export function elbSslPolicy(value: string): Check {
  if (isToken(value)) return undefined;
  return ELB_SSL_POLICY.pattern.test(value) ? undefined : ELB_SSL_POLICY.message;
}

/** GCP regions look like `europe-west1`; zones are a region plus `-<letter>`. */
export function gcpRegion(value: string): Check {
  return /^[a-z]+-[a-z]+[0-9]+$/.test(value) ? undefined : 'must be a GCP region such as "europe-west1"';
}

export function gcpZoneInRegion(zone: string, region: string): Check {
  if (!/^[a-z]+-[a-z]+[0-9]+-[a-z]$/.test(zone)) return 'must be a GCP zone such as "europe-west1-b"';
  return zone.startsWith(`${region}-`) ? undefined : `is not a zone of region ${region} (expected ${region}-<letter>)`;
}

/** AWS region codes such as `eu-west-1`, `us-gov-west-1`. */
export function awsRegion(value: string): Check {
  return /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+$/.test(value) ? undefined : 'must be an AWS region code such as "eu-west-1"';
}

/**
 * HCP Terraform workspace names: letters, digits, "-" and "_", at most 90 characters.
 * https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create
 */
export function tfcWorkspaceName(value: string): Check {
  return /^[A-Za-z0-9_-]{1,90}$/.test(value) ? undefined : 'must be 1-90 letters, digits, "-" or "_"';
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/**
 * An IP target of an NLB: inside the VPC, or else private (RFC 1918 or 100.64.0.0/10), which
 * RegisterTargets requires for IPs outside the VPC (API_TargetDescription).
 */
export function ipTarget(ip: string, vpcCidrs: readonly string[]): Check {
  if (isToken(ip)) return undefined;
  const bad = ipv4(ip);
  if (bad) return bad;
  if (vpcCidrs.some((c) => cidrContains(c, ip)) || PRIVATE_RANGES.some((c) => cidrContains(c, ip))) return undefined;
  return `is outside the VPC and not private; IP targets outside the VPC must be in ${PRIVATE_RANGES.join(", ")}`;
}

/** Listeners per Network Load Balancer: 50, not adjustable (Elastic Load Balancing quotas). */
export const NLB_LISTENER_LIMIT = 50;

export function nlbListenerCount(count: number): Check {
  return count > NLB_LISTENER_LIMIT
    ? `an NLB takes at most ${NLB_LISTENER_LIMIT} listeners (an AWS quota that cannot be raised); ${count} entry points and services would need ${count}`
    : undefined;
}

/** Exactly one of two alternative fields is given. */
export function exactlyOneOf(a: unknown, b: unknown, nameA: string, nameB: string): Check {
  return (a === undefined) === (b === undefined) ? `give exactly one of ${nameA} and ${nameB}` : undefined;
}

/** Indexes of the items that repeat an earlier one. */
export function repeatedIndexes(items: readonly unknown[]): number[] {
  const seen = new Set<unknown>();
  const out: number[] = [];
  items.forEach((item, i) => {
    if (seen.has(item)) out.push(i);
    seen.add(item);
  });
  return out;
}
