/**
 * The report page: one self-contained HTML file (inline styles, inline SVGs, no scripts and no
 * external assets), readable offline and attachable anywhere.
 */
import { ASSUMPTION_TEXT, ASSUMPTION_VARS, unitPrice, type Assumptions, type EnvCost, type Prices } from "./costs";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const money = (x: number) => `$${x.toFixed(2)}`;

/** Graphviz's SVG without the XML declaration, DOCTYPE and comments, ready to inline in HTML. */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/<\?xml[^>]*\?>\s*/, "")
    .replace(/<!DOCTYPE[^>]*>\s*/, "")
    .replace(/<!--[\s\S]*?-->\s*/g, "")
    .trim();
}

function costTable(c: EnvCost): string {
  const rows = c.lines
    .map((l) => `<tr><td>${l.cloud.toUpperCase()}</td><td>${esc(l.item)}${l.note ? `<div class="note">${esc(l.note)}</div>` : ""}</td><td class="n">${Number(l.quantity.toFixed(2)).toLocaleString("en-US")} ${esc(l.unit)}</td><td class="n">${unitPrice(l.unitPrice)}</td><td>${esc(l.region)}</td><td class="n">${money(l.monthly)}</td></tr>`)
    .join("\n");
  const assumptions = (Object.keys(ASSUMPTION_VARS) as Array<keyof Assumptions>).map((k) => `<li>${esc(ASSUMPTION_TEXT[k])}: <b>${c.assumptions[k]}</b> <code>${ASSUMPTION_VARS[k]}</code></li>`).join("");
  return `<table>
<thead><tr><th>cloud</th><th>item</th><th>quantity</th><th>unit price</th><th>region</th><th>monthly</th></tr></thead>
<tbody>
${rows || '<tr><td></td><td>nothing priced</td><td></td><td></td><td></td><td class="n">$0.00</td></tr>'}
</tbody>
<tfoot><tr><td></td><th>total</th><td></td><td></td><td></td><th class="n">${money(c.total)}</th></tr></tfoot>
</table>
<details><summary>assumptions</summary><ul>${assumptions}</ul></details>`;
}

export function toHtml(envs: ReadonlyArray<{ env: string; svg: string; cost: EnvCost }>, prices: Prices, generated: string): string {
  const sources = [...Object.entries(prices.aws.sources), ...Object.entries(prices.gcp.sources)].map(([k, u]) => `<li>${esc(k)}: <code>${esc(u)}</code></li>`).join("");
  const toc = envs.map((e) => `<li><a href="#env-${esc(e.env)}">${esc(e.env)}</a> — ${money(e.cost.total)}/month</li>`).join("");
  const sections = envs
    .map(
      (e) => `<section id="env-${esc(e.env)}">
<h2>${esc(e.env)}</h2>
<div class="graph">${inlineSvg(e.svg)}</div>
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
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem; color: #222; }
h1 { margin-top: 0; }
section { border-top: 1px solid #ddd; padding-top: 1rem; margin-top: 2rem; }
.graph { overflow-x: auto; border: 1px solid #eee; padding: .5rem; }
.graph svg { max-width: none; height: auto; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; vertical-align: top; text-align: left; }
td.n, th.n { text-align: right; white-space: nowrap; }
.note { color: #666; font-size: 12px; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>gatehouse: traffic paths and costs</h1>
<p>Derived from the synthesized stacks (${esc(generated)}). Prices: list prices checked ${esc(prices.checked)}, ${esc(prices.currency)}, ${prices.hoursPerMonth} hours a month. ${esc(prices.note)}</p>
<ul>${toc}</ul>
${sections}
<section>
<h2>Price sources</h2>
<ul>${sources}</ul>
</section>
</body>
</html>
`;
}
