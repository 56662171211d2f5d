/**
 * The environment schema: the shape (modules/model/env.ts), then every rule that spans fields or
 * that a construct states for its props, which the resolved plan checks on what it builds
 * (modules/plan), so what is validated is what is built; and the one rule over every string (no
 * Terraform template sequences, expressions.ts).
 */
import { EnvObject } from "../model/env";
import { planProblems } from "../plan";
import { expressionProblems } from "./expressions";

export { AwsSchema, ControllerSchema, EnvObject, GcpSchema, PortsSchema, StateSchema } from "../model/env";
export type { AwsEnv, Env, EnvInput, GcpEnv, GkeCluster } from "../model/env";

/**
 * The environment schema: the shape above, then every cross-field rule, which lives in the
 * resolved plan (modules/plan) so that what is validated is what is built, and the one rule
 * over every string (no Terraform template sequences, modules/config/expressions.ts).
 */
export const EnvSchema = EnvObject.superRefine((env, ctx) => {
  // The plan runs on fields the shape already refused (a refusal there does not stop parsing), and
  // a construct's own check may repeat a field rule: a problem already reported on the field, or on
  // an item of it, is not reported again.
  const reported = ctx.issues.map((i) => ({ path: (i.path ?? []).map(String), message: i.message }));
  for (const p of planProblems(env)) {
    const path = p.path ? pathSegments(env, p.path) : [];
    if (!reported.some((r) => r.message === p.message && path.every((s, k) => r.path[k] === s))) ctx.addIssue({ code: "custom", path, message: p.message, input: p.value });
  }
  // Dots can occur inside record keys (tag keys), so these carry their path as segments.
  for (const p of expressionProblems(env)) ctx.addIssue({ code: "custom", path: [...p.segments], message: p.message, input: p.value });
});

/**
 * A plan problem's dotted path as the segments it names in the environment. Record keys may hold
 * dots (tag keys, API route keys like "GET /v1.0/x", label keys): at each object the longest run
 * of parts that is one of its keys is one segment, so the report, and the file:line it points at,
 * name the key itself.
 */
export function pathSegments(root: unknown, path: string): string[] {
  const parts = path.split(".");
  const out: string[] = [];
  let node: unknown = root;
  for (let i = 0; i < parts.length; ) {
    let j = i + 1;
    if (node !== null && typeof node === "object" && !Array.isArray(node))
      for (let k = parts.length; k > i + 1; k--)
        if (Object.prototype.hasOwnProperty.call(node, parts.slice(i, k).join("."))) {
          j = k;
          break;
        }
    const key = parts.slice(i, j).join(".");
    out.push(key);
    node = node !== null && typeof node === "object" && Object.prototype.hasOwnProperty.call(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    i = j;
  }
  return out;
}

