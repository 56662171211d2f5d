/**
 * The operators' view of a synthesized output directory: per environment the traffic path as
 * an SVG (real Graphviz, compiled to WebAssembly) and a cost estimate, plus one page with all
 * of them. Everything is read from the stacks' Terraform JSON.
 */
import { instance } from "@viz-js/viz";
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, describeError, type Problem } from "../../modules/core/errors";
import { readBoundedText } from "../../modules/core/read-file";
import { assumptionsFor, assumptionVarProblems, estimate, projectShares, REPORT_OPTIONS, toMarkdown, type EnvCost } from "./costs";
import { toDrawing, withTooltips } from "./dot";
import { toHtml } from "./html";
import { buildModel, type EnvModel } from "./model";
import PRICES from "./prices.json";
import { groupByEnv, orderEnvs, readStacks } from "./stacks";

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

/** The variable naming the base branch's costs.json. */
export const BASE_VARIABLE = "GATEHOUSE_REPORT_BASE";
/** A costs.json holds a few KiB per environment; a file this large is not one. */
export const BASE_FILE_MAX_BYTES = 8 * 1024 * 1024;
const BASE_EXPECTED = "name the costs.json another report wrote (its report/costs.json)";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Monthly totals per environment from another report's costs.json (the base branch's, in CI),
 * named by `GATEHOUSE_REPORT_BASE`. A file that does not exist gives none (the base branch may
 * predate the report, or its report may have failed): every environment is then new. Anything
 * else that is not such a file is refused with a ConfigError naming the variable and the file:
 * not a regular file (/dev/zero, a FIFO, a directory), over BASE_FILE_MAX_BYTES, unreadable, not
 * JSON, or JSON without a number `total` for each environment under `envs`.
 */
export function baseTotals(file: string | undefined): Map<string, number> | undefined {
  if (!file) return undefined;
  const refuse = (message: string) => new ConfigError([{ env: REPORT_OPTIONS, file, path: BASE_VARIABLE, value: file, message }]);
  const read = readBoundedText(file, { maxBytes: BASE_FILE_MAX_BYTES, what: "costs.json files", expected: BASE_EXPECTED });
  if ("error" in read) {
    if (read.missing) return new Map();
    throw refuse(read.error);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(read.text);
  } catch (e) {
    throw refuse(`is not JSON (${describeError(e)}); ${BASE_EXPECTED}`);
  }
  const envs = isObject(doc) ? doc.envs : undefined;
  if (!isObject(envs)) throw refuse(`has no "envs" object; ${BASE_EXPECTED}`);
  const totals = new Map<string, number>();
  for (const [env, cost] of Object.entries(envs)) {
    const total = isObject(cost) ? cost.total : undefined;
    if (typeof total !== "number" || !Number.isFinite(total)) throw refuse(`envs.${env}.total is ${total === undefined ? "missing" : JSON.stringify(total)}, not a number of dollars; ${BASE_EXPECTED}`);
    totals.set(env, total);
  }
  return totals;
}

/** What the report takes from the process environment, checked. */
export interface ReportOptions {
  /** The base branch's totals, when GATEHOUSE_REPORT_BASE names a file. */
  readonly base?: Map<string, number>;
}

/**
 * Every report option, checked before anything is synthesized or written: the assumption
 * variables and GATEHOUSE_REPORT_BASE (its file read and parsed here, once). Throws one
 * ConfigError listing every problem, each naming the variable, the value and what is accepted.
 */
export function reportOptions(vars: Readonly<Record<string, string | undefined>>): ReportOptions {
  const problems: Problem[] = assumptionVarProblems(vars, [BASE_VARIABLE]);
  let base: Map<string, number> | undefined;
  try {
    base = baseTotals(vars[BASE_VARIABLE]);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems.push(...e.problems);
  }
  if (problems.length) throw new ConfigError(problems);
  return { base };
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
export async function generateReport(
  outdir: string,
  vars: Readonly<Record<string, string | undefined>> = process.env,
  extra: Record<string, string> = {},
  options: ReportOptions = reportOptions(vars),
): Promise<Report> {
  const render = await graphviz();
  const base = options.base;
  const models = orderEnvs(groupByEnv(readStacks(outdir))).map(buildModel);
  const shares = projectShares(models);
  const envs = models.map((model): EnvReport => {
    const drawing = toDrawing(model);
    const cost = estimate(model, assumptionsFor(model.env, vars), PRICES, shares.get(model.env));
    return { env: model.env, model, dot: drawing.dot, svg: withTooltips(render(drawing.dot), drawing.tooltips), cost, markdown: toMarkdown(cost) + changeAgainstBase(model.env, cost, base) };
  });
  const html = toHtml(
    envs.map((e) => ({ ...e, graph: e.model.graph })),
    PRICES,
    `${envs.length} environment${envs.length === 1 ? "" : "s"}`,
  );
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
