/** Reading synthesized JSON and rendered objects, with a clear message when a value has another shape. */
export type Json = Record<string, unknown>;

export function str(v: unknown, what: string): string {
  if (typeof v !== "string") throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

export function obj(v: unknown, what: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v as Json;
}

export function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}
