/**
 * Template sequences in configuration text: Terraform's escaping rule, the walk that refuses
 * `${` / `%{` in every string of an environment, and a check generated from the published JSON
 * Schema that no string field (value or record key) is left out, including fields added later.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expressionProblems, isLiteralField, LITERAL_FIELDS } from "../modules/config/expressions";
import { DEMO_ENVS } from "../envs/examples/demo";
import { EnvSchema, type EnvInput } from "../modules/config/schema";
import { escapeTerraform, hasTerraformTemplate, templateSequence } from "../modules/core/literal";
import { awsEnv, gcpEnv, MQTTS, patch } from "./helpers/fixtures";
import { parseEnv } from "./helpers/synth";

/**
 * How Terraform reads a string of a .tf.json file, as HCL's template scanner does: `$${` and
 * `%%{` are literal `${` and `%{`; `${` and `%{` open a sequence (returned as undefined here);
 * every other character, a lone `$` or `%` included, is literal.
 */
function terraformReads(s: string): string | undefined {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const c = s[i] ?? "";
    if ((c === "$" || c === "%") && s[i + 1] === c && s[i + 2] === "{") {
      out += `${c}{`;
      i += 3;
    } else if ((c === "$" || c === "%") && s[i + 1] === "{") return undefined;
    else {
      out += c;
      i += 1;
    }
  }
  return out;
}

describe("escapeTerraform", () => {
  it.each([
    ["plain", "plain"],
    ["${var}", "$${var}"],
    ["%{ if x }", "%%{ if x }"],
    ["$${x}", "$$${x}"],
    ["%%{x}", "%%%{x}"],
    ["$$x and 100% and $ {", "$$x and 100% and $ {"],
    ["$%{x}", "$%%{x}"],
    ["%${x}", "%$${x}"],
    ['$remote_addr - ${remote_user} "$request"', '$remote_addr - $${remote_user} "$request"'],
    ["trailing $", "trailing $"],
    ["{${a}}${b}", "{$${a}}$${b}"],
  ])("escapes %j as %j", (raw, escaped) => {
    expect(escapeTerraform(raw)).toBe(escaped);
    expect(terraformReads(escaped)).toBe(raw);
  });

  it("gives back every text exactly, over all short strings of $ % { } and a letter", () => {
    const alphabet = ["$", "%", "{", "}", "a"];
    let texts = [""];
    const failures: string[] = [];
    for (let len = 1; len <= 6; len++) {
      texts = texts.flatMap((t) => alphabet.map((c) => t + c));
      for (const t of texts) if (terraformReads(escapeTerraform(t)) !== t) failures.push(t);
    }
    expect(texts.length).toBe(5 ** 6);
    expect(failures).toEqual([]);
  });

  it("is not idempotent: escaped text is Terraform syntax, and escaping it again shows the escapes", () => {
    expect(terraformReads(escapeTerraform(escapeTerraform("${x}")))).toBe("$${x}");
  });
});

describe("hasTerraformTemplate", () => {
  it.each([
    ["${x}", true, "${"],
    ["a %{ if }", true, "%{"],
    ["$${x}", true, "${"],
    ["$x % {", false, undefined],
    ["", false, undefined],
  ])("%j → %j", (text, has, seq) => {
    expect(hasTerraformTemplate(text)).toBe(has);
    expect(templateSequence(text)).toBe(seq);
  });
});

