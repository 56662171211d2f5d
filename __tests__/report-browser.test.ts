/**
 * The report page in a real browser: Debian's headless Chromium (driven by playwright-core)
 * loads index.html at 1400 × 900 and checks that nothing is cut off, that every environment's
 * picture and cost table render, that pan and zoom work, and that the page asks for nothing
 * outside itself. CI installs Chromium (.ci/run); where it is not installed the suite is
 * skipped and says why.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { generateReport, type Report } from "../scripts/report/index";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const WIDTH = 1400;
const root = join(__dirname, "..");
/** A shared 2-core CI machine runs other suites beside this one: give each step room. */
const STEP = 30_000;

const suite = HAVE_CHROMIUM ? describe : describe.skip;
const why = HAVE_CHROMIUM ? "" : ` (skipped: no Chromium at ${CHROMIUM}; install Debian's chromium package, as .ci/run does, to run it)`;

interface Rect {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly width: number;
}

interface Shown {
  readonly box?: Rect;
  readonly nodes: readonly Rect[];
  readonly rows: number;
  readonly total: string;
}

/** What one environment's section shows: its picture's box, each drawn node's box, the cost rows and total. */
const SHOWN = `(env) => {
  const rect = (r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width });
  const section = document.getElementById("env-" + env);
  const svg = section && section.querySelector(".picture svg");
  return {
    box: svg ? rect(svg.getBoundingClientRect()) : undefined,
    nodes: svg ? [...svg.querySelectorAll("g.node")].map((n) => rect(n.getBoundingClientRect())) : [],
    rows: section ? section.querySelectorAll("table.costs tbody tr").length : 0,
    total: (section && section.querySelector("table.costs tfoot th.n") || {}).textContent || "",
  };
}`;

suite(`the report page in headless Chromium at ${WIDTH} px${why}`, () => {
  let out: string;
  let report: Report;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    out = join(mkdtempSync(join(tmpdir(), "gatehouse-report-browser-")), "cdktf.out");
    const files = ["api-gateway", "eks", "gke", "istio", "lattice", "nginx-gateway-fabric"].map((f) => `envs/examples/${f}.yaml`).join(",");
    const synth = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: files, GATEHOUSE_ENVS: "" } });
    expect(synth.stdout).toContain("synthesized");
    report = await generateReport(out, {});
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    page.on("request", (r) => requests.push(r.url()));
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
    await page.goto(`file://${join(report.dir, "index.html")}`, { waitUntil: "load" });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (out) rmSync(join(out, ".."), { recursive: true, force: true });
  });

  it("loads with no script error and asks for nothing outside the page", () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${join(report.dir, "index.html")}`]);
  }, STEP);

  it("cuts nothing off: no horizontal scrolling, every picture and table inside the window", async () => {
    // Browser-side code is a string: the tests compile without the DOM library.
    const layout = await page.evaluate<{ scroll: number; client: number; pictures: number[]; tables: number[] }>(`({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
      pictures: [...document.querySelectorAll(".picture svg")].map((s) => s.getBoundingClientRect().right),
      tables: [...document.querySelectorAll("table")].map((t) => t.getBoundingClientRect().right),
    })`);
    expect(layout.scroll).toBeLessThanOrEqual(layout.client);
    expect(layout.pictures).toHaveLength(report.envs.length);
    for (const right of [...layout.pictures, ...layout.tables]) expect(right).toBeLessThanOrEqual(layout.client);
  }, STEP);

  it("renders every environment's picture whole, scaled to the page, and its cost table with the total", async () => {
    for (const e of report.envs) {
      const shown = await page.evaluate<Shown>(`(${SHOWN})(${JSON.stringify(e.env)})`);
      expect(shown.box?.width).toBeGreaterThan(300);
      expect(shown.nodes.length).toBe((e.svg.match(/class="node"/g) ?? []).length);
      for (const n of shown.nodes) {
        expect(n.width).toBeGreaterThan(0);
        expect(n.left).toBeGreaterThanOrEqual((shown.box?.left ?? 0) - 1);
        expect(n.right).toBeLessThanOrEqual((shown.box?.right ?? 0) + 1);
        expect(n.top).toBeGreaterThanOrEqual((shown.box?.top ?? 0) - 1);
        expect(n.bottom).toBeLessThanOrEqual((shown.box?.bottom ?? 0) + 1);
      }
      expect(shown.rows).toBe(Math.max(1, e.cost.lines.length));
      expect(shown.total).toBe(`$${e.cost.total.toFixed(2)}`);
    }
  }, STEP);

  it("zooms in and back to fit with the buttons", async () => {
    const viewBox = () => page.locator("#env-prod .picture svg").getAttribute("viewBox");
    const fit = await viewBox();
    await page.locator('#env-prod button[data-zoom="1.25"]').click();
    const zoomed = (await viewBox())?.split(" ").map(Number) ?? [];
    expect(zoomed[2]).toBeCloseTo(Number(fit?.split(" ")[2]) / 1.25, 1);
    await page.locator('#env-prod button[data-zoom="fit"]').click();
    expect((await viewBox())?.split(" ").map(Number)).toEqual(fit?.split(" ").map(Number));
  }, STEP);

  it("takes a full-page screenshot", async () => {
    const file = join(out, "..", "report.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(50_000);
  }, STEP);
});

if (!HAVE_CHROMIUM) {
  // Jest prints skipped suites by name; say it on stderr too, for runs that only show counts.
  process.stderr.write(`report-browser.test.ts: skipped: no Chromium at ${CHROMIUM} (install Debian's chromium package, as .ci/run does)\n`);
}
