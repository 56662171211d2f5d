/**
 * Text that a chart renders with Helm's `tpl`.
 *
 * `tpl` parses a string as a Go template and runs it with the chart's context: in a value a chart
 * renders that way, `{{ lookup "v1" "Secret" "kube-system" "x" }}` reads the cluster at install and
 * puts what it finds into the object, and a stray `{{` in ordinary text (NGINX configuration, a
 * JSON log format) fails the install. Configuration text gatehouse places in such a value must
 * come out as written, so it is escaped here, once, before the values document is written (the
 * Terraform escaping of `${` and `%{` in manifests.ts comes after and composes with this one: the
 * escape below holds neither `$` nor `%`).
 *
 * The escape: every `{{` of the text becomes {{`{{`}}, an action that prints the raw string `{{`.
 * It is total:
 * - Go's template lexer looks only for `{{`; everything else (`}}`, a lone `{`, backticks,
 *   quotes, newlines, `-}}`) is plain text outside an action and comes out unchanged;
 * - `{{` pairs are replaced left to right, so a run of braces leaves at most one `{` over, at its
 *   end, and no new `{{` can form between the replacements and the text around them;
 * - the action holds no quote, backslash, space or line break, so it survives a chart that runs
 *   `tpl` over `toYaml` of a subtree (YAML may quote or fold the text around it, never inside it);
 *   there the keys of maps are template text too, and are escaped alike.
 * Text without `{{` is returned unchanged, so values that never held one are written as before.
 */

/** How a chart runs `tpl` over a value. */
export type TemplatedRendering =
  /** `range $key, $value := .Values.x` then `tpl (toString $value)`: each value of the map is a template, the keys are printed as they are. */
  | "each-value"
  /** `tpl (toYaml .Values.x)`: the whole subtree, keys included, is a template. */
  | "as-yaml";

/** A value a chart renders with `tpl`: its dotted path in the chart's values, and how. */
export interface TemplatedValue {
  readonly path: string;
  readonly rendering: TemplatedRendering;
  /** The template(s) that run `tpl` over it, for the reader. */
  readonly template: string;
}

/** Text → the text a `tpl` call renders back to exactly that text. */
export function tplLiteral(text: string): string {
  return text.replace(/\{\{/g, "{{`{{`}}");
}

/** A copy of `values` with every value the chart templates escaped with tplLiteral. */
export function escapeTemplatedValues<T extends object>(values: T, templated: readonly TemplatedValue[]): T {
  let out: unknown = values;
  for (const t of templated) out = mapAt(out, t.path.split("."), (v) => (t.rendering === "each-value" ? escapeEachValue(v) : escapeDeep(v)));
  return out as T;
}

/** `value` with the node at `path` replaced by `f(node)`; untouched when the path is absent. */
function mapAt(value: unknown, path: readonly string[], f: (v: unknown) => unknown): unknown {
  if (path.length === 0) return f(value);
  if (!isRecord(value)) return value;
  const [head = "", ...rest] = path;
  if (!Object.prototype.hasOwnProperty.call(value, head)) return value;
  return { ...value, [head]: mapAt(value[head], rest, f) };
}

function escapeEachValue(v: unknown): unknown {
  if (!isRecord(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? tplLiteral(x) : x]));
}

function escapeDeep(v: unknown): unknown {
  if (typeof v === "string") return tplLiteral(v);
  if (Array.isArray(v)) return v.map(escapeDeep);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [tplLiteral(k), escapeDeep(x)]));
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
