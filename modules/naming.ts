/**
 * Resource names derived from environment, cluster and purpose, that always fit the cloud's
 * limits. A name that would be too long keeps a readable prefix and gets a short hash of the
 * whole, so two long names never collide and the same inputs always give the same name.
 */
import { createHash } from "node:crypto";

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 6);
}

function fit(joined: string, max: number): string {
  if (joined.length <= max) return joined;
  const hash = shortHash(joined);
  const head = joined.slice(0, max - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

function slug(parts: readonly string[], allowed: RegExp): string {
  return parts
    .join("-")
    .toLowerCase()
    .replace(allowed, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

/**
 * ELB load balancer / target group name: ≤ 32 characters, alphanumerics and hyphens, no
 * leading or trailing hyphen, and (for load balancers) not beginning with `internal-`.
 */
export function awsElbName(parts: readonly string[]): string {
  let name = fit(slug(parts, /[^a-z0-9-]/g), 32);
  if (name.startsWith("internal-")) name = fit(`lb-${name}`, 32);
  return name;
}

/** GCP resource name: RFC 1035 label, ≤ 63 characters, starting with a letter. */
export function gcpName(parts: readonly string[], max = 63): string {
  let name = slug(parts, /[^a-z0-9-]/g);
  if (!/^[a-z]/.test(name)) name = `g-${name}`;
  return fit(name, max);
}

/** Logical-id-safe key for a hostname; stable, so adding a host renumbers nothing. */
export function hostKey(host: string): string {
  return host.replace(/^\*\./, "wildcard.").replace(/[^a-z0-9]/g, "-");
}
