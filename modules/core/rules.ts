/**
 * Field rules that the cloud APIs or the providers enforce, checked at synth instead.
 *
 * Each rule returns `undefined` when the value is fine, else a message that says what is
 * accepted. Config loading (modules/config/schema.ts) and the constructs call the same rules, so a rule
 * is written once. Only documented limits are checked; each rule names its source. Terraform
 * references (tokens) are not literals and are never checked.
 */
import type { Check } from "./errors";
import { isToken } from "./cdktf";
import { HELM_RELEASE_NAME_MAX } from "./naming";

/** TCP/UDP port numbers. */
export const PORT_LIMITS = { min: 1, max: 65535 } as const;

/** Ports: TCP/UDP port numbers. */
export function port(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= PORT_LIMITS.min && value <= PORT_LIMITS.max ? undefined : `must be a whole number from ${PORT_LIMITS.min} to ${PORT_LIMITS.max}`;
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
  return k8sLabelName(value) ?? (value.length > HELM_RELEASE_NAME_MAX ? `Helm release names are at most ${HELM_RELEASE_NAME_MAX} characters` : undefined);
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
  // No leading zero in the prefix length: "/08" and "/8" would be two spellings of one block.
  const m = /^([0-9.]+)\/(0|[1-9][0-9]?)$/.exec(value);
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
 * An IPv6 address as a number: the text forms of RFC 4291 section 2.2 (eight groups of 1-4 hex
 * digits, one `::` for a run of zero groups, an IPv4 address as the last 32 bits); undefined for
 * anything else (zone ids, brackets, a second `::`, a group of five digits).
 * https://www.rfc-editor.org/rfc/rfc4291#section-2.2
 */
function ipv6ToBigInt(ip: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(ip)) return undefined;
  let text = ip;
  if (text.includes(".")) {
    const at = text.lastIndexOf(":");
    const v4 = ipv4ToInt(text.slice(at + 1));
    if (at < 0 || v4 === undefined) return undefined;
    text = `${text.slice(0, at + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = halves.map((h) => (h === "" ? [] : h.split(":")));
  if (!groups.every((g) => g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x)))) return undefined;
  const [head = [], tail = []] = groups;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return undefined;
  const all = [...head, ...Array<string>(8 - count).fill("0"), ...tail];
  return all.reduce((n, g) => (n << 16n) + BigInt(parseInt(g, 16)), 0n);
}

/** RFC 5952 text of an IPv6 address: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function ipv6Text(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(16 * (7 - i))) & 0xffffn));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

export function ipv6(value: string): Check {
  if (isToken(value)) return undefined;
  return ipv6ToBigInt(value) === undefined ? "must be an IPv6 address such as 2001:db8::1" : undefined;
}

/**
 * IPv6 CIDR with no host bits set, the prefix length 0-128 (RFC 4291 section 2.3); EC2 refuses a
 * rule whose block has host bits ("CIDR block … is malformed").
 * https://www.rfc-editor.org/rfc/rfc4291#section-2.3
 */
export function cidrV6(value: string): Check {
  if (isToken(value)) return undefined;
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,2})$/.exec(value);
  const base = m ? ipv6ToBigInt(m[1] ?? "") : undefined;
  const bits = m ? Number(m[2]) : NaN;
  if (!m || base === undefined || bits > 128) return "must be an IPv6 CIDR block such as 2001:db8::/32";
  const network = bits === 0 ? 0n : (base >> BigInt(128 - bits)) << BigInt(128 - bits);
  if (network !== base) return `has host bits set; the network address for /${bits} is ${ipv6Text(network)}/${bits}`;
  return undefined;
}

/** An IPv4 or IPv6 CIDR block (IPv6 when it holds a colon). */
export function cidr(value: string): Check {
  if (isToken(value)) return undefined;
  return value.includes(":") ? cidrV6(value) : cidrV4(value);
}

/**
 * One spelling per CIDR block, to compare blocks by value: `2001:DB8::/32` and `2001:db8:0::/32`
 * are one block. A block that is not valid is its own text.
 */
export function canonicalCidr(value: string): string {
  if (isToken(value) || cidr(value) !== undefined) return value;
  const [addr = "", bits = ""] = value.split("/");
  if (!value.includes(":")) return `${intToIpv4(ipv4ToInt(addr) ?? 0)}/${Number(bits)}`;
  return `${ipv6Text(ipv6ToBigInt(addr) ?? 0n)}/${Number(bits)}`;
}

/**
 * Items that repeat an earlier one by `key` (by value, not spelling), with the index of the first:
 * a list whose items become rules or construct ids takes each value once.
 */
export function repeats<T>(items: readonly T[], key: (item: T) => unknown = (item) => item): Array<{ readonly index: number; readonly first: number }> {
  const seen = new Map<unknown, number>();
  const out: Array<{ index: number; first: number }> = [];
  items.forEach((item, index) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, index);
    else out.push({ index, first });
  });
  return out;
}

/**
 * Kubernetes forbids an IP address where it wants a host name: Ingress `rules[].host` ("must be a
 * DNS name, not an IP address", ValidateIngressSpec, which parses leniently: leading zeros count)
 * and HTTPRoute `hostnames` ("IPs are not allowed", Gateway API v1 Hostname). A Google-managed
 * certificate cannot hold one either.
 * https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ingress-v1/#IngressRule
 * https://gateway-api.sigs.k8s.io/reference/spec/#hostname
 */
export function notIpAddress(value: string): Check {
  if (isToken(value)) return undefined;
  const parts = value.split(".");
  const ipv4Like = parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
  return ipv4Like || ipv6ToBigInt(value) !== undefined ? "must be a DNS name, not an IP address: Ingress and HTTPRoute hosts (and certificates) take names only" : undefined;
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

/** What an NLB target group's health check takes (API_CreateTargetGroup: interval 5-300 s, timeout 2-120 s, thresholds 2-10). */
export const NLB_HEALTH_CHECK_LIMITS = { interval: { min: 5, max: 300 }, timeout: { min: 2, max: 120 }, threshold: { min: 2, max: 10 } } as const;

export function nlbHealthCheck(hc: NlbHealthCheck): Array<{ field: keyof NlbHealthCheck; value: unknown; message: string }> {
  const out: Array<{ field: keyof NlbHealthCheck; value: unknown; message: string }> = [];
  const range = (field: keyof NlbHealthCheck, v: number, { min, max }: { readonly min: number; readonly max: number }) => {
    if (!isToken(v) && !(Number.isInteger(v) && v >= min && v <= max)) out.push({ field, value: v, message: `must be a whole number from ${min} to ${max}` });
  };
  range("interval", hc.interval, NLB_HEALTH_CHECK_LIMITS.interval);
  range("timeout", hc.timeout, NLB_HEALTH_CHECK_LIMITS.timeout);
  range("healthyThreshold", hc.healthyThreshold, NLB_HEALTH_CHECK_LIMITS.threshold);
  range("unhealthyThreshold", hc.unhealthyThreshold, NLB_HEALTH_CHECK_LIMITS.threshold);
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
export const DEREGISTRATION_DELAY_LIMITS = { min: 0, max: 3600 } as const;

export function deregistrationDelay(value: number): Check {
  if (isToken(value)) return undefined;
  const { min, max } = DEREGISTRATION_DELAY_LIMITS;
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number of seconds from ${min} to ${max}`;
}

/** ACM certificate or IAM server certificate ARN, as an NLB TLS listener takes. */
export function certificateArn(value: string): Check {
  if (isToken(value)) return undefined;
  return /^arn:aws[a-z-]*:(acm:[a-z0-9-]+:[0-9]{12}:certificate\/[A-Za-z0-9-]+|iam::[0-9]{12}:server-certificate\/[\w+=,.@/-]+)$/.test(value)
    ? undefined
    : "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) or an IAM server certificate ARN";
}

/**
 * The security policies Elastic Load Balancing offers for Network Load Balancer TLS listeners
 * (no custom policies), as "Security policies for your Network Load Balancer" lists them in late
 * 2026 (aws provider 6.25 passes the name through unchecked; CreateListener refuses any other):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html
 * The RFC 9151 (CNSA) policies are Application Load Balancer only; ELBSecurityPolicy-2015-05 is
 * Network Load Balancer only.
 */
export const NLB_SSL_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-1-2021-06",
  "ELBSecurityPolicy-TLS13-1-0-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  "ELBSecurityPolicy-FS-1-2-Res-2019-08",
  "ELBSecurityPolicy-FS-1-2-2019-08",
  "ELBSecurityPolicy-FS-1-1-2019-08",
  "ELBSecurityPolicy-FS-2018-06",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-1-2017-01",
  "ELBSecurityPolicy-2016-08",
  "ELBSecurityPolicy-2015-05",
] as const;
export type NlbSslPolicy = (typeof NLB_SSL_POLICIES)[number];

