/**
 * Literal text in Terraform JSON.
 *
 * Terraform reads every string of a `.tf.json` file as a string template (HCL JSON syntax,
 * "full expression mode"), object keys included: `${ ... }` is evaluated as an expression and
 * `%{ ... }` as a template directive. Text from an environment is data, so it must reach the
 * JSON either without those sequences (the schema refuses them, modules/config/expressions.ts) or escaped
 * with `escapeTerraform` by the construct that emits it.
 *
 * The rule, as HCL's template scanner applies it, left to right:
 *   - `$${` is a literal `${`, and `%%{` a literal `%{`;
 *   - `${` and `%{` open a sequence;
 *   - any other `$` or `%` (not followed by `{`) is literal, so is `$$` not followed by `{`.
 * Only the sign directly before `{` takes part. Escaping therefore doubles the sign of each
 * `${` and `%{` in the raw text and touches nothing else: the text `$${x}` is emitted as
 * `$$${x}` (a literal `$`, then `$${` for a literal `${`), which Terraform reads back as `$${x}`.
 * This is what Terraform itself does when it writes a string as HCL (hclwrite), and what
 * cdktf's `Fn.rawString` does for `${`.
 *
 * Escape raw text exactly once: escaped text is Terraform syntax, not text, and escaping it again
 * makes Terraform print the escapes.
 */

/** The sequences that open a template interpolation (`${`) or directive (`%{`). */
export const TEMPLATE_SEQUENCES = ["${", "%{"] as const;
export type TemplateSequence = (typeof TEMPLATE_SEQUENCES)[number];

/**
 * The first template sequence in raw text, if any. Every `${` or `%{` counts, also one written
 * after a doubled sign (`$${`): the text is taken literally, and Terraform would not reproduce it.
 */
export function templateSequence(s: string): TemplateSequence | undefined {
  const m = /[$%]\{/.exec(s);
  return m ? (m[0] as TemplateSequence) : undefined;
}

/** True when raw text holds `${` or `%{`, which Terraform would evaluate if emitted as is. */
export function hasTerraformTemplate(s: string): boolean {
  return templateSequence(s) !== undefined;
}

/** Raw text → a Terraform string that evaluates to exactly that text (`${` → `$${`, `%{` → `%%{`). */
export function escapeTerraform(s: string): string {
  return s.replace(/([$%])\{/g, "$1$1{");
}

/**
 * The markers CDK for Terraform encodes unresolved values with (string, list and map tokens).
 * Synthesis replaces a marker found in any string with the value it stands for, typically a
 * reference to another resource, before Terraform ever sees the text, and escaping does not stop
 * it (`$${TfToken[...]}` still contains the marker). Configuration text must never hold one.
 */
export const CDKTF_TOKEN_MARKERS = ["${TfToken[", "#{TfToken[", "&{TfToken["] as const;

/** The first CDK for Terraform token marker in the text, if any. */
export function cdktfTokenMarker(s: string): string | undefined {
  return /[$#&]\{TfToken\[/.exec(s)?.[0];
}

/**
 * Raw text → the body of an HCL quoted string (between the quotes, inside an expression) that
 * evaluates to exactly that text, with no brace left in it: backslash, quote and control
 * characters escaped as HCL's quoted templates read them (`\\`, `\"`, `\n`, `\r`, `\t`,
 * `\uNNNN`), and `{` and `}` written `\u007b` and `\u007d`. Without a raw `{` no `${` or `%{` can
 * open a template sequence, and without a raw `}` cdktf, which follows `${ … }` through a string to
 * decide how to write the references in it, keeps reading the references after this text as
 * part of the surrounding expression.
 */
export function hclQuoted(s: string): string {
  return s.replace(/[\\"{}\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    switch (c) {
      case "\\":
        return "\\\\";
      case '"':
        return '\\"';
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, "0")}`;
    }
  });
}
