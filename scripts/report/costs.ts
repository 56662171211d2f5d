/**
 * A monthly estimate per environment: priced line items for what the stacks create, from the
 * dated price table in prices.json, under stated traffic assumptions. Each line's monthly
 * amount is rounded to the cent and the total is the sum of the lines, so the table adds up.
 */
import type { Problem } from "../../modules/core/errors";
import type { EnvModel } from "./model";
import PRICES from "./prices.json";

export type Prices = typeof PRICES;
type AwsRegionPrices = Partial<Prices["aws"]["regions"]["us-east-1"]>;

export interface Assumptions {
  /** Average requests per second reaching each front door (NLB, global LB, API). */
  readonly requestsPerSecond: number;
  /** Data processed by each load balancer per month, in GB (both directions). */
  readonly gbPerMonth: number;
  /** Average new connections (or TLS handshakes) per second at the NLB. */
  readonly newConnectionsPerSecond: number;
  /** Average concurrent connections at the NLB. */
  readonly activeConnections: number;
  /** Rules per Cloud Armor policy when the stacks only name an existing policy. */
  readonly cloudArmorRules: number;
  /** DNS queries per second Route 53 answers for each name the stacks define (after resolvers' caching). */
  readonly dnsQueriesPerSecond: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  requestsPerSecond: 50,
  gbPerMonth: 500,
  newConnectionsPerSecond: 10,
  activeConnections: 1000,
  cloudArmorRules: 5,
  dnsQueriesPerSecond: 10,
};

/** The variable each assumption is read from; `<VAR>__<ENV>` (env upper-cased, `-` → `_`) overrides it for one environment. */
export const ASSUMPTION_VARS: Record<keyof Assumptions, string> = {
  requestsPerSecond: "GATEHOUSE_REPORT_RPS",
  gbPerMonth: "GATEHOUSE_REPORT_GB_PER_MONTH",
  newConnectionsPerSecond: "GATEHOUSE_REPORT_NEW_CONNECTIONS_PER_S",
  activeConnections: "GATEHOUSE_REPORT_ACTIVE_CONNECTIONS",
  cloudArmorRules: "GATEHOUSE_REPORT_ARMOR_RULES",
  dnsQueriesPerSecond: "GATEHOUSE_REPORT_DNS_QPS",
};

export const ASSUMPTION_TEXT: Record<keyof Assumptions, string> = {
  requestsPerSecond: "requests per second (average, each front door)",
  gbPerMonth: "GB processed per month (each load balancer)",
  newConnectionsPerSecond: "new connections per second at the NLB",
  activeConnections: "concurrent connections at the NLB",
  cloudArmorRules: "rules per Cloud Armor policy named by the stacks",
  dnsQueriesPerSecond: "Route 53 DNS queries per second (each name)",
};

export interface CostLine {
  readonly cloud: "aws" | "gcp";
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly monthly: number;
  /** Where the item runs (the environment's region, or global). */
  readonly region: string;
  /** The region whose rate was used, when the table has none for `region`: the line is an estimate from it. */
  readonly estimatedFrom?: string;
  readonly note?: string;
}

export interface EnvCost {
  readonly env: string;
  readonly assumptions: Assumptions;
  readonly lines: readonly CostLine[];
  readonly total: number;
}

export class AssumptionError extends Error {}

