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
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  requestsPerSecond: 50,
  gbPerMonth: 500,
  newConnectionsPerSecond: 10,
  activeConnections: 1000,
  cloudArmorRules: 5,
};

/** The variable each assumption is read from; `<VAR>__<ENV>` (env upper-cased, `-` → `_`) overrides it for one environment. */
export const ASSUMPTION_VARS: Record<keyof Assumptions, string> = {
  requestsPerSecond: "GATEHOUSE_REPORT_RPS",
  gbPerMonth: "GATEHOUSE_REPORT_GB_PER_MONTH",
  newConnectionsPerSecond: "GATEHOUSE_REPORT_NEW_CONNECTIONS_PER_S",
  activeConnections: "GATEHOUSE_REPORT_ACTIVE_CONNECTIONS",
  cloudArmorRules: "GATEHOUSE_REPORT_ARMOR_RULES",
};

export const ASSUMPTION_TEXT: Record<keyof Assumptions, string> = {
  requestsPerSecond: "requests per second (average, each front door)",
  gbPerMonth: "GB processed per month (each load balancer)",
  newConnectionsPerSecond: "new connections per second at the NLB",
  activeConnections: "concurrent connections at the NLB",
  cloudArmorRules: "rules per Cloud Armor policy named by the stacks",
};

