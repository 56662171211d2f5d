/**
 * The report page: one self-contained HTML file (inline styles, inline SVGs, one inline script
 * for pan and zoom, no external assets), readable offline and attachable anywhere. Each picture
 * is scaled to the page width; the script lets a reader zoom (buttons, Ctrl + wheel, double
 * click) and drag. Below each picture: the hops with the references they were read from, and the
 * cost table. The only links leaving the page are the price sources.
 */
import { ASSUMPTION_TEXT, ASSUMPTION_VARS, regionCell, unitPrice, type Assumptions, type EnvCost, type Prices } from "./costs";
import type { TrafficGraph } from "./paths";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const money = (x: number) => `$${x.toFixed(2)}`;

/** Graphviz's SVG without the XML declaration, DOCTYPE and comments, scaled to its container, ready to inline in HTML. */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>\s*/, "")
    .replace(/<!DOCTYPE[^>]*>\s*/, "")
    .replace(/<!--[\s\S]*?-->\s*/g, "")
    .replace(/<svg width="([\d.]+)pt" height="([\d.]+)pt"/, (_all, w: string, h: string) => `<svg class="paths" data-width="${w}" data-height="${h}" width="${w}pt" height="${h}pt"`)
    .trim();
}

function costTable(c: EnvCost): string {
  const rows = c.lines
    .map(
      (l) =>
        `<tr${l.estimatedFrom ? ' class="estimated"' : ""}><td>${l.cloud.toUpperCase()}</td><td>${esc(l.item)}${l.note ? `<div class="note">${esc(l.note)}</div>` : ""}</td><td class="n">${Number(l.quantity.toFixed(2)).toLocaleString("en-US")} ${esc(l.unit)}</td><td class="n">${unitPrice(l.unitPrice)}</td><td>${esc(regionCell(l))}</td><td class="n">${money(l.monthly)}</td></tr>`,
    )
    .join("\n");
  const assumptions = (Object.keys(ASSUMPTION_VARS) as Array<keyof Assumptions>).map((k) => `<li>${esc(ASSUMPTION_TEXT[k])}: <b>${c.assumptions[k]}</b> <code>${ASSUMPTION_VARS[k]}</code></li>`).join("");
  return `<table class="costs">
<thead><tr><th>cloud</th><th>item</th><th>quantity</th><th>unit price</th><th>region</th><th>monthly</th></tr></thead>
<tbody>
${rows || '<tr><td></td><td>nothing priced</td><td></td><td></td><td></td><td class="n">$0.00</td></tr>'}
</tbody>
<tfoot><tr><td></td><th>total</th><td></td><td></td><td></td><th class="n">${money(c.total)}</th></tr></tfoot>
</table>
<details><summary>assumptions</summary><ul>${assumptions}</ul></details>`;
}

/** Every hop of the graph with the references in the stacks it stands on. */
function hopsTable(g: TrafficGraph): string {
  const hops = new Map(g.hops.map((h) => [h.id, h]));
  const name = (id: string) => {
    const h = hops.get(id);
    return `${esc(h?.title ?? id)}${h?.name ? `<div class="note">${esc(h.name)}</div>` : ""}`;
  };
  const rows = g.links
    .map((l) => {
      const refs = l.via.map((r) => `<code>${esc(r.stack)}: ${esc(r.address)}.${esc(r.path.join("."))}</code> = ${esc(r.value)}`).join("<br>");
      const admits = l.admits.length ? `<div class="note">${l.admits.map(esc).join("<br>")}</div>` : "";
      return `<tr><td>${name(l.from)}</td><td>${name(l.to)}</td><td>${esc(l.kind)}${l.label ? `: ${esc(l.label).replace(/\n/g, "<br>")}` : ""}${l.direct ? " (pod IPs, no kube-proxy)" : ""}${admits}</td><td class="refs">${refs}</td></tr>`;
    })
    .join("\n");
  return `<details class="hops"><summary>${g.links.length} hops and the references they are read from</summary>
<table><colgroup><col class="end"><col class="end"><col class="how"><col class="refs"></colgroup><thead><tr><th>from</th><th>to</th><th>how</th><th>read from</th></tr></thead><tbody>
${rows}
</tbody></table></details>`;
}

