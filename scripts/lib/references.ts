/**
 * Finds references in a synthesized stack that point at nothing: `${aws_lb.x.arn}` where the
 * stack has no `aws_lb.x`. Terraform reports these only at plan time; this finds them at synth.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export interface StackJson {
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
}

/** Roots that are not resources: variables, locals, iteration, module outputs, built-ins. */
const NOT_RESOURCES = new Set(["var", "local", "each", "count", "self", "path", "terraform", "module"]);

function* strings(node: unknown): Generator<string> {
  if (typeof node === "string") yield node;
  else if (Array.isArray(node)) for (const n of node) yield* strings(n);
  else if (node && typeof node === "object") for (const v of Object.values(node as Record<string, Json>)) yield* strings(v);
}

/** Every `[data.]type.name` address referenced inside `${...}` interpolations. */
export function referencedAddresses(stack: StackJson): Set<string> {
  const found = new Set<string>();
  for (const s of strings(stack)) {
    for (const interp of s.matchAll(/\$\{([^}]*)\}/g)) {
      const body = (interp[1] ?? "").replace(/"(?:[^"\\]|\\.)*"/g, '""');
      for (const m of body.matchAll(/(?<![\w.-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][\w-]*)/g)) {
        const type = m[2] ?? "";
        if (!m[1] && NOT_RESOURCES.has(type)) continue;
        if (!m[1] && !type.includes("_")) continue; // function names are followed by "(", not "."
        found.add(`${m[1] ?? ""}${type}.${m[3]}`);
      }
    }
  }
  return found;
}

/** Addresses referenced but not defined in the stack, sorted. */
export function danglingReferences(stack: StackJson): string[] {
  const out: string[] = [];
  for (const address of referencedAddresses(stack)) {
    const isData = address.startsWith("data.");
    const [type, name] = (isData ? address.slice(5) : address).split(".") as [string, string];
    const table = isData ? stack.data : stack.resource;
    if (!table?.[type]?.[name]) out.push(address);
  }
  return out.sort();
}