export function envVarSuffix(env: string): string {
  return env.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

/** Every report variable starts with this; the synth's own (GATEHOUSE_ENVS, …) do not. */
export const REPORT_VAR_PREFIX = "GATEHOUSE_REPORT_";
/** The `env` of a problem with a report option (as `(selection)` is for the synth's). */
export const REPORT_OPTIONS = "(report)";
/** A plain decimal number: `Number()` would also take "", " ", "0x1f" and "1e999". */
const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** An assumption's value, or undefined when it is not a finite number >= 0. */
function assumptionValue(raw: string): number | undefined {
  const n = DECIMAL.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}

/**
 * The assumption variables' problems, found before anything runs: a value that is not a number
 * >= 0, for every environment or one (`__<ENV>`), and a `GATEHOUSE_REPORT_*` name the report does
 * not know (a typo would silently keep the default). `known` are the other report variables.
 */
export function assumptionVarProblems(vars: Readonly<Record<string, string | undefined>>, known: readonly string[] = []): Problem[] {
  const problems: Problem[] = [];
  const names = Object.values(ASSUMPTION_VARS);
  for (const [v, raw] of Object.entries(vars).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!v.startsWith(REPORT_VAR_PREFIX) || known.includes(v)) continue;
    const m = /^(.*?)(?:__([A-Z0-9_]+))?$/.exec(v);
    const key = (Object.keys(ASSUMPTION_VARS) as Array<keyof Assumptions>).find((k) => ASSUMPTION_VARS[k] === m?.[1]);
    if (key === undefined) {
      problems.push({ env: REPORT_OPTIONS, path: v, value: raw, message: `is not a report variable; known: ${[...names, ...known].join(", ")}, and each assumption's <name>__<ENV> for one environment` });
      continue;
    }
    if (raw === undefined || raw === "") continue;
    if (assumptionValue(raw) === undefined) problems.push({ env: REPORT_OPTIONS, path: v, value: raw, message: `must be a number >= 0 (${ASSUMPTION_TEXT[key]})` });
  }
  return problems;
}

/** `<VAR>__<ENV>` variables that name none of these environments: probably a misspelt name. */
export function unusedAssumptionOverrides(vars: Readonly<Record<string, string | undefined>>, envs: readonly string[]): string[] {
  const suffixes = new Set(envs.map(envVarSuffix));
  return Object.keys(vars)
    .filter((v) => Object.values(ASSUMPTION_VARS).some((name) => v.startsWith(`${name}__`) && !suffixes.has(v.slice(name.length + 2))))
    .sort();
}

/** Defaults, overridden by `GATEHOUSE_REPORT_*` and then by `GATEHOUSE_REPORT_*__<ENV>`. */
export function assumptionsFor(env: string, vars: Readonly<Record<string, string | undefined>>): Assumptions {
  const out: Record<string, number> = { ...DEFAULT_ASSUMPTIONS };
  for (const [key, name] of Object.entries(ASSUMPTION_VARS)) {
    for (const v of [name, `${name}__${envVarSuffix(env)}`]) {
      const raw = vars[v];
      if (raw === undefined || raw === "") continue;
      const n = assumptionValue(raw);
      if (n === undefined) throw new AssumptionError(`gatehouse report: ${v}=${JSON.stringify(raw)} must be a number >= 0 (${ASSUMPTION_TEXT[key as keyof Assumptions]})`);
      out[key] = n;
    }
  }
  return out as unknown as Assumptions;
}

const cents = (x: number) => Math.round(x * 100);

function line(cloud: "aws" | "gcp", item: string, quantity: number, unit: string, unitPrice: number, region: string, note?: string, estimatedFrom?: string): CostLine {
  return { cloud, item, quantity: Number(quantity.toFixed(4)), unit, unitPrice, monthly: cents(quantity * unitPrice) / 100, region, ...(estimatedFrom ? { estimatedFrom } : {}), ...(note ? { note } : {}) };
}

/** AWS prices for a region: the region's own where the table has them, else the default region's (the line then says it is an estimate from there). */
function awsPrice(prices: Prices, region: string, key: keyof AwsRegionPrices): { price: number; region: string; from?: string } {
  const regions = prices.aws.regions as Record<string, AwsRegionPrices>;
  const own = regions[region]?.[key];
  if (own !== undefined) return { price: own, region };
  const def = prices.aws.defaultRegion;
  return { price: regions[def]?.[key] ?? 0, region, from: def };
}

function regional(cloud: "aws", item: string, quantity: number, unit: string, p: { price: number; region: string; from?: string }, note?: string): CostLine {
  const estimate = p.from ? `estimated from the ${p.from} rate: the price table has no ${p.region} rate for it` : undefined;
  return line(cloud, item, quantity, unit, p.price, p.region, [note, estimate].filter(Boolean).join("; ") || undefined, p.from);
}