export interface CostLine {
  readonly cloud: "aws" | "gcp";
  readonly item: string;
  readonly quantity: number;
  readonly unit: string;
  readonly unitPrice: number;
  readonly monthly: number;
  readonly region: string;
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

function line(cloud: "aws" | "gcp", item: string, quantity: number, unit: string, unitPrice: number, region: string, note?: string): CostLine {
  return { cloud, item, quantity: Number(quantity.toFixed(4)), unit, unitPrice, monthly: cents(quantity * unitPrice) / 100, region, ...(note ? { note } : {}) };
}

/** AWS prices for a region: the region's own where the table has them, else the default region's, said so in the note. */
function awsPrice(prices: Prices, region: string, key: keyof AwsRegionPrices): { price: number; region: string; fallback: boolean } {
  const regions = prices.aws.regions as Record<string, AwsRegionPrices>;
  const own = regions[region]?.[key];
  if (own !== undefined) return { price: own, region, fallback: false };
  const def = prices.aws.defaultRegion;
  return { price: regions[def]?.[key] ?? 0, region: def, fallback: true };
}

function fallbackNote(p: { region: string; fallback: boolean }, wanted: string): string | undefined {
  return p.fallback ? `no ${wanted} price in the table: ${p.region} rate used` : undefined;
}

export function estimate(m: EnvModel, a: Assumptions, prices: Prices = PRICES): EnvCost {
  const H = prices.hoursPerMonth;
  const requestsPerMonth = a.requestsPerSecond * 3600 * H;
  const lines: CostLine[] = [];

  for (const nlb of m.aws) {
    const hour = awsPrice(prices, nlb.region, "nlbHour");
    lines.push(line("aws", `NLB ${nlb.name}: load balancer hours`, H, "hour", hour.price, hour.region, fallbackNote(hour, nlb.region)));
    const tls = nlb.listeners.some((l) => l.protocol === "TLS");
    const d = tls ? prices.aws.nlcu.tls : prices.aws.nlcu.tcp;
    const perHour = Math.max(a.newConnectionsPerSecond / d.newConnectionsPerSecond, a.activeConnections / d.activeConnections, a.gbPerMonth / H / d.gbPerHour);
    const nlcu = awsPrice(prices, nlb.region, "nlcuHour");
    const why = `${tls ? "TLS" : "TCP"} dimensions (${tls ? "a TLS listener is present" : "no TLS listener"}): max of ${a.newConnectionsPerSecond}/${d.newConnectionsPerSecond} new conn/s, ${a.activeConnections}/${d.activeConnections} active, ${(a.gbPerMonth / H).toFixed(3)}/${d.gbPerHour} GB/h = ${perHour.toFixed(3)} NLCU`;
    lines.push(line("aws", `NLB ${nlb.name}: NLCU (data processing)`, perHour * H, "NLCU-hour", nlcu.price, nlcu.region, [why, fallbackNote(nlcu, nlb.region)].filter(Boolean).join("; ")));
  }
  const region = m.aws[0]?.region ?? prices.aws.defaultRegion;
  for (const api of m.awsExtras.httpApis) {
    const p = awsPrice(prices, region, "apiGatewayHttpPerMillion");
    lines.push(line("aws", `API Gateway HTTP API ${api}: requests`, requestsPerMonth / 1e6, "million requests", p.price, p.region, fallbackNote(p, region)));
  }
  for (const api of m.awsExtras.restApis) {
    const p = awsPrice(prices, region, "apiGatewayRestPerMillion");
    lines.push(line("aws", `API Gateway REST API ${api}: requests`, requestsPerMonth / 1e6, "million requests", p.price, p.region, fallbackNote(p, region)));
  }
  const services = m.awsExtras.latticeServices.length;
  if (m.awsExtras.latticeServiceNetworks.length || services) {
    const sh = awsPrice(prices, region, "latticeServiceHour");
    const gb = awsPrice(prices, region, "latticePerGb");
    const rq = awsPrice(prices, region, "latticePerMillionRequests");
    const free = awsPrice(prices, region, "latticeFreeRequestsPerHour");
    lines.push(line("aws", `VPC Lattice: ${services} service${services === 1 ? "" : "s"}`, services * H, "service-hour", sh.price, sh.region, fallbackNote(sh, region)));
    lines.push(line("aws", "VPC Lattice: data processed", services ? a.gbPerMonth : 0, "GB", gb.price, gb.region, fallbackNote(gb, region)));
    const perServiceHour = services ? (a.requestsPerSecond * 3600) / services : 0;
    const billable = services * H * Math.max(0, perServiceHour - free.price);
    lines.push(line("aws", "VPC Lattice: requests above the free 300k per service-hour", billable / 1e6, "million requests", rq.price, rq.region, `traffic split evenly over the services${fallbackNote(rq, region) ? `; ${fallbackNote(rq, region)}` : ""}`));
  }

  const g = m.gcp;
  if (g) {
    const gp = prices.gcp;
    const reg = "global";
    if (g.forwardingRules) {
      lines.push(line("gcp", `forwarding rules: first ${gp.forwardingRulesIncluded} (${Math.min(g.forwardingRules, gp.forwardingRulesIncluded)} used)`, H, "hour", gp.forwardingRulesBaseHour, reg));
      const extra = Math.max(0, g.forwardingRules - gp.forwardingRulesIncluded);
      if (extra) lines.push(line("gcp", `forwarding rules: ${extra} beyond the first ${gp.forwardingRulesIncluded}`, extra * H, "rule-hour", gp.forwardingRuleExtraHour, reg));
      lines.push(line("gcp", "load balancer data processing", a.gbPerMonth, "GB", gp.dataProcessedPerGb, reg));
    }
    const certs = g.certificates.length;
    if (certs)
      lines.push(line("gcp", `Certificate Manager: ${certs} certificate${certs === 1 ? "" : "s"}`, Math.max(0, certs - gp.certificatesFree), "certificate-month", gp.certificateMonth, reg, `the first ${gp.certificatesFree} certificates of a project are free`));
    for (const p of g.securityPolicies) {
      const rules = p.rules ?? a.cloudArmorRules;
      lines.push(line("gcp", `Cloud Armor policy ${p.name}`, 1, "policy-month", gp.cloudArmorPolicyMonth, reg));
      lines.push(line("gcp", `Cloud Armor policy ${p.name}: ${rules} rules`, rules, "rule-month", gp.cloudArmorRuleMonth, reg, p.rules === undefined ? "rule count assumed (the policy is only referenced by name)" : undefined));
      lines.push(line("gcp", `Cloud Armor policy ${p.name}: requests`, requestsPerMonth / 1e6, "million requests", gp.cloudArmorPerMillionRequests, reg));
    }
  }
  return { env: m.env, assumptions: a, lines, total: lines.reduce((s, l) => s + cents(l.monthly), 0) / 100 };
}

const money = (x: number) => `$${x.toFixed(2)}`;
/** A unit price: at least two decimals, as many as the table has. */
export const unitPrice = (x: number) => `$${x < 0.01 || !Number.isInteger(x * 100) ? String(x) : x.toFixed(2)}`;
const cell = (s: string) => s.replace(/\|/g, "\\|");

/** The estimate as a Markdown table with its assumptions and price-table date. */
export function toMarkdown(c: EnvCost, prices: Prices = PRICES): string {
  const rows = c.lines.map((l) => `| ${l.cloud.toUpperCase()} | ${cell(l.item)} | ${Number(l.quantity.toFixed(2)).toLocaleString("en-US")} ${l.unit} | ${unitPrice(l.unitPrice)} | ${l.region} | ${money(l.monthly)} |`);
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
    ...(notes.length ? ["", ...notes] : []),
    "",
  ].join("\n");
}