describe("expressionProblems", () => {
  it("finds values and keys at any depth, with dotted paths", () => {
    const problems = expressionProblems({
      tags: { team: "${file(\"/etc/passwd\")}", "${k}": "v" },
      aws: { targets: { tagValues: ["ok", "%{ if true }x%{ endif }"] } },
      ports: { tcp: { mqtts: { backend: "ns/svc:1883" } } },
      n: 3,
      b: true,
      z: null,
    });
    expect(problems).toEqual([
      { path: "tags.team", segments: ["tags", "team"], value: '${file("/etc/passwd")}', message: expect.stringContaining('value contains "${": Terraform would evaluate it as an expression') },
      { path: "tags.${k}", segments: ["tags", "${k}"], value: "${k}", message: expect.stringContaining('key contains "${"') },
      { path: "aws.targets.tagValues.1", segments: ["aws", "targets", "tagValues", "1"], value: "%{ if true }x%{ endif }", message: expect.stringContaining('value contains "%{": Terraform would run it as a template directive') },
    ]);
  });

  it("says what Terraform would do and what to do instead", () => {
    const [p] = expressionProblems({ description: "${x}" });
    expect(p?.message).toBe(
      'value contains "${": Terraform would evaluate it as an expression (it can read files and other resources\' attributes into the plan); ' +
        'gatehouse refuses template sequences in configuration. Write plain text without "${" (only controller.config.*, aws.lattice.authPolicy are passed through literally)',
    );
  });

  it("lets NGINX variables through in controller.config, keys and values, which the Helm values escape", () => {
    const env = { controller: { config: { "log-format-upstream": '$remote_addr ${remote_user} "%{x}"', "${odd}": "v" } }, tags: { a: "${x}" } };
    expect(expressionProblems(env).map((p) => p.path)).toEqual(["tags.a"]);
    expect(isLiteralField(["controller", "config", "anything"])).toBe(true);
    expect(isLiteralField(["controller", "config"])).toBe(false);
    expect(isLiteralField(["controller", "resources", "cpu"])).toBe(false);
  });

  it("refuses CDK for Terraform token markers everywhere, literal fields included", () => {
    const problems = expressionProblems({ aws: { targets: { tagValues: ["#{TfToken[TOKEN.1]}"] } }, controller: { config: { a: "${TfToken[TOKEN.2]}" } }, tags: { "&{TfToken[TOKEN.3]}": "v" } });
    expect(problems.map((p) => [p.path, p.message.split(",")[0]])).toEqual([
      ["aws.targets.tagValues.0", 'value contains "#{TfToken["'],
      ["controller.config.a", 'value contains "${TfToken["'],
      ["tags.&{TfToken[TOKEN.3]}", 'key contains "&{TfToken["'],
    ]);
  });

  it("reports a string once, and survives shared and cyclic references", () => {
    const shared = ["${a}"];
    const cyclic: Record<string, unknown> = { s: "%{b}" };
    cyclic.self = cyclic;
    expect(expressionProblems({ x: shared, y: shared, c: cyclic }).map((p) => p.path)).toEqual(["x.0", "y.0", "c.s"]);
  });

  it("finds nothing in the built-in environments, nor in the defaults the schema fills in", () => {
    for (const env of DEMO_ENVS) expect(expressionProblems(env)).toEqual([]);
    for (const env of [awsEnv(), gcpEnv(), fullEnv()]) expect(expressionProblems(parseEnv(env))).toEqual([]);
  });
});