/** The predefined policies' common prefix: a name without it is not an ELB policy at all. */
export const ELB_SSL_POLICY = { pattern: /^ELBSecurityPolicy-/, message: 'must be a predefined ELB security policy ("ELBSecurityPolicy-...")' } as const;

export function elbSslPolicy(value: string): Check {
  if (isToken(value)) return undefined;
  if ((NLB_SSL_POLICIES as readonly string[]).includes(value)) return undefined;
  const near = NLB_SSL_POLICIES.find((p) => p.toLowerCase() === value.toLowerCase());
  if (near) return `is not a Network Load Balancer security policy; policy names are case-sensitive: did you mean ${near}?`;
  return !ELB_SSL_POLICY.pattern.test(value)
    ? ELB_SSL_POLICY.message
    : "is not a security policy Network Load Balancer TLS listeners offer (Elastic Load Balancing, \"Security policies for your Network Load Balancer\"; the RFC 9151 policies are for Application Load Balancers only); recommended: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09, or gatehouse's default ELBSecurityPolicy-TLS13-1-2-2021-06";
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
export const TFC_WORKSPACE_NAME_MAX = 90;

export function tfcWorkspaceName(value: string): Check {
  return /^[A-Za-z0-9_-]{1,90}$/.test(value) ? undefined : 'must be 1-90 letters, digits, "-" or "_"';
}

/**
 * The workspaces of an environment's stacks, `<prefix>-<stack>` (modules/stacks/state.ts
 * workspaceName), must each fit HCP Terraform's 90 characters.
 */
export function tfcWorkspaces(prefix: string, stacks: readonly string[]): Check {
  const longest = stacks.map((s) => `${prefix}-${s}`).reduce((a, b) => (b.length > a.length ? b : a), "");
  return longest.length > TFC_WORKSPACE_NAME_MAX
    ? `makes the workspace name "${longest}" ${longest.length} characters long; HCP Terraform takes at most ${TFC_WORKSPACE_NAME_MAX}: shorten the prefix to at most ${TFC_WORKSPACE_NAME_MAX - (longest.length - prefix.length)} characters`
    : undefined;
}

/** Private IPv4 space: RFC 1918 and the shared address space 100.64.0.0/10. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

/** True when the whole CIDR lies inside one private range. */
export function isPrivateCidr(cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  return PRIVATE_RANGES.some((r) => cidrContains(r, base ?? "") && Number(bits) >= Number(r.split("/")[1]));
}

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

/**
 * Targets per Network Load Balancer with cross-zone load balancing on: 500, where a target
 * registered in N target groups counts N times (Elastic Load Balancing, "Quotas for your Network
 * Load Balancers": targets per Availability Zone per NLB; with cross-zone on, every target counts
 * in every zone).
 */
export const NLB_CROSS_ZONE_TARGET_LIMIT = 500;

export function nlbCrossZoneTargets(targets: number, groups: number): Check {
  const count = targets * groups;
  return count > NLB_CROSS_ZONE_TARGET_LIMIT
    ? `an NLB with cross-zone load balancing takes at most ${NLB_CROSS_ZONE_TARGET_LIMIT} targets, a target counting once per target group; ${targets} IPs in ${groups} target groups count ${count}. Use fewer IPs or entry points, or turn aws.nlb.crossZone off (the quota then applies per Availability Zone)`
    : undefined;
}

/**
 * S3 bucket names (general purpose buckets): 3-63 characters, lowercase letters, digits, dots and
 * hyphens, starting and ending with a letter or digit, not formatted as an IP address, and none of
 * the prefixes and suffixes S3 keeps for itself (Amazon S3 "General purpose bucket naming rules",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export const S3_RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
export const S3_RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] as const;

export function s3BucketName(value: string): Check {
  if (isToken(value)) return undefined;
  const accepted = "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes("..")) return accepted;
  if (ipv4ToInt(value) !== undefined) return `${accepted}, not an IP address`;
  const prefix = S3_RESERVED_BUCKET_PREFIXES.find((p) => value.startsWith(p));
  if (prefix) return `must not start with "${prefix}": S3 reserves the prefixes ${S3_RESERVED_BUCKET_PREFIXES.join(", ")} (general purpose bucket naming rules)`;
  const suffix = S3_RESERVED_BUCKET_SUFFIXES.find((x) => value.endsWith(x));
  if (suffix) return `must not end with "${suffix}": S3 reserves the suffixes ${S3_RESERVED_BUCKET_SUFFIXES.join(", ")} for access point aliases, Multi-Region Access Points, directory and table buckets`;
  return undefined;
}

/**
 * NLB access-log prefix: the bucket path under which logs are written; no leading or trailing
 * slash and never containing "AWSLogs", which ELB adds itself (ELB "Enable access logs").
 */
export function accessLogPrefix(value: string): Check {
  if (isToken(value)) return undefined;
  if (value.startsWith("/") || value.endsWith("/")) return 'must not start or end with "/"';
  if (value.includes("AWSLogs")) return 'must not contain "AWSLogs": Elastic Load Balancing adds it after the prefix';
  return undefined;
}

/**
 * `target_health_state.unhealthy.draining_interval_seconds`: 0-360000 seconds, only settable when
 * connection termination for unhealthy targets is off (API_TargetGroupAttribute).
 */
export const UNHEALTHY_DRAINING_INTERVAL_LIMITS = { min: 0, max: 360000 } as const;

export function unhealthyDrainingInterval(value: number): Check {
  if (isToken(value)) return undefined;
  const { min, max } = UNHEALTHY_DRAINING_INTERVAL_LIMITS;
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number of seconds from ${min} to ${max}`;
}

/** Idle timeout of an NLB TCP listener: 60-6000 seconds (API_ListenerAttribute `tcp.idle_timeout.seconds`). */
export const TCP_IDLE_TIMEOUT_LIMITS = { min: 60, max: 6000 } as const;

export function tcpIdleTimeout(value: number): Check {
  if (isToken(value)) return undefined;
  const { min, max } = TCP_IDLE_TIMEOUT_LIMITS;
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number of seconds from ${min} to ${max} (the NLB's TCP idle timeout range)`;
}

/**
 * A custom request or response header of a global external Application Load Balancer backend,
 * `Name:value` (Cloud Load Balancing "Create custom headers in backend services"): the name an
 * RFC 7230 token, not `X-User-IP`, `CDN-Loop` or `authority`, no hop-by-hop header, and no
 * `X-Google`, `X-Goog-`, `X-GFE` or `X-Amz-` prefix; the value may be blank.
 */
const HOP_BY_HOP = ["keep-alive", "transfer-encoding", "te", "connection", "trailer", "upgrade"];
const RESERVED_HEADERS = ["x-user-ip", "cdn-loop", "authority"];
const RESERVED_HEADER_PREFIXES = ["x-google", "x-goog-", "x-gfe", "x-amz-"];

/** The header's name, lowercased, when the header is well-formed. */
export function customHeaderName(value: string): string | undefined {
  const i = value.indexOf(":");
  return i > 0 ? value.slice(0, i).trim().toLowerCase() : undefined;
}

export function gcpCustomHeader(value: string): Check {
  if (isToken(value)) return undefined;
  const i = value.indexOf(":");
  const name = i > 0 ? value.slice(0, i).trim() : "";
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return 'must be "Header-Name:value" with a valid HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)';
  const lower = name.toLowerCase();
  if (RESERVED_HEADERS.includes(lower) || HOP_BY_HOP.includes(lower)) return `cannot set ${name}: Google's load balancer reserves it (X-User-IP, CDN-Loop, authority and the hop-by-hop headers Keep-Alive, Transfer-Encoding, TE, Connection, Trailer, Upgrade)`;
  if (RESERVED_HEADER_PREFIXES.some((p) => lower.startsWith(p))) return `cannot set ${name}: names starting X-Google, X-Goog-, X-GFE or X-Amz- are reserved`;
  return headerValue(value.slice(i + 1));
}

/**
 * An HTTP field value: visible characters, spaces and tabs, nothing else below 0x20 and no DEL
 * (RFC 9110 section 5.5: NUL, CR and LF are never allowed; other controls are not field-vchar).
 * https://www.rfc-editor.org/rfc/rfc9110#section-5.5
 */
export function headerValue(value: string): Check {
  if (isToken(value)) return undefined;
  if (/[\r\n]/.test(value)) return "the value must be on one line";
  const bad = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(value);
  if (bad) return `the value holds the control character U+${(bad[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}: HTTP header values take visible characters, spaces and tabs only (RFC 9110 section 5.5)`;
  return undefined;
}

/** Backend service connection draining: 0-3600 seconds (Compute Engine `connectionDraining.drainingTimeoutSec`). */
export const CONNECTION_DRAINING_LIMITS = { min: 0, max: 3600 } as const;

export function connectionDrainingTimeout(value: number): Check {
  if (isToken(value)) return undefined;
  const { min, max } = CONNECTION_DRAINING_LIMITS;
  return Number.isInteger(value) && value >= min && value <= max ? undefined : `must be a whole number of seconds from ${min} to ${max}`;
}

/** Cloud CDN TTLs: 0 to 31,622,400 seconds (one year; Cloud CDN "Use cache mode settings and TTLs"). */
export const CDN_MAX_TTL = 31_622_400;
export const CDN_TTL_LIMITS = { min: 0, max: CDN_MAX_TTL } as const;

export function cdnTtl(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= CDN_TTL_LIMITS.min && value <= CDN_TTL_LIMITS.max ? undefined : `must be a whole number of seconds from ${CDN_TTL_LIMITS.min} to ${CDN_MAX_TTL} (one year)`;
}

/** NLB access logs cover TLS connections only (ELB "Access logs for your Network Load Balancer"). */
export function nlbAccessLogs(enabled: boolean, hasTlsListener: boolean): Check {
  return enabled && !hasTlsListener
    ? 'need a TLS listener: an NLB writes access logs for TLS connections only, and no entry point ends TLS at the load balancer; set an entry point\'s tls to "terminate", or remove accessLogs'
    : undefined;
}

/** `target_health_state`: the draining interval, and only when unhealthy connections are not closed at once. */
export function unhealthyTargets(u: { readonly connectionTermination: boolean; readonly drainingInterval?: number }): Check {
  if (u.drainingInterval === undefined) return undefined;
  return (
    unhealthyDrainingInterval(u.drainingInterval) ??
    (u.connectionTermination ? "needs connectionTermination: false: with termination on, AWS closes an unhealthy target's connections at once and takes no draining interval" : undefined)
  );
}

/**
 * Limits of the HTTPS backend options: the affinity cookie's TTL (0-86400 s), outlier detection
 * counts and seconds (at least 1; no upper limit is documented) and the ejection percentage.
 */
export const GCP_BACKEND_LIMITS = {
  affinityCookieTtlSec: { min: 0, max: 86400 },
  outlierCount: { min: 1, max: Number.MAX_SAFE_INTEGER },
  maxEjectionPercent: { min: 0, max: 100 },
} as const;

/** The HTTPS backend options that have limits (global external Application Load Balancer). */
export interface GcpBackendOptions {
  readonly securityPolicy?: string;
  readonly edgeSecurityPolicy?: string;
  readonly connectionDrainingTimeoutSec?: number;
  readonly customRequestHeaders?: readonly string[];
  readonly customResponseHeaders?: readonly string[];
  readonly sessionAffinity?: string;
  readonly affinityCookieTtlSec?: number;
  readonly outlierDetection?: { readonly consecutiveErrors?: number; readonly intervalSec?: number; readonly baseEjectionTimeSec?: number; readonly maxEjectionPercent?: number };
  readonly iap?: object;
  readonly cdn?: { readonly defaultTtl?: number; readonly maxTtl?: number; readonly clientTtl?: number };
}

/**
 * Every problem of the backend options, as `field` (a path below the options) → message:
 * Cloud Armor policy names, the draining range, well-formed and distinct custom headers, the
 * affinity cookie TTL (0-86400, GENERATED_COOKIE only), outlier detection counts, CDN TTLs, and
 * IAP with Cloud CDN (IAP "Known limitations": incompatible with Cloud CDN).
 */
export function gcpBackendProblems(b: GcpBackendOptions): Array<{ field: string; value: unknown; message: string }> {
  const out: Array<{ field: string; value: unknown; message: string }> = [];
  const add = (field: string, value: unknown, message: Check) => {
    if (message) out.push({ field, value, message });
  };
  for (const field of ["securityPolicy", "edgeSecurityPolicy"] as const) {
    const policy = b[field];
    if (policy !== undefined && !isToken(policy) && gcpName(policy.split("/").pop() ?? "") !== undefined) add(field, policy, "must be a Cloud Armor policy name or self link");
  }
  if (b.connectionDrainingTimeoutSec !== undefined) add("connectionDrainingTimeoutSec", b.connectionDrainingTimeoutSec, connectionDrainingTimeout(b.connectionDrainingTimeoutSec));
  for (const field of ["customRequestHeaders", "customResponseHeaders"] as const) {
    const headers = b[field] ?? [];
    headers.forEach((h, i) => add(`${field}.${i}`, h, gcpCustomHeader(h)));
    const names = headers.map(customHeaderName);
    for (const i of repeatedIndexes(names)) if (names[i] !== undefined) add(`${field}.${i}`, headers[i], "sets a header an earlier entry sets; each header name may appear once");
  }
  const ttl = b.affinityCookieTtlSec;
  if (ttl !== undefined && !isToken(ttl)) {
    const { min, max } = GCP_BACKEND_LIMITS.affinityCookieTtlSec;
    if (b.sessionAffinity !== "GENERATED_COOKIE") add("affinityCookieTtlSec", ttl, "applies only with sessionAffinity: GENERATED_COOKIE");
    else if (!(Number.isInteger(ttl) && ttl >= min && ttl <= max)) add("affinityCookieTtlSec", ttl, `must be a whole number of seconds from ${min} to ${max} (one day)`);
  }
  const od = b.outlierDetection;
  if (od) {
    for (const field of ["consecutiveErrors", "intervalSec", "baseEjectionTimeSec"] as const) {
      const v = od[field];
      const { min } = GCP_BACKEND_LIMITS.outlierCount;
      if (v !== undefined && !isToken(v) && !(Number.isInteger(v) && v >= min)) add(`outlierDetection.${field}`, v, `must be a whole number of at least ${min}`);
    }
    const pct = od.maxEjectionPercent;
    const { min, max } = GCP_BACKEND_LIMITS.maxEjectionPercent;
    if (pct !== undefined && !isToken(pct) && !(Number.isInteger(pct) && pct >= min && pct <= max)) add("outlierDetection.maxEjectionPercent", pct, `must be a whole number from ${min} to ${max}`);
  }
  if (b.cdn) {
    if (b.iap) add("cdn", b.cdn, "cannot be combined with iap: Identity-Aware Proxy is incompatible with Cloud CDN (cached responses would reach users IAP never checked); drop one");
    for (const field of ["defaultTtl", "maxTtl", "clientTtl"] as const) {
      const v = b.cdn[field];
      if (v !== undefined) add(`cdn.${field}`, v, cdnTtl(v));
    }
    const max = b.cdn.maxTtl;
    if (max !== undefined && !isToken(max))
      for (const field of ["defaultTtl", "clientTtl"] as const) {
        const v = b.cdn[field];
        if (v !== undefined && !isToken(v) && v > max) add(`cdn.${field}`, v, `must not exceed maxTtl (${max})`);
      }
  }
  return out;
}

/**
 * AWS tags (Elastic Load Balancing is the strictest service gatehouse tags, and the provider's
 * default tags reach every resource): at most 50 per resource, keys of 1-127 and values of at most
 * 255 characters, letters, numbers, white space and `+ - = . _ : / @`, no leading or trailing
 * space, and nothing starting `aws:` (in any case), which AWS reserves.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-tags.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_Tag.html
 */
export const AWS_TAG_LIMITS = { perResource: 50, keyLength: 127, valueLength: 255 } as const;
const AWS_TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const AWS_TAG_CHARS = "letters, numbers, spaces and + - = . _ : / @";

function awsTagText(value: string, what: "key" | "value", max: number): Check {
  if (isToken(value)) return undefined;
  if (/^aws:/i.test(value)) return `tag ${what}s must not start with "aws:" (in any case): AWS reserves the prefix`;
  if (value.length > max) return `tag ${what}s are at most ${max} characters on Elastic Load Balancing`;
  if (!AWS_TAG_TEXT.test(value)) return `tag ${what}s take ${AWS_TAG_CHARS} only (Elastic Load Balancing refuses the rest)`;
  if (/^\p{Z}|\p{Z}$/u.test(value)) return `tag ${what}s must not start or end with a space`;
  return undefined;
}

export function awsTagKey(key: string): Check {
  return key === "" ? "tag keys must not be empty" : awsTagText(key, "key", AWS_TAG_LIMITS.keyLength);
}

export function awsTagValue(value: string): Check {
  return awsTagText(value, "value", AWS_TAG_LIMITS.valueLength);
}

/** The environment's tags and gatehouse's own on one resource (`where`) must fit AWS's 50. */
export function awsTagCount(tags: readonly string[], gatehouse: readonly string[], where: string): Check {
  const all = new Set([...tags, ...gatehouse]);
  return all.size > AWS_TAG_LIMITS.perResource
    ? `${tags.length} tags and gatehouse's own on ${where} (${gatehouse.join(", ")}) make ${all.size}; AWS takes at most ${AWS_TAG_LIMITS.perResource} tags per resource: drop ${all.size - AWS_TAG_LIMITS.perResource}`
    : undefined;
}

/**
 * GCP labels: at most 64 per resource, keys and values of lowercase letters, digits, `_` and `-`,
 * at most 63 characters, keys starting with a lowercase letter and distinct.
 * https://cloud.google.com/compute/docs/labeling-resources#requirements
 * gatehouse makes a label of every tag: lowercased, anything else replaced by `_`, cut to 63.
 */
export const GCP_LABEL_LIMITS = { perResource: 64, length: 63 } as const;

export function gcpLabelText(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_-]/g, "_").slice(0, GCP_LABEL_LIMITS.length);
}