/** Pan and zoom for every picture: buttons, Ctrl + wheel, double click, drag. No external code. */
const SCRIPT = `(function () {
  document.querySelectorAll(".picture").forEach(function (box) {
    var svg = box.querySelector("svg");
    if (!svg) return;
    var base = svg.viewBox.baseVal;
    var home = { x: base.x, y: base.y, w: base.width, h: base.height };
    var view = { x: home.x, y: home.y, w: home.w, h: home.h };
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "100%";
    svg.style.maxWidth = (home.w * 4 / 3) + "px";
    function apply() { svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
    function zoom(f, cx, cy) {
      var w = Math.min(home.w * 2, Math.max(home.w / 12, view.w / f));
      var h = w * home.h / home.w;
      cx = cx === undefined ? view.x + view.w / 2 : cx;
      cy = cy === undefined ? view.y + view.h / 2 : cy;
      view.x = cx - (cx - view.x) * w / view.w;
      view.y = cy - (cy - view.y) * h / view.h;
      view.w = w; view.h = h;
      apply();
    }
    function point(e) {
      var r = svg.getBoundingClientRect();
      return { x: view.x + (e.clientX - r.left) / r.width * view.w, y: view.y + (e.clientY - r.top) / r.height * view.h };
    }
    box.querySelectorAll("button[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        if (z === "fit") { view = { x: home.x, y: home.y, w: home.w, h: home.h }; apply(); } else zoom(Number(z));
      });
    });
    svg.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      var p = point(e);
      zoom(e.deltaY < 0 ? 1.2 : 1 / 1.2, p.x, p.y);
    }, { passive: false });
    svg.addEventListener("dblclick", function (e) { var p = point(e); zoom(1.6, p.x, p.y); });
    var drag = null;
    svg.addEventListener("pointerdown", function (e) { drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y }; svg.setPointerCapture(e.pointerId); });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      view.x = drag.vx - (e.clientX - drag.x) / r.width * view.w;
      view.y = drag.vy - (e.clientY - drag.y) / r.height * view.h;
      apply();
    });
    svg.addEventListener("pointerup", function () { drag = null; });
  });
})();`;

export interface PageEnv {
  readonly env: string;
  readonly svg: string;
  readonly cost: EnvCost;
  readonly graph: TrafficGraph;
}

export function toHtml(envs: readonly PageEnv[], prices: Prices, generated: string): string {
  const sources = [...Object.entries(prices.aws.sources), ...Object.entries(prices.gcp.sources)].map(([k, u]) => `<li>${esc(k)}: <a href="${esc(u)}" rel="noreferrer">${esc(u)}</a></li>`).join("");
  const toc = envs.map((e) => `<li><a href="#env-${esc(e.env)}">${esc(e.env)}</a> — ${money(e.cost.total)}/month</li>`).join("");
  const sections = envs
    .map(
      (e) => `<section id="env-${esc(e.env)}">
<h2>${esc(e.env)}</h2>
<div class="picture">
<div class="tools"><button type="button" data-zoom="1.25" title="zoom in">+</button><button type="button" data-zoom="0.8" title="zoom out">−</button><button type="button" data-zoom="fit" title="fit the page">fit</button><span>drag to move · Ctrl + wheel or double click to zoom · hover for details</span></div>
${inlineSvg(e.svg)}
</div>
${hopsTable(e.graph)}
<h3>Estimated monthly cost: ${money(e.cost.total)}</h3>
${costTable(e.cost)}
</section>`,
    )
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gatehouse: traffic paths and costs</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 1.5rem; color: #222; max-width: 1400px; }
h1 { margin-top: 0; }
section { border-top: 1px solid #ddd; padding-top: 1rem; margin-top: 2rem; }
.picture { border: 1px solid #e0e0e0; border-radius: 4px; padding: .25rem; overflow: hidden; }
.picture svg { display: block; max-width: 100%; height: auto; max-height: 80vh; margin: 0 auto; cursor: grab; touch-action: none; }
.tools { display: flex; gap: .25rem; align-items: center; font-size: 12px; color: #666; margin-bottom: .25rem; }
.tools button { min-width: 2rem; }
table { border-collapse: collapse; margin: .5rem 0; max-width: 100%; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { white-space: nowrap; }
.hops td { overflow-wrap: anywhere; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.estimated td { background: #fffde7; }
.note { color: #666; font-size: 12px; }
.hops table { font-size: 12px; width: 100%; table-layout: fixed; }
.hops col.end { width: 17%; }
.hops col.how { width: 20%; }
.hops col.refs { width: 46%; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>gatehouse: traffic paths and costs</h1>
<p>Derived from the synthesized stacks (${esc(generated)}); every edge stands on a reference in them, listed under each picture. Prices: list prices checked ${esc(prices.checked)}, ${esc(prices.currency)}, ${prices.hoursPerMonth} hours a month. ${esc(prices.note)} Lines on a yellow ground are estimated from another region's rate. ${esc(prices.aws.unchecked)}</p>
<ul>${toc}</ul>
${sections}
<section>
<h2>Price sources</h2>
<ul>${sources}</ul>
</section>
<script>
${SCRIPT}
</script>
</body>
</html>
`;
}
