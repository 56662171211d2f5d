/**
 * The operators' view of a synthesized output directory: per environment the traffic path as
 * an SVG (real Graphviz, compiled to WebAssembly) and a cost estimate, plus one page with all
 * of them. Everything is read from the stacks' Terraform JSON.
 */
import { instance } from "@viz-js/viz";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assumptionsFor, estimate, toMarkdown, type EnvCost } from "./costs";
import { toDot } from "./dot";
import { toHtml } from "./html";
import { buildModel, type EnvModel } from "./model";
import PRICES from "./prices.json";
import { groupByEnv, readStacks } from "./stacks";

export interface EnvReport {
  readonly env: string;
  readonly model: EnvModel;
  readonly dot: string;
  readonly svg: string;
  readonly cost: EnvCost;
  readonly markdown: string;
}

export interface Report {
  readonly dir: string;
  readonly envs: readonly EnvReport[];
  readonly html: string;
}

type Render = (dot: string) => string;

let renderer: Promise<Render> | undefined;

/** Graphviz in WebAssembly, loaded once per process (the load is the main cost). */
export function graphviz(): Promise<Render> {
  renderer ??= instance().then((viz) => (dot: string) => viz.renderString(dot, { format: "svg", engine: "dot" }));
  return renderer;
}

/**
 * Monthly totals per environment from another report's costs.json (the base branch's, in CI),
 * named by `GATEHOUSE_REPORT_BASE`. A file that is missing or unreadable gives none: the base
 * branch may predate the report.
 */
export function baseTotals(file: string | undefined): Map<string, number> | undefined {
  if (!file) return undefined;
  try {
    const doc = JSON.parse(readFileSync(file, "utf8")) as { envs?: Record<string, { total?: unknown }> };
    return new Map(Object.entries(doc.envs ?? {}).flatMap(([env, c]) => (typeof c.total === "number" ? [[env, c.total] as [string, number]] : [])));
  } catch {
    return new Map();
  }
}

/** A line for the cost table: the change against the base branch's estimate. */
export function changeAgainstBase(env: string, cost: EnvCost, base: Map<string, number> | undefined): string {
  if (!base) return "";
  const before = base.get(env);
  if (before === undefined) return `\nChange against the base branch: new environment (+$${cost.total.toFixed(2)} per month).\n`;
  const delta = cost.total - before;
  const sign = delta > 0 ? "+" : delta < 0 ? "-" : "±";
  return `\nChange against the base branch: ${sign}$${Math.abs(delta).toFixed(2)} per month (base $${before.toFixed(2)}).\n`;
}

/**
 * Writes `<outdir>/report/`: `<env>.svg`, `<env>.md`, `costs.json` and `index.html`. The
 * directory is built beside its final place and renamed in, so it is never half written.
 */
export async function generateReport(outdir: string, vars: Readonly<Record<string, string | undefined>> = process.env, extra: Record<string, string> = {}): Promise<Report> {
  const render = await graphviz();
  const base = baseTotals(vars.GATEHOUSE_REPORT_BASE);
  const envs = groupByEnv(readStacks(outdir)).map((e): EnvReport => {
    const model = buildModel(e);
    const dot = toDot(model);
    const cost = estimate(model, assumptionsFor(e.env, vars));
    return { env: e.env, model, dot, svg: render(dot), cost, markdown: toMarkdown(cost) + changeAgainstBase(e.env, cost, base) };
  });
  const html = toHtml(envs, PRICES, `${envs.length} environment${envs.length === 1 ? "" : "s"}`);
  const dir = join(outdir, "report");
  const staging = join(outdir, `.report.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const e of envs) {
    writeFileSync(join(staging, `${e.env}.svg`), e.svg);
    writeFileSync(join(staging, `${e.env}.md`), e.markdown);
  }
  const costs = {
    prices: { checked: PRICES.checked, currency: PRICES.currency, hoursPerMonth: PRICES.hoursPerMonth, awsSources: PRICES.aws.sources, gcpSources: PRICES.gcp.sources },
    envs: Object.fromEntries(envs.map((e) => [e.env, e.cost])),
  };
  writeFileSync(join(staging, "costs.json"), `${JSON.stringify(costs, null, 2)}\n`);
  writeFileSync(join(staging, "index.html"), html);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(staging, name), text);
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return { dir, envs, html };
}