/** The labels of a set of tags (see gcpLabelText). */
export function gcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [gcpLabelText(k), gcpLabelText(v)]));
}

/**
 * What is wrong with the labels the environment's tags become, next to gatehouse's own labels:
 * a key that does not start with a letter, two tags that become one label (`Team` and `team`,
 * `cost.center` and `cost_center`, or one of gatehouse's), more than 64 labels. `key` is the tag's
 * key, absent for a problem of the whole set.
 */
export function gcpLabelProblems(tags: Readonly<Record<string, string>>, gatehouse: Readonly<Record<string, string>>): Array<{ readonly key?: string; readonly message: string }> {
  const out: Array<{ key?: string; message: string }> = [];
  const owner = new Map<string, string | undefined>(Object.keys(gatehouse).map((k) => [k, undefined]));
  for (const key of Object.keys(tags)) {
    const label = gcpLabelText(key);
    if (!/^[a-z]/.test(label)) {
      out.push({ key, message: `becomes the GCP label key "${label}", and label keys must start with a lowercase letter: start the tag with a letter` });
      continue;
    }
    if (owner.has(label)) {
      const other = owner.get(label);
      out.push({
        key,
        message:
          other === undefined
            ? `becomes the GCP label "${label}", which gatehouse sets itself (${Object.keys(gatehouse).join(", ")}): rename the tag`
            : `becomes the GCP label "${label}", as tags.${other} does (labels are lowercase, with "_" for other characters, at most ${GCP_LABEL_LIMITS.length} characters); GCP labels need distinct keys: rename one`,
      });
      continue;
    }
    owner.set(label, key);
  }
  if (owner.size > GCP_LABEL_LIMITS.perResource)
    out.push({ message: `make ${owner.size} GCP labels with gatehouse's own (${Object.keys(gatehouse).join(", ")}); GCP takes at most ${GCP_LABEL_LIMITS.perResource} labels per resource` });
  return out;
}