/** A valid environment that sets every optional section: AWS with each sub-option, and GCP. */
function fullEnv(): EnvInput {
  const aws = awsEnv();
  const gcp = gcpEnv();
  return patch(aws, {
    name: "full",
    description: "every optional section set",
    hostnames: gcp.hostnames,
    state: { type: "cloud", organization: "acme-platform", hostname: "tfe.example.com", project: "edge", workspacePrefix: "gatehouse" },
    tags: { team: "platform", "kubernetes.io/role": "edge" },
    ports: {
      https: { listenerPort: 443, nodePort: 30443, tls: "terminate" },
      tcp: { mqtts: { ...MQTTS.mqtts, tls: "terminate" } },
      health: { nodePort: 30200, path: "/healthz" },
      nodePortRange: { min: 30000, max: 32767 },
      proxyProtocol: false,
    },
    controller: {
      releaseName: "ingress-nginx",
      namespace: "ingress-nginx",
      chartVersion: "4.15.1",
      replicas: 2,
      resources: { cpu: "100m", memory: "90Mi" },
      config: { "proxy-body-size": "8m" },
    },
    aws: {
      cluster: { name: "eks", access: { type: "kubeconfig", path: "/home/ci/.kube/config", context: "eks" } },
      nlb: {
        name: "full-eks",
        internetFacing: false,
        subnets: undefined,
        subnetMappings: [{ subnetId: "subnet-0123456789abcdef1", privateIpv4Address: "10.0.1.10" }],
        deletionProtection: true,
        crossZone: true,
        securityGroup: { mode: "create", clientCidrs: ["10.0.0.0/8"] },
        clusterTag: "shared",
        tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", alpnPolicy: "HTTP2Preferred" },
      },
      targetGroups: { deregistrationDelay: 5, healthCheck: { interval: 10, timeout: 6, healthyThreshold: 3, unhealthyThreshold: 3, matcher: "200" } },
      targets: { mode: "discover", tagKey: "Name", tagValues: ["eks-node"] },
    },
    gcp: {
      ...gcp.gcp,
      network: "default",
      ipv6: true,
      clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c"], capacity: 1 }],
      backends: { maxRatePerEndpoint: 100, maxConnectionsPerEndpoint: 100, timeoutSec: 30, logSampleRate: 1, securityPolicy: "edge-policy" },
      sslPolicy: { profile: "MODERN", minTlsVersion: "TLS_1_2" },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Generated from envs/gatehouse.schema.json, read at run time.

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
  minimum?: number;
}

const SCHEMA = JSON.parse(readFileSync(join(__dirname, "..", "envs", "gatehouse.schema.json"), "utf8")) as JsonSchema;

/** Follows a local `$ref` (`#/$defs/x`, `#/definitions/x`, any JSON pointer into the document). */
function resolve(schema: JsonSchema, depth = 0): JsonSchema {
  if (schema.$ref === undefined) return schema;
  if (!schema.$ref.startsWith("#") || depth > 20) throw new Error(`unsupported $ref ${schema.$ref}`);
  let node: unknown = SCHEMA;
  for (const part of schema.$ref.slice(1).split("/").filter((p) => p !== "")) {
    node = (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  if (typeof node !== "object" || node === null) throw new Error(`dangling $ref ${schema.$ref}`);
  return resolve(node as JsonSchema, depth + 1);
}

const types = (s: JsonSchema): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const alternatives = (s: JsonSchema): JsonSchema[] => [...(s.oneOf ?? []), ...(s.anyOf ?? [])];

/** A node that takes a string: typed string, a string constant or enum, or unconstrained (`{}`, anything). */
function isStringField(s: JsonSchema): boolean {
  if (types(s).includes("string") || typeof s.const === "string" || (s.enum ?? []).some((v) => typeof v === "string")) return true;
  const shaping: (keyof JsonSchema)[] = ["type", "const", "enum", "properties", "additionalProperties", "items", "prefixItems", "oneOf", "anyOf", "allOf", "$ref"];
  return shaping.every((k) => s[k] === undefined);
}

/** One move from a schema node to a part of it; `alt` picks a branch of oneOf/anyOf (no path segment). */
type Step = { kind: "prop"; name: string; schema: JsonSchema } | { kind: "item"; index: number; schema: JsonSchema } | { kind: "entry"; schema: JsonSchema } | { kind: "alt"; schema: JsonSchema };

/** A string position: the value at the end of `steps`, or a key of the record there. */
interface Target {
  readonly steps: readonly Step[];
  readonly leaf: "value" | "key";
}

function stringTargets(schema: JsonSchema, steps: readonly Step[] = [], out: Target[] = []): Target[] {
  if (steps.length > 40) throw new Error("schema nests deeper than 40 levels: a recursive $ref?");
  const s = resolve(schema);
  for (const alt of alternatives(s)) stringTargets(alt, [...steps, { kind: "alt", schema: alt }], out);
  for (const part of s.allOf ?? []) stringTargets(part, steps, out);
  if (isStringField(s)) out.push({ steps, leaf: "value" });
  for (const [name, sub] of Object.entries(s.properties ?? {})) stringTargets(sub, [...steps, { kind: "prop", name, schema: sub }], out);
  const tuple = s.prefixItems ?? (Array.isArray(s.items) ? s.items : []);
  tuple.forEach((sub, index) => stringTargets(sub, [...steps, { kind: "item", index, schema: sub }], out));
  if (s.items !== undefined && !Array.isArray(s.items)) stringTargets(s.items, [...steps, { kind: "item", index: tuple.length, schema: s.items }], out);
  if (typeof s.additionalProperties === "object") {
    out.push({ steps, leaf: "key" });
    stringTargets(s.additionalProperties, [...steps, { kind: "entry", schema: s.additionalProperties }], out);
  }
  return out;
}

/** A minimal value for a schema, to build the parts of a path the base environment lacks. */
function sample(schema: JsonSchema): unknown {
  const s = resolve(schema);
  if (s.const !== undefined) return s.const;
  if (s.enum !== undefined) return s.enum[0];
  const [alt] = alternatives(s);
  if (alt !== undefined) return sample(alt);
  const type = types(s)[0];
  if (type === "string") return "sample";
  if (type === "number" || type === "integer") return s.minimum ?? 1;
  if (type === "boolean") return false;
  if (type === "array") return [s.items && !Array.isArray(s.items) ? sample(s.items) : "sample"];
  if (type === "object") return Object.fromEntries((s.required ?? []).map((k) => [k, sample(s.properties?.[k] ?? {})]));
  return null;
}

/** True when `value` already is of this branch of a union (its discriminator constants match). */
function inBranch(value: unknown, branch: JsonSchema): boolean {
  const s = resolve(branch);
  const t = types(s);
  if (t.includes("object") || s.properties) {
    if (!isRecord(value)) return false;
    return Object.entries(s.properties ?? {}).every(([k, p]) => resolve(p).const === undefined || value[k] === resolve(p).const);
  }
  if (s.const !== undefined) return value === s.const;
  if (t.includes("array")) return Array.isArray(value);
  return t.length === 0 || t.includes(value === null ? "null" : typeof value === "number" ? "number" : typeof value);
}

/** Copies `base` with `text` at the target, creating what is missing from the schema; returns the copy and the path. */
function inject(base: unknown, schema: JsonSchema, steps: readonly Step[], leaf: Target["leaf"], text: string): { value: unknown; path: string[] } {
  const [step, ...rest] = steps;
  if (step === undefined) {
    if (leaf === "value") return { value: text, path: [] };
    const record = isRecord(base) ? { ...base } : {};
    const valueSchema = resolve(schema).additionalProperties;
    const first = Object.values(record)[0];
    record[text] = first !== undefined ? first : sample(typeof valueSchema === "object" ? valueSchema : {});
    return { value: record, path: [text] };
  }
  switch (step.kind) {
    case "alt":
      return inject(inBranch(base, step.schema) ? base : sample(step.schema), step.schema, rest, leaf, text);
    case "prop": {
      const obj = isRecord(base) ? { ...base } : (sample(schema) as Record<string, unknown>);
      const placed = inject(obj[step.name], step.schema, rest, leaf, text);
      obj[step.name] = placed.value;
      return { value: obj, path: [step.name, ...placed.path] };
    }
    case "item": {
      const arr = Array.isArray(base) ? [...(base as unknown[])] : [];
      while (arr.length <= step.index) arr.push(sample(step.schema));
      const placed = inject(arr[step.index], step.schema, rest, leaf, text);
      arr[step.index] = placed.value;
      return { value: arr, path: [String(step.index), ...placed.path] };
    }
    case "entry": {
      const record = isRecord(base) ? { ...base } : {};
      const key = Object.keys(record)[0] ?? "entry";
      const placed = inject(record[key], step.schema, rest, leaf, text);
      record[key] = placed.value;
      return { value: record, path: [key, ...placed.path] };
    }
  }
}

describe("every string field of the published JSON Schema", () => {
  const targets = stringTargets(SCHEMA);
  const base = fullEnv();

  it("starts from a valid environment with every optional section set", () => {
    const env = parseEnv(base);
    expect(env.aws?.cluster.access.type).toBe("kubeconfig");
    expect(env.aws?.nlb.tls.certificateArn).toBeDefined();
    expect(env.state.type).toBe("cloud");
    expect(env.gcp?.backends.securityPolicy).toBe("edge-policy");
    expect(Object.keys(env.controller.config)).toHaveLength(1);
  });

  it("walks every kind of schema node: properties, arrays, records (keys and values), unions", () => {
    const paths = targets.map((t) => inject(base, SCHEMA, t.steps, t.leaf, "X").path.join("."));
    // One sample of each construct the walk must follow; if one goes missing, the walker broke.
    expect(paths).toEqual(
      expect.arrayContaining([
        "name",
        "description",
        "tags.team",
        "tags.X",
        "controller.config.proxy-body-size",
        "controller.config.X",
        "controller.resources.cpu",
        "ports.tcp.mqtts.backend",
        "ports.tcp.X",
        "ports.health.path",
        "state.hostname",
        "state.keyPrefix",
        "state.prefix",
        "aws.cluster.access.path",
        "aws.cluster.access.context",
        "aws.nlb.subnetMappings.0.allocationId",
        "aws.nlb.tls.sslPolicy",
        "aws.targets.tagKey",
        "aws.targets.tagValues.0",
        "aws.targets.ips.0",
        "gcp.backends.securityPolicy",
        "gcp.clusters.0.zones.0",
        "gcp.nodeTargets.serviceAccounts.0",
      ]),
    );
    // The schema has 72 string positions (62 distinct paths: union branches share some, such as
    // state.type); a walk that finds far fewer has stopped following part of it.
    expect(targets.length).toBeGreaterThanOrEqual(60);
    expect(new Set(paths).size).toBeGreaterThanOrEqual(50);
  });

  it.each([['${file("/etc/passwd")}'], ["%{ if true }x%{ endif }"]])("refuses %j at each of them, or the field is a literal one", (text) => {
    const wrong: string[] = [];
    let literal = 0;
    for (const t of targets) {
      const { value, path } = inject(base, SCHEMA, t.steps, t.leaf, text);
      const found = expressionProblems(value).map((p) => `${p.path} = ${p.value}`);
      const expected = isLiteralField(path) ? [] : [`${path.join(".")} = ${text}`];
      if (isLiteralField(path)) literal += 1;
      if (JSON.stringify(found) !== JSON.stringify(expected)) wrong.push(`${t.leaf} ${path.join(".")}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(found)}`);
    }
    expect(wrong).toEqual([]);
    // controller.config's key and value, and the Lattice auth policy, are the literal ones; everything else is refused.
    expect(literal).toBe(3);
    expect(LITERAL_FIELDS).toEqual(["controller.config.*", "aws.lattice.authPolicy"]);
  });

  it("is what the schema enforces: each string of the full environment with a template sequence is refused there", () => {
    const text = '${file("/etc/passwd")}';
    const at = (v: unknown, path: readonly string[]): unknown => path.reduce<unknown>((o, k) => (isRecord(o) || Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), v);
    const wrong: string[] = [];
    let checked = 0;
    for (const t of targets) {
      const { value, path } = inject(base, SCHEMA, t.steps, t.leaf, text);
      // Only positions the valid base already has, so nothing else in the input is wrong.
      if (t.leaf === "value" ? typeof at(base, path) !== "string" : !isRecord(at(base, path.slice(0, -1)))) continue;
      checked += 1;
      const result = EnvSchema.safeParse(value);
      const issuePaths = result.success ? [] : result.error.issues.map((i) => i.path.join("."));
      const here = [path.join("."), ...(t.leaf === "key" ? [path.slice(0, -1).join(".")] : [])];
      // controller.config keys pass through literally but must be ConfigMap keys, which "${" never is:
      // such a key is refused by the ConfigMap key rule, not the template rule.
      const configMapKey = t.leaf === "key" && path[0] === "controller" && !result.success && result.error.issues.every((i) => /ConfigMap key/.test(JSON.stringify(i)));
      const ok = isLiteralField(path) ? result.success || configMapKey : issuePaths.some((p) => here.includes(p));
      if (!ok) wrong.push(`${t.leaf} ${path.join(".")}: ${result.success ? "accepted" : `issues at ${issuePaths.join(", ")}`}`);
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(50);
  });
});
