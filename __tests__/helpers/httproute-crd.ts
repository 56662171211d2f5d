/**
 * The HTTPRoute CRD of either Gateway API channel: its openAPIV3Schema with ajv, closed like the
 * API server's strict field validation, and its CEL rules evaluated by JavaScript equivalents for
 * the ones gatehouse's objects reach. A CEL rule without an equivalent fails when the data reaches
 * it, so a rule is never skipped unnoticed.
 */
import { join } from "node:path";
import type { ErrorObject } from "ajv";
import { crdValidators, type CrdValidators } from "./crd";

type Json = Record<string, unknown>;

/** The HTTPRoute CRDs gatehouse's chart installs (upstream v1.5.1, unchanged), by channel. */
export const HTTPROUTE_CRDS = {
  standard: join(__dirname, "..", "fixtures", "crds", "httproutes.gateway.networking.k8s.io.yaml"),
  experimental: join(__dirname, "..", "..", "modules", "k8s", "charts", "gateway-api-crds", "experimental", "gateway.networking.k8s.io_httproutes.yaml"),
} as const;

type Cel = (self: Json) => boolean | "unevaluated";
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const str = (v: unknown, dflt = ""): string => (typeof v === "string" ? v : dflt);
/** Gateway API durations (GEP-2257) in milliseconds. */
export const millis = (d: string): number =>
  [...d.matchAll(/([0-9]+)(h|ms|m|s)/g)].reduce((sum, m) => sum + Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as "h" | "m" | "s" | "ms"], 0);
const sameParent = (a: Json, b: Json) =>
  str(a.group, "gateway.networking.k8s.io") === str(b.group, "gateway.networking.k8s.io") && str(a.kind, "Gateway") === str(b.kind, "Gateway") && a.name === b.name && str(a.namespace) === str(b.namespace);
const unset = (v: unknown) => v === undefined || v === "" || v === 0;
/** Path rules apply to Exact and PathPrefix matches (type defaults to PathPrefix, value to "/"). */
const pathRule = (test: (value: string) => boolean): Cel => (self) => !["Exact", "PathPrefix"].includes(str(self.type, "PathPrefix")) || test(str(self.value, "/"));
const noFilters = (self: Json): boolean | "unevaluated" => (self.filters === undefined && arr(self.backendRefs).every((b) => b.filters === undefined) ? true : "unevaluated");
const refs = (self: Json) => self as unknown as Json[];