/**
 * Security group names: up to 255 characters, and never starting `sg-`, which looks like a group
 * id (EC2 CreateSecurityGroup, GroupName).
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html
 */
export function securityGroupName(value: string): Check {
  if (isToken(value)) return undefined;
  // EC2 documents the prefix in lower case; "SG-" is refused as well rather than risk a failed apply.
  if (value.toLowerCase().startsWith("sg-")) return `would name a security group "${value}", and EC2 refuses group names starting "sg-" (they look like group ids)`;
  return value.length > 255 ? "security group names are at most 255 characters" : undefined;
}

/**
 * Kubernetes label keys and values (apimachinery IsQualifiedName, IsValidLabelValue): a key is
 * an optional DNS subdomain prefix (at most 253 characters) and "/", then a name of at most 63
 * alphanumerics, "-", "_" and ".", starting and ending alphanumeric; a value is empty or such a name.
 * https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
const K8S_LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/;

export function k8sLabelKey(key: string): Check {
  if (isToken(key)) return undefined;
  const parts = key.split("/");
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]];
  if (parts.length > 2 || name === undefined || !K8S_LABEL_NAME.test(name))
    return 'must be a Kubernetes label key: an optional DNS prefix and "/", then 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (e.g. app.kubernetes.io/name)';
  if (prefix !== undefined && !(prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) return `has the prefix "${prefix}", which must be a lowercase DNS subdomain of at most 253 characters`;
  return undefined;
}

export function k8sLabelValue(value: string): Check {
  if (isToken(value)) return undefined;
  return value === "" || K8S_LABEL_NAME.test(value)
    ? undefined
    : 'must be a Kubernetes label value: empty, or 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
}

/**
 * A Kubernetes quantity (apimachinery resource.Quantity): a number (`1`, `1.5`, `.5`, `1.`) with
 * an optional sign and one suffix: binary `Ki Mi Gi Ti Pi Ei`, decimal `n u m k M G T P E`, or an
 * exponent `e3`/`E-2`; resource requests must not be negative.
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export const K8S_QUANTITY = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?$/;

export function k8sQuantity(value: string): Check {
  if (isToken(value)) return undefined;
  if (!K8S_QUANTITY.test(value)) return 'must be a Kubernetes quantity: a number with an optional suffix, such as "100m", "0.5", "90Mi", "1Gi" or "1e3"';
  return value.startsWith("-") && /[1-9]/.test(value.replace(/[eE][+-]?[0-9]+$/, "")) ? "must not be negative: Kubernetes refuses negative resource requests" : undefined;
}

/**
 * ConfigMap keys (apimachinery IsConfigMapKey): 1-253 characters of letters, digits, "-", "_" and
 * ".", and not ".", ".." or anything starting "..".
 * https://kubernetes.io/docs/concepts/configuration/configmap/#configmap-object
 */