/**
 * What other environments of the same report already use of a Google project's allowances: the
 * first five forwarding rules are one charge per project, and the first 100 Certificate Manager
 * certificates are free per project. Environments are taken in report order; the first one in a
 * project pays the base charge, and each later one adds only what goes beyond it.
 */
export interface ProjectShare {
  readonly project: string;
  /** Environments before this one in the project, in order. */
  readonly before: readonly string[];
  readonly forwardingRulesBefore: number;
  readonly certificatesBefore: number;
}

/** Each environment's share of its Google project, for `estimate`, from the models in report order. */
export function projectShares(models: readonly EnvModel[]): Map<string, ProjectShare> {
  const seen = new Map<string, { envs: string[]; rules: number; certs: number }>();
  const out = new Map<string, ProjectShare>();
  for (const m of models) {
    const project = m.gcp?.project;
    if (!m.gcp || !project) continue;
    const had = seen.get(project) ?? { envs: [], rules: 0, certs: 0 };
    out.set(m.env, { project, before: [...had.envs], forwardingRulesBefore: had.rules, certificatesBefore: had.certs });
    seen.set(project, { envs: [...had.envs, m.env], rules: had.rules + m.gcp.forwardingRules, certs: had.certs + m.gcp.certificates.length });
  }
  return out;
}

