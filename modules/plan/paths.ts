/**
 * Construct prop paths → environment fields. The plan runs every construct's own check on the
 * props it built; a table per construct says which environment field each prop path came from,
 * so a problem a construct finds reaches the user at that field (with its file and line), never
 * at a construct path. A path no table maps is a bug in the plan, not in the environment: the
 * mapping throws, and a test runs every check through its table.
 */
import type { FieldProblem } from "../core/errors";

/**
 * One construct's table: `[prop path prefix, environment field, environment value?]`. The longest
 * prefix that matches (the whole path, or a prefix followed by ".") wins; the rest of the prop
 * path is appended to a string field, or handed to a function field. A row with a value reports
 * that value instead of the prop's: the environment's `name` rather than a name built from it.
 */
export type PathTable = ReadonlyArray<PathRow>;
type PathRow = readonly [prop: string, env: string | ((rest: string) => string), value?: { readonly value: unknown }];

/** The row a prop path falls under, or undefined when the table has none. */
function rowOf(table: PathTable, propPath: string): PathRow | undefined {
  let best: PathRow | undefined;
  for (const row of table) {
    const [prefix] = row;
    const matches = prefix === "" || propPath === prefix || propPath.startsWith(`${prefix}.`);
    if (matches && (best === undefined || prefix.length > best[0].length)) best = row;
  }
  return best;
}

/** The environment field of a prop path, or undefined when the table has none. */
export function envPath(table: PathTable, propPath: string): string | undefined {
  const best = rowOf(table, propPath);
  if (!best) return undefined;
  const [prefix, env] = best;
  const rest = prefix === "" ? propPath : propPath.slice(prefix.length).replace(/^\./, "");
  if (typeof env === "function") return env(rest);
  return rest ? `${env}.${rest}` : env;
}

/** A construct's problems at the environment's fields. */
export function atEnvFields(construct: string, table: PathTable, problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.map((p) => {
    const path = envPath(table, p.path);
    if (path === undefined) throw new Error(`gatehouse: the plan maps no environment field to ${construct}'s prop ${p.path} (${p.message})`);
    const value = rowOf(table, p.path)?.[2];
    return value ? { ...p, path, value: value.value } : { ...p, path };
  });
}

/** The environment field of an entry point or service by its name in the contract. */
export function entryField(kinds: { readonly tcp: readonly string[]; readonly services: readonly string[] }, name: string): string {
  if (name === "http" || name === "https") return `ports.${name}`;
  if (kinds.services.includes(name)) return `ports.services.${name}`;
  return `ports.tcp.${name}`;
}