/** By message: the CRDs' rules for parentRefs, rules, matches, backendRefs and timeouts. */
const CEL: Readonly<Record<string, Cel>> = {
  "sectionName must be specified when parentRefs includes 2 or more references to the same parent": (self) =>
    refs(self).every((p1) => refs(self).every((p2) => !sameParent(p1, p2) || unset(p1.sectionName) === unset(p2.sectionName))),
  "sectionName must be unique when parentRefs includes 2 or more references to the same parent": (self) =>
    refs(self).every((p1) => refs(self).filter((p2) => sameParent(p1, p2) && str(p1.sectionName) === str(p2.sectionName)).length === 1),
  // The experimental channel's forms of the two rules above, with a parentRef's port.
  "sectionName or port must be specified when parentRefs includes 2 or more references to the same parent": (self) =>
    refs(self).every((p1) => refs(self).every((p2) => !sameParent(p1, p2) || (unset(p1.sectionName) === unset(p2.sectionName) && unset(p1.port) === unset(p2.port)))),
  "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent": (self) =>
    refs(self).every((p1) => refs(self).filter((p2) => sameParent(p1, p2) && str(p1.sectionName) === str(p2.sectionName) && (p1.port ?? 0) === (p2.port ?? 0)).length === 1),
  "Rule name must be unique within the route": (self) => refs(self).every((r1) => r1.name === undefined || refs(self).filter((r2) => r2.name === r1.name).length === 1),
  "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128": (self) =>
    refs(self).slice(0, 16).reduce((n, r) => n + arr(r.matches).length, 0) <= 128,
  "RequestRedirect filter must not be used together with backendRefs": (self) => arr(self.backendRefs).length === 0 || arr(self.filters).every((f) => f.requestRedirect === undefined),
  "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified": noFilters,
  "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified": noFilters,
  "Within backendRefs, when using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified": noFilters,
  "Within backendRefs, When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified": noFilters,
  "Must have port for Service reference": (self) => !(str(self.group) === "" && str(self.kind, "Service") === "Service") || self.port !== undefined,
  "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']": pathRule((v) => v.startsWith("/")),
  "must not contain '//' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.includes("//")),
  "must not contain '/./' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.includes("/./")),
  "must not contain '/../' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.includes("/../")),
  "must not contain '%2f' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.includes("%2f")),
  "must not contain '%2F' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.includes("%2F")),
  "must not contain '#' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.includes("#")),
  "must not end with '/..' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.endsWith("/..")),
  "must not end with '/.' when type one of ['Exact', 'PathPrefix']": pathRule((v) => !v.endsWith("/.")),
  "type must be one of ['Exact', 'PathPrefix', 'RegularExpression']": (self) => ["Exact", "PathPrefix", "RegularExpression"].includes(str(self.type, "PathPrefix")),
  "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']": pathRule((v) =>
    /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$/.test(v),
  ),
  "backendRequest timeout cannot be longer than request timeout": (self) =>
    !(typeof self.request === "string" && typeof self.backendRequest === "string" && millis(self.request) !== 0 && millis(self.backendRequest) > millis(self.request)),
};

/** CEL failures of the current validation, with the instance path. */
let celFailures: string[] = [];
const validators = new Map<string, CrdValidators>();

/** The CRD in this file, its CEL rules evaluated by the JavaScript equivalents above (by message). */
function validatorsOf(file: string): CrdValidators {
  let v = validators.get(file);
  if (v) return v;
  v = crdValidators([file], {
    cel: {
      schemaType: "array",
      compile: (rulesList: Array<{ rule: string; message?: string }>) =>
        function cel(data: unknown, cxt?: { instancePath: string }): boolean {
          let ok = true;
          for (const { rule, message } of rulesList) {
            const check = message !== undefined ? CEL[message] : undefined;
            const result = check ? check(data as Json) : "unevaluated";
            if (result === true) continue;
            ok = false;
            celFailures.push(`${cxt?.instancePath || "/"}: ${result === "unevaluated" ? `CEL rule not evaluated by this test: ${rule.slice(0, 120)}` : message}`);
          }
          return ok;
        },
    },
  });
  if (![...v.keys()].every((k) => k.startsWith("gateway.networking.k8s.io/") && k.endsWith("/HTTPRoute"))) throw new Error(`${file} is not the HTTPRoute CRD`);
  validators.set(file, v);
  return v;
}

/** Problems with an object against the HTTPRoute CRD of a channel; [] when valid. */
export function httpRouteCrdProblems(o: unknown, channel: keyof typeof HTTPROUTE_CRDS = "standard"): string[] {
  const obj = o as Json;
  const [group, version] = String(obj.apiVersion).split("/");
  if (group !== "gateway.networking.k8s.io" || obj.kind !== "HTTPRoute") return [`${String(obj.apiVersion)}/${String(obj.kind)} is not an HTTPRoute`];
  const validate = validatorsOf(HTTPROUTE_CRDS[channel]).get(`${group}/${version}/HTTPRoute`);
  if (!validate) return [`HTTPRoute has no served version ${version}`];
  celFailures = [];
  const valid = validate(obj);
  const schemaErrors = (validate.errors ?? [])
    .filter((e: ErrorObject) => e.keyword !== "x-kubernetes-validations")
    .map((e: ErrorObject) => `${e.instancePath || "/"} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  const out = [...schemaErrors, ...celFailures];
  if (!valid && out.length === 0) out.push("invalid, without a reported error");
  return out;
}