export function estimate(m: EnvModel, a: Assumptions, prices: Prices = PRICES, share?: ProjectShare): EnvCost {
  const H = prices.hoursPerMonth;
  const requestsPerMonth = a.requestsPerSecond * 3600 * H;
  const lines: CostLine[] = [];
  const ipv4 = prices.aws.publicIpv4AddressHour;

  for (const nlb of m.aws) {
    lines.push(regional("aws", `NLB ${nlb.name}: load balancer hours`, H, "hour", awsPrice(prices, nlb.region, "nlbHour")));
    const tls = nlb.listeners.some((l) => l.protocol === "TLS");
    const d = tls ? prices.aws.nlcu.tls : prices.aws.nlcu.tcp;
    const perHour = Math.max(a.newConnectionsPerSecond / d.newConnectionsPerSecond, a.activeConnections / d.activeConnections, a.gbPerMonth / H / d.gbPerHour);
    const why = `${tls ? "TLS" : "TCP"} dimensions (${tls ? "a TLS listener is present" : "no TLS listener"}): max of ${a.newConnectionsPerSecond}/${d.newConnectionsPerSecond} new conn/s, ${a.activeConnections}/${d.activeConnections} active, ${(a.gbPerMonth / H).toFixed(3)}/${d.gbPerHour} GB/h = ${perHour.toFixed(3)} NLCU`;
    lines.push(regional("aws", `NLB ${nlb.name}: NLCU (data processing)`, perHour * H, "NLCU-hour", awsPrice(prices, nlb.region, "nlcuHour"), why));
    if (nlb.publicIpv4) {
      const n = nlb.publicIpv4;
      const how = `one per availability zone of an internet-facing NLB${nlb.elasticIps.length ? ` (Elastic IPs ${nlb.elasticIps.join(", ")})` : ""}; the same rate in every region`;
      lines.push(line("aws", `NLB ${nlb.name}: ${n} public IPv4 address${n === 1 ? "" : "es"}`, n * H, "address-hour", ipv4, nlb.region, how));
    }
  }
  for (const eip of m.awsExtras.elasticIps) lines.push(line("aws", `Elastic IP ${eip.name}`, H, "address-hour", ipv4, eip.region, "billed whether or not it is attached"));
  for (const api of m.awsExtras.httpApis) lines.push(regional("aws", `API Gateway HTTP API ${api.name}: requests`, requestsPerMonth / 1e6, "million requests", awsPrice(prices, api.region, "apiGatewayHttpPerMillion")));
  for (const api of m.awsExtras.restApis) lines.push(regional("aws", `API Gateway REST API ${api.name}: requests`, requestsPerMonth / 1e6, "million requests", awsPrice(prices, api.region, "apiGatewayRestPerMillion")));
  const services = m.awsExtras.latticeServices.length;
  const latticeRegion = m.awsExtras.latticeServiceNetworks[0]?.region;
  if (latticeRegion !== undefined || services) {
    const region = latticeRegion ?? m.aws[0]?.region ?? prices.aws.defaultRegion;
    const free = awsPrice(prices, region, "latticeFreeRequestsPerHour");
    lines.push(regional("aws", `VPC Lattice: ${services} service${services === 1 ? "" : "s"}`, services * H, "service-hour", awsPrice(prices, region, "latticeServiceHour")));
    lines.push(regional("aws", "VPC Lattice: data processed", services ? a.gbPerMonth : 0, "GB", awsPrice(prices, region, "latticePerGb")));
    const perServiceHour = services ? (a.requestsPerSecond * 3600) / services : 0;
    const billable = services * H * Math.max(0, perServiceHour - free.price);
    lines.push(regional("aws", "VPC Lattice: requests above the free 300k per service-hour", billable / 1e6, "million requests", awsPrice(prices, region, "latticePerMillionRequests"), "traffic split evenly over the services"));
  }
  const r53 = prices.aws.route53;
  for (const hc of m.awsExtras.healthChecks) {
    const aws = hc.awsEndpoint !== false;
    const unit = aws ? r53.healthCheckAwsEndpointMonth + hc.features.length * r53.optionalFeatureAwsEndpointMonth : r53.healthCheckOtherEndpointMonth + hc.features.length * r53.optionalFeatureOtherEndpointMonth;
    const what = hc.awsEndpoint === undefined ? "endpoint not named: priced as an AWS endpoint" : aws ? "AWS endpoint" : "endpoint outside AWS";
    const note = `${hc.type}, ${what}${hc.features.length ? `; optional features: ${hc.features.join(", ")}` : "; no optional features"}${aws ? "; the up to 50 free AWS-endpoint checks of an account are not subtracted" : ""}`;
    lines.push(line("aws", `Route 53 health check ${hc.name}`, 1, "check-month", unit, "global", note));
  }
  for (const zone of m.awsExtras.hostedZones) lines.push(line("aws", `Route 53 hosted zone ${zone}`, 1, "zone-month", r53.hostedZoneMonth, "global", "records are included (up to 10,000 a zone)"));
  for (const n of m.awsExtras.dnsNames) {
    if (n.aliasOnly) continue;
    const price = n.policy === "latency" ? r53.latencyQueriesPerMillion : n.policy === "geo" ? r53.geoQueriesPerMillion : r53.standardQueriesPerMillion;
    lines.push(line("aws", `Route 53 queries for ${n.name}`, (a.dnsQueriesPerSecond * 3600 * H) / 1e6, "million queries", price, "global", `${n.policy} queries; a name whose records are all aliases to AWS resources is answered free`));
  }

  const g = m.gcp;
  if (g) {
    const gp = prices.gcp;
    const reg = "global";
    const before = share?.forwardingRulesBefore ?? 0;
    const project = share?.project ?? g.project;
    if (g.forwardingRules) {
      if (before === 0) lines.push(line("gcp", `forwarding rules: first ${gp.forwardingRulesIncluded} (${Math.min(g.forwardingRules, gp.forwardingRulesIncluded)} used)`, H, "hour", gp.forwardingRulesBaseHour, reg, project ? `one charge per project (${project})` : undefined));
      else lines.push(line("gcp", `forwarding rules: first ${gp.forwardingRulesIncluded} of project ${project}`, 0, "hour", gp.forwardingRulesBaseHour, reg, `charged once per project, with ${share?.before.join(", ")}; ${before} rule${before === 1 ? "" : "s"} there before these`));
      const extra = Math.max(0, before + g.forwardingRules - gp.forwardingRulesIncluded) - Math.max(0, before - gp.forwardingRulesIncluded);
      if (extra) lines.push(line("gcp", `forwarding rules: ${extra} beyond the first ${gp.forwardingRulesIncluded}`, extra * H, "rule-hour", gp.forwardingRuleExtraHour, reg, before ? `counted with the ${before} rules of ${share?.before.join(", ")} in project ${project}` : undefined));
      lines.push(line("gcp", "load balancer data processing", a.gbPerMonth, "GB", gp.dataProcessedPerGb, reg));
    }
    const certs = g.certificates.length;
    if (certs) {
      const freeLeft = Math.max(0, gp.certificatesFree - (share?.certificatesBefore ?? 0));
      lines.push(line("gcp", `Certificate Manager: ${certs} certificate${certs === 1 ? "" : "s"}`, Math.max(0, certs - freeLeft), "certificate-month", gp.certificateMonth, reg, `the first ${gp.certificatesFree} certificates of a project are free${share?.certificatesBefore ? ` (${share.certificatesBefore} used by ${share.before.join(", ")})` : ""}`));
    }
    for (const p of g.securityPolicies) {
      const rules = p.rules ?? a.cloudArmorRules;
      const what = `Cloud Armor ${p.edge ? "edge " : ""}policy ${p.name}`;
      const edgeNote = p.edge ? "an edge security policy, priced at the Cloud Armor Standard policy, rule and request rates" : undefined;
      lines.push(line("gcp", what, 1, "policy-month", gp.cloudArmorPolicyMonth, reg, edgeNote));
      lines.push(line("gcp", `${what}: ${rules} rules`, rules, "rule-month", gp.cloudArmorRuleMonth, reg, p.rules === undefined ? "rule count assumed (the policy is only referenced by name)" : undefined));
      lines.push(line("gcp", `${what}: requests`, requestsPerMonth / 1e6, "million requests", gp.cloudArmorPerMillionRequests, reg));
    }
  }
  return { env: m.env, assumptions: a, lines, total: lines.reduce((s, l) => s + cents(l.monthly), 0) / 100 };
}