export function configMapKey(key: string): Check {
  if (isToken(key)) return undefined;
  if (key.length > 253 || !/^[-._a-zA-Z0-9]+$/.test(key)) return 'must be a ConfigMap key: 1-253 letters, digits, "-", "_" or "."';
  return key === "." || key.startsWith("..") ? 'must not be "." or start with "..": Kubernetes refuses such ConfigMap keys' : undefined;
}

/**
 * A Route 53 hosted zone id as the provider takes it: `Z` and up to 31 uppercase letters and digits,
 * without the `/hostedzone/` path (Route 53 API HostedZone.Id: at most 32 characters).
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HostedZone.html
 */
export function route53ZoneId(value: string): Check {
  if (isToken(value)) return undefined;
  if (/^\/?hostedzone\/Z[A-Z0-9]{1,31}$/.test(value)) return `must be the bare zone id (${value.replace(/^\/?hostedzone\//, "")}), without "/hostedzone/"`;
  return /^Z[A-Z0-9]{1,31}$/.test(value) ? undefined : "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ";
}

/**
 * ACM certificates are regional: a Network Load Balancer, a Regional API Gateway domain and a VPC
 * Lattice listener take only one from their own Region ("ACM certificates are regional
 * resources", https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html). IAM server
 * certificates are global and pass.
 */
export function certificateInRegion(arn: string, region: string): Check {
  if (isToken(arn) || isToken(region)) return undefined;
  const m = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):/.exec(arn);
  return m && m[1] !== region ? `is in ${m[1]}; ACM certificates are regional, and this one must be in the environment's Region (aws.region: ${region})` : undefined;
}

/**
 * The chart version of a controller: gatehouse renders and tests one chart version per controller
 * (the plug-in's pin), so another version is refused unless the environment opts out knowingly.
 */
export function testedChartVersion(version: string, kind: string, tested: string, allowUntested: boolean): Check {
  if (allowUntested || version === tested) return undefined;
  return `is not the ${kind} chart version gatehouse tests (${tested}): leave chartVersion out to get it, or set controller.allowUntestedChartVersion: true to install another version at your own risk (its values and objects were never rendered against gatehouse's)`;
}
