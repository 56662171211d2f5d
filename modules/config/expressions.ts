/**
 * Template sequences in configuration text.
 *
 * Terraform evaluates `${...}` and `%{...}` in every string of the generated JSON, keys included,
 * so a tag value `${file("/etc/passwd")}` would put a file into the plan. One rule covers every
 * string of an environment, whatever field it is and whenever that field was added: the walk
 * below visits every string value and every object key, and refuses the sequences, except in the
 * fields listed in LITERAL_FIELDS, where text is expected to hold them and the construct that
 * emits the field escapes it with `escapeTerraform` (modules/core/literal.ts). CDK for Terraform's own
 * token markers are refused everywhere: escaping does not neutralize them.
 */
import { cdktfTokenMarker, templateSequence } from "../core/literal";

export interface ExpressionProblem {
  /** Dotted path of the string, e.g. `tags.team` or `aws.targets.tagValues.0`; for a key, the path of its entry. */
  readonly path: string;
  /** The same path as segments (a key may itself contain dots, such as a tag key `kubernetes.io/role`). */
  readonly segments: readonly string[];
  /** The offending string: the value, or the key itself. */
  readonly value: string;
  readonly message: string;
}

/**
 * Fields whose text is passed to Terraform literally, escaped by the construct that emits it.
 * A pattern is a dotted path where `*` stands for any one key or index; it covers the string at
 * that path and, for an entry of a record, the entry's key.
 *
 * - `controller.config.*`: ingress-nginx ConfigMap options are NGINX configuration, where
 *   `${var}` is ordinary (`log-format-upstream`, snippets). They reach Terraform only inside the
 *   Helm values document, which the ingress-nginx construct escapes as a whole.
 */
export const LITERAL_FIELDS: readonly string[] = ["controller.config.*", "aws.lattice.authPolicy"];

/** True when the path (as segments) is one of LITERAL_FIELDS. */
export function isLiteralField(path: readonly string[], patterns: readonly string[] = LITERAL_FIELDS): boolean {
  return patterns.some((pattern) => {
    const parts = pattern.split(".");
    return parts.length === path.length && parts.every((p, i) => p === "*" || p === path[i]);
  });
}

/** Every string (value or key) of a parsed environment that Terraform would not take literally. */
export function expressionProblems(env: unknown): ExpressionProblem[] {
  const problems: ExpressionProblem[] = [];
  const ancestors = new Set<object>();
  const check = (text: string, path: readonly string[], isKey: boolean): void => {
    const what = isKey ? "key" : "value";
    const marker = cdktfTokenMarker(text);
    if (marker !== undefined) {
      problems.push({
        path: path.join("."),
        segments: path,
        value: text,
        message: `${what} contains "${marker}", a CDK for Terraform token marker that synthesis would replace with a reference to another resource; gatehouse refuses token markers in configuration`,
      });
      return;
    }
    const seq = templateSequence(text);
    if (seq === undefined || isLiteralField(path)) return;
    const does = seq === "${" ? "evaluate it as an expression (it can read files and other resources' attributes into the plan)" : "run it as a template directive";
    problems.push({
      path: path.join("."),
      segments: path,
      value: text,
      message:
        `${what} contains "${seq}": Terraform would ${does}; gatehouse refuses template sequences in configuration. ` +
        `Write plain text without "${seq}" (only ${LITERAL_FIELDS.join(", ")} ${LITERAL_FIELDS.length === 1 ? "is" : "are"} passed through literally)`,
    });
  };
  const walk = (value: unknown, path: readonly string[]): void => {
    if (typeof value === "string") return check(value, path, false);
    if (typeof value !== "object" || value === null || ancestors.has(value)) return;
    ancestors.add(value);
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, String(i)]));
    else
      for (const [key, item] of Object.entries(value)) {
        check(key, [...path, key], true);
        walk(item, [...path, key]);
      }
    ancestors.delete(value);
  };
  walk(env, []);
  return problems;
}
