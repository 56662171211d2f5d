/**
 * Validation of objects against CustomResourceDefinitions: the served versions' openAPIV3Schema,
 * compiled with ajv. Every object schema that lists its properties is closed, as the API server's
 * strict field validation does, so an unknown field (a typo) is an error instead of being pruned.
 * CEL rules (`x-kubernetes-validations`) are not part of JSON Schema: a caller either says they
 * are ignored, evaluates them with a keyword of its own, or (by default) gets an error for a CRD
 * that has them, so no rule is skipped unnoticed.
 */
import { readFileSync } from "node:fs";
import { isIPv4, isIPv6 } from "node:net";
import Ajv, { type ErrorObject, type FuncKeywordDefinition, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";

type Json = Record<string, unknown>;

/** A schema with every object that lists its properties closed to others (logical branches excepted). */
export function strictSchema(s: unknown): unknown {
  if (typeof s !== "object" || s === null || Array.isArray(s)) return s;
  const o: Json = { ...(s as Json) };
  if (typeof o.properties === "object" && o.properties !== null) {
    o.properties = Object.fromEntries(Object.entries(o.properties as Json).map(([k, v]) => [k, strictSchema(v)]));
    if (o.additionalProperties === undefined && o["x-kubernetes-preserve-unknown-fields"] !== true) o.additionalProperties = false;
  }
  if (typeof o.additionalProperties === "object") o.additionalProperties = strictSchema(o.additionalProperties);
  if (o.items !== undefined) o.items = strictSchema(o.items);
  // anyOf/allOf/oneOf/not branches only constrain values of fields the enclosing schema declares
  // (structural schemas), so they stay open: closed, a branch naming one field refuses the rest.
  return o;
}

/**
 * The schema of a whole object: the API server takes apiVersion, kind and metadata on every
 * object, also when a CRD's schema does not list them (Istio's list only spec and status).
 */
function rootSchema(schema: Json): Json {
  const closed = strictSchema(schema) as Json;
  const properties = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" }, ...(closed.properties as Json | undefined) };
  return closed.properties === undefined ? closed : { ...closed, properties };
}

export interface CrdOptions {
  /** CEL rules: "ignore" them, or evaluate them with this keyword. @default an error when a CRD has any */
  readonly cel?: "ignore" | Omit<FuncKeywordDefinition, "keyword">;
}

/** Validators by `group/version/Kind`, each compiled on first use (a CRD file may hold dozens). */
export interface CrdValidators {
  get(key: string): ValidateFunction | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
}

/** Validators of the served versions of every CRD in the files, keyed `group/version/Kind`. */
export function crdValidators(files: readonly string[], options: CrdOptions = {}): CrdValidators {
  // strictRequired off: structural schemas name required properties inside not/anyOf branches.
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  // Structural-schema annotations: int-or-string is spelt out by the anyOf next to it; list and
  // map types only describe merging.
  for (const k of ["x-kubernetes-int-or-string", "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-list-map-keys", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource"]) ajv.addKeyword(k);
  if (options.cel === "ignore") ajv.addKeyword("x-kubernetes-validations");
  else if (options.cel) ajv.addKeyword({ ...options.cel, keyword: "x-kubernetes-validations" });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("uint32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= 0 && n < 2 ** 32 });
  ajv.addFormat("double", { type: "number", validate: () => true });
  ajv.addFormat("float", { type: "number", validate: () => true });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i);
  ajv.addFormat("duration", /^([0-9]+(\.[0-9]+)?(h|m|s|ms|us|µs|ns))+$/);
  ajv.addFormat("byte", /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat("string", true);
  ajv.addFormat("ipv4", { type: "string", validate: (v: string) => isIPv4(v) });
  ajv.addFormat("ipv6", { type: "string", validate: (v: string) => isIPv6(v) });
  // The files are read on first use, so a test file that declares validators costs nothing
  // until a test asks for one.
  let read: Map<string, Json> | undefined;
  const schemas = (): Map<string, Json> => {
    if (read) return read;
    read = new Map<string, Json>();
    for (const file of files) {
      for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
        const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: Array<{ name: string; served: boolean; schema?: { openAPIV3Schema: Json } }> } } | null;
        if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
        for (const v of crd.spec.versions) if (v.served && v.schema) read.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
    return read;
  };
  const compiled = new Map<string, ValidateFunction>();
  return {
    get(key) {
      const schema = schemas().get(key);
      if (schema === undefined) return undefined;
      let validate = compiled.get(key);
      if (!validate) {
        validate = ajv.compile(rootSchema(schema));
        compiled.set(key, validate);
      }
      return validate;
    },
    has: (key) => schemas().has(key),
    keys: () => schemas().keys(),
  };
}

/** Any Kubernetes object, rendered by helm or built by gatehouse. */
interface KubeLike {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: unknown;
}

/**
 * An object's problems, "<apiVersion>/<kind> <name>: <error>" lines, [] when valid: against its
 * CRD when `crds` serves its kind, else what `otherwise` says (a test's Kubernetes models, or by
 * default that no CRD serves it). The object is checked as the API server receives it, as JSON:
 * fields set to undefined are not there.
 */
export function objectValidator<T extends KubeLike>(crds: CrdValidators, otherwise?: (o: T) => string[]): (o: T) => string[] {
  return (o) => {
    const key = `${String(o.apiVersion)}/${String(o.kind)}`;
    const validate = crds.get(key);
    if (!validate) return otherwise ? otherwise(o) : [`${key}: no CRD serves this kind (${[...crds.keys()].join(", ")})`];
    const name = String((o.metadata as { name?: unknown } | undefined)?.name);
    return validate(JSON.parse(JSON.stringify(o))) ? [] : schemaErrors(validate).map((e) => `${key} ${name}: ${e}`);
  };
}

/** The errors of a validation, one line each: "<path> <message> <params>". */
export function schemaErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}