const money = (x: number) => `$${x.toFixed(2)}`;
/** A unit price: at least two decimals, as many as the table has. */
export const unitPrice = (x: number) => `$${x < 0.01 || !Number.isInteger(x * 100) ? String(x) : x.toFixed(2)}`;
const cell = (s: string) => s.replace(/\|/g, "\\|");
/** The region column: the item's region, and the rate's region when the line is an estimate from another. */
export const regionCell = (l: CostLine) => (l.estimatedFrom ? `${l.region} (estimated from ${l.estimatedFrom})` : l.region);

/** The estimate as a Markdown table with its assumptions and price-table date. */
export function toMarkdown(c: EnvCost, prices: Prices = PRICES): string {
  const rows = c.lines.map((l) => `| ${l.cloud.toUpperCase()} | ${cell(l.item)} | ${Number(l.quantity.toFixed(2)).toLocaleString("en-US")} ${l.unit} | ${unitPrice(l.unitPrice)} | ${regionCell(l)} | ${money(l.monthly)} |`);
  const notes = c.lines.filter((l) => l.note).map((l) => `- ${cell(l.item)}: ${l.note}`);
  const assumptions = (Object.keys(ASSUMPTION_VARS) as Array<keyof Assumptions>).map((k) => `${ASSUMPTION_TEXT[k]}: **${c.assumptions[k]}** (\`${ASSUMPTION_VARS[k]}\`)`);
  return [
    `### ${c.env}: estimated ${money(c.total)} per month`,
    "",
    "| cloud | item | quantity | unit price | region | monthly |",
    "| --- | --- | ---: | ---: | --- | ---: |",
    ...(rows.length ? rows : ["| | nothing priced | | | | $0.00 |"]),
    `| | **total** | | | | **${money(c.total)}** |`,
    "",
    `Assumptions: ${assumptions.join("; ")}.`,
    "",
    `Prices: list prices checked ${prices.checked} (${prices.currency}, ${prices.hoursPerMonth} hours a month). ${prices.note}`,
    "",
    `Sources: ${[...Object.entries(prices.aws.sources), ...Object.entries(prices.gcp.sources)].map(([k, u]) => `[${k}](${u})`).join(", ")}.`,
    ...(notes.length ? ["", ...notes] : []),
    "",
  ].join("\n");
}
