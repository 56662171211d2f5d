/**
 * Writes the key index of a Helm chart's values.yaml: every key path with its kind, so tests can
 * check that each value gatehouse sets is a key the chart defines (Helm ignores unknown keys).
 *
 *   node -r tsx/cjs scripts/chart-keys.ts <values.yaml> > __tests__/fixtures/ingress-nginx-4.15.1.keys.json
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";

export type KeyKind = "map" | "free-map" | "list" | "scalar";

/** `free-map`: an empty map in the chart (annotations, config, tcp …): any key may go below it. */
export function chartKeyIndex(valuesYaml: string): Record<string, KeyKind> {
  const index: Record<string, KeyKind> = {};
  const walk = (node: unknown, path: string[]) => {
    for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
      const p = [...path, k];
      const key = p.join(".");
      if (Array.isArray(v)) index[key] = "list";
      else if (v !== null && typeof v === "object") {
        if (Object.keys(v).length === 0) index[key] = "free-map";
        else {
          index[key] = "map";
          walk(v, p);
        }
      } else index[key] = "scalar";
    }
  };
  walk(parse(valuesYaml), []);
  return index;
}

/**
 * The keys of a values object that the chart's index does not have, as dotted paths. Below a
 * `free-map` any key goes, and below the paths in `open` too (maps the chart ranges over).
 */
export function unknownKeys(index: Readonly<Record<string, KeyKind>>, values: unknown, open: ReadonlySet<string> = new Set(), path: readonly string[] = []): string[] {
  if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
  return Object.entries(values).flatMap(([k, v]) => {
    const key = [...path, k].join(".");
    const kind = index[key];
    if (kind === undefined) return [key];
    return kind === "map" && !open.has(key) ? unknownKeys(index, v, open, [...path, k]) : [];
  });
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write("usage: chart-keys.ts <values.yaml>\n");
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(chartKeyIndex(readFileSync(file, "utf8")), null, 1)}\n`);
}
