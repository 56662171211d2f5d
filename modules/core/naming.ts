/**
 * Resource names derived from environment, cluster and purpose, that always fit the cloud's
 * limits and never collide.
 *
 * The parts of a derived name are joined with `--`. Environment, cluster and entry point names
 * cannot contain `--` (and each part is slugged to single hyphens), so a derived name splits
 * back into exactly one list of parts: env `a-b` with cluster `c` gives `a-b--c`, env `a` with
 * cluster `b-c` gives `a--b-c`. A name that would be too long keeps a readable prefix and gets a
 * short hash of the whole, so two long names never collide and the same inputs always give the
 * same name.
 */
import { createHash } from "node:crypto";

/** Joins the parts of a derived name; no part can contain it. */
export const PART_SEPARATOR = "--";

/** The first `length` hex digits of the text's SHA-256: what keeps a shortened name unique. */
export function shortHash(text: string, length = 6): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function fit(joined: string, max: number): string {
  if (joined.length <= max) return joined;
  const hash = shortHash(joined);
  const head = joined.slice(0, max - hash.length - 1).replace(/-+$/, "");
  return `${head}-${hash}`;
}

/** One part: lowercase letters, digits and single hyphens. */
function slugPart(part: string): string {
  return part
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function derived(parts: readonly string[]): string {
  return parts
    .map(slugPart)
    .filter((p) => p !== "")
    .join(PART_SEPARATOR);
}

/**
 * ELB load balancer / target group name: ≤ 32 characters, alphanumerics and hyphens, no
 * leading or trailing hyphen, and (for load balancers) not beginning with `internal-`. Such a
 * name gets a leading digit, which no environment name starts with.
 */
export function awsElbName(parts: readonly string[]): string {
  let name = fit(derived(parts), 32);
  if (name.startsWith("internal-")) name = fit(`0-${name}`, 32);
  return name;
}

/**
 * IAM role or policy name: ≤ 64 characters (a role's limit; a policy's is 128, and gatehouse names
 * a role and its policy alike). IAM names are global to the account, not to a region, and IAM
 * compares them case-insensitively: the parts must hold everything that tells two owners apart
 * (environment, region, cluster), and a name that is too long keeps a prefix and gets a hash of
 * the whole, so two names that share their first 64 characters still differ.
 */
export function awsIamName(parts: readonly string[]): string {
  return fit(derived(parts), 64);
}

/** A name of at most `max` characters for services with looser rules (API Gateway: 128). */
export function derivedName(parts: readonly string[], max: number): string {
  return fit(derived(parts), max);
}

/** GCP resource name: RFC 1035 label, ≤ 63 characters, starting with a letter. */
export function gcpName(parts: readonly string[], max = 63): string {
  return fitGcp(derived(parts), max);
}

/**
 * A GCP name under a prefix that is itself a derived name (`prod--gatehouse`): the prefix keeps
 * its separators, the parts are joined after it.
 */
export function gcpChildName(prefix: string, parts: readonly string[], max = 63): string {
  const head = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return fitGcp([head, derived(parts)].filter((p) => p !== "").join(PART_SEPARATOR), max);
}

function fitGcp(name: string, max: number): string {
  return fit(/^[a-z]/.test(name) ? name : `g${PART_SEPARATOR}${name}`, max);
}

/** Logical-id-safe key for a hostname; stable, so adding a host renumbers nothing. */
export function hostKey(host: string): string {
  return host.replace(/^\*\./, "wildcard.").replace(/[^a-z0-9]/g, "-");
}

/**
 * Words that stack names use after the environment name (`<env>-aws-edge`,
 * `<env>-gcp-cluster-<cluster>`): an environment name holding one as a word could produce
 * another environment's stack name.
 */
export const RESERVED_ENV_WORDS = ["aws", "gcp"] as const;

/** Stack names all start with the environment name, followed by a reserved word. */
export const stackNames = {
  awsEdge: (env: string) => `${env}-aws-edge`,
  awsCluster: (env: string) => `${env}-aws-cluster`,
  awsApi: (env: string) => `${env}-aws-api`,
  awsLattice: (env: string) => `${env}-aws-lattice`,
  gcpAddress: (env: string) => `${env}-gcp-address`,
  gkeCluster: (env: string, cluster: string) => `${env}-gcp-cluster-${cluster}`,
  gcpEdge: (env: string) => `${env}-gcp-edge`,
  dns: (env: string) => `${env}-dns`,
};

/** Helm's limit on release names (`ValidateReleaseName`). */
export const HELM_RELEASE_NAME_MAX = 53;
/** Kubernetes object names that are DNS labels (Services, for one): at most 63 characters. */
export const K8S_LABEL_NAME_MAX = 63;

/** A name cut to a DNS label's 63 characters the way Helm charts cut theirs (`trunc 63 | trimSuffix "-"`). */
export function truncatedLabel(name: string): string {
  return name.slice(0, K8S_LABEL_NAME_MAX).replace(/-+$/, "");
}
