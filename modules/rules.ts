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
 * hyphens, starting and ending with a letter or digit, not formatted as an IP address
 * (Amazon S3 "General purpose bucket naming rules").
 */
export function s3BucketName(value: string): Check {
  if (isToken(value)) return undefined;
  const accepted = "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) || value.includes("..")) return accepted;
  if (ipv4ToInt(value) !== undefined) return `${accepted}, not an IP address`;
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
export function unhealthyDrainingInterval(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= 0 && value <= 360000 ? undefined : "must be a whole number of seconds from 0 to 360000";
}

/** Idle timeout of an NLB TCP listener: 60-6000 seconds (API_ListenerAttribute `tcp.idle_timeout.seconds`). */
export function tcpIdleTimeout(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= 60 && value <= 6000 ? undefined : "must be a whole number of seconds from 60 to 6000 (the NLB's TCP idle timeout range)";
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
  if (/[\r\n]/.test(value.slice(i + 1))) return "the value must be on one line";
  return undefined;
}

/** Backend service connection draining: 0-3600 seconds (Compute Engine `connectionDraining.drainingTimeoutSec`). */
export function connectionDrainingTimeout(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= 0 && value <= 3600 ? undefined : "must be a whole number of seconds from 0 to 3600";
}

/** Cloud CDN TTLs: 0 to 31,622,400 seconds (one year; Cloud CDN "Use cache mode settings and TTLs"). */
export const CDN_MAX_TTL = 31_622_400;

export function cdnTtl(value: number): Check {
  if (isToken(value)) return undefined;
  return Number.isInteger(value) && value >= 0 && value <= CDN_MAX_TTL ? undefined : `must be a whole number of seconds from 0 to ${CDN_MAX_TTL} (one year)`;
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
    if (b.sessionAffinity !== "GENERATED_COOKIE") add("affinityCookieTtlSec", ttl, "applies only with sessionAffinity: GENERATED_COOKIE");
    else if (!(Number.isInteger(ttl) && ttl >= 0 && ttl <= 86400)) add("affinityCookieTtlSec", ttl, "must be a whole number of seconds from 0 to 86400 (one day)");
  }
  const od = b.outlierDetection;
  if (od) {
    for (const field of ["consecutiveErrors", "intervalSec", "baseEjectionTimeSec"] as const) {
      const v = od[field];
      if (v !== undefined && !isToken(v) && !(Number.isInteger(v) && v >= 1)) add(`outlierDetection.${field}`, v, "must be a whole number of at least 1");
    }
    const pct = od.maxEjectionPercent;
    if (pct !== undefined && !isToken(pct) && !(Number.isInteger(pct) && pct >= 0 && pct <= 100)) add("outlierDetection.maxEjectionPercent", pct, "must be a whole number from 0 to 100");
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
