/**
 * modules/synth-tuning.ts: stacks that resolve tokens sparingly write exactly what cdktf's own
 * resolver writes (every built-in environment and example, stacks holding every kind of token
 * cdktf has, random data with tokens in it) and fail with exactly cdktf's errors; the tuning is
 * scoped to the stacks' toTerraform and can be undone.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { App, Fn, Lazy, TerraformIterator, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token } from "cdktf";
import { DEMO_ENVS } from "../envs/examples/demo";
import { loadEnvironments } from "../modules/config/loader";
import type { Env } from "../modules/config/schema";
import { buildAll } from "../modules/stacks/build";
import { resolveTokensSparingly } from "../modules/synth-tuning";

const root = join(__dirname, "..");
// The module object whose `resolve` cdktf's stacks call (the tuning swaps it during toTerraform only).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tokensModule = require("cdktf/lib/_tokens") as { resolve: unknown };

/** Builds stacks into a fresh app, synthesizes (tuned or not), returns stack name -> cdk.tf.json text. */
function synth(build: (app: App) => void, tuned: boolean): Record<string, string> {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), "gh-tuning-")), stackTraces: false });
  build(app);
  const restore = tuned ? resolveTokensSparingly(app, {}) : () => undefined;
  try {
    app.synth();
  } finally {
    restore();
  }
  const stacks = join(app.outdir, "stacks");
  return Object.fromEntries(readdirSync(stacks).map((s) => [s, readFileSync(join(stacks, s, "cdk.tf.json"), "utf8")]));
}

/** The error message toTerraform ends with (token numbers, which count on across builds, left out), or "" when it succeeds. */
function failure(build: (stack: TerraformStack) => void, tuned: boolean): string {
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), "gh-tuning-")), stackTraces: false });
  const stack = new TerraformStack(app, "s");
  build(stack);
  const restore = tuned ? resolveTokensSparingly(app, {}) : () => undefined;
  try {
    stack.toTerraform();
    return "";
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/TOKEN\.\d+/g, "TOKEN.n");
  } finally {
    restore();
  }
}

/** One stack with references, functions, list/map/number tokens, iterators, lazies, escapes and overrides. */
function everyKindOfToken(app: App): void {
  const stack = new TerraformStack(app, "tokens");
  new AwsProvider(stack, "aws", { region: "eu-west-1", defaultTags: [{ tags: { team: "edge", "node-e1-group": "1e5" } }] });
  const port = new TerraformVariable(stack, "port", { type: "number", default: 443 });
  const zones = new TerraformVariable(stack, "zones", { type: "list(string)", default: ["eu-west-1a"] });
  const labels = new TerraformVariable(stack, "labels", { type: "map(string)", default: {} });
  const sg = new SecurityGroup(stack, "sg-e1-x", {
    name: "edge-e1-sg",
    description: `port ${port.numberValue} open; literal \${not.a.reference} and %{ if true }x%{ endif }`,
    ingress: [
      { fromPort: port.numberValue, toPort: port.numberValue, protocol: "tcp", cidrBlocks: ["10.0.0.0/16"] },
      { fromPort: 80, toPort: 80, protocol: "tcp", cidrBlocks: zones.listValue },
    ],
    // A number token written into a string is a double cdktf finds by its number pattern.
    tags: { Name: `sg ${port.numberValue} e1`, [labels.stringValue]: "keyed by a token", "1e-3": "number-like key" },
  });
  const iterator = TerraformIterator.fromList(zones.listValue);
  const lb = new Lb(stack, "lb", {
    forEach: iterator,
    name: Fn.join("-", ["edge", iterator.value]),
    securityGroups: [sg.id],
    subnets: Fn.concat([zones.listValue, ["subnet-1"]]),
    tags: Fn.merge([labels.value, { zone: iterator.value }]) as unknown as Record<string, string>,
    lifecycle: { precondition: [{ condition: Fn.contains(Fn.concat([zones.listValue, ["a"]]), "eu-west-1a"), errorMessage: "zone ${var.zones} is missing" }] },
  });
  const listener = new LbListener(stack, "listener", {
    loadBalancerArn: `${sg.arn}/lb`,
    port: Token.asNumber(Fn.tonumber(port.stringValue)),
    defaultAction: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "200", messageBody: Fn.jsonencode({ ports: [port.numberValue, 8080], name: sg.name, empty: {}, none: [] }) } }],
  });
  listener.addOverride("default_action.0.order", 1);
  listener.addOverride("tags", { owner: sg.ownerId, plain: "x-e-y", drop: undefined });
  listener.addOverride("dynamic.rule", iterator.dynamic({ zone: iterator.value, index: iterator.key }));
  stack.addOverride("terraform.required_version", ">= 1.5");
  new TerraformLocal(stack, "lazy", {
    string: Lazy.stringValue({ produce: () => `made-${sg.id}` }),
    any: Lazy.anyValue({ produce: () => ({ nested: [sg.id, 1, true, null, "-e1-"], count: port.numberValue }) }),
    list: Lazy.listValue({ produce: () => [sg.id, "b"] }),
    number: Lazy.numberValue({ produce: () => 7 }),
    holes: [1, undefined, "b", null],
  });
  new TerraformOutput(stack, "lb_names", { value: lb.name, sensitive: true });
  new TerraformOutput(stack, "all", { value: { sg: sg.id, zones: zones.listValue, n: port.numberValue } });
  new TerraformOutput(stack, "number", { value: Token.asString(port.numberValue) });
}

/** A seeded random JSON-like value with tokens of every kind among plain data. */
function randomValue(seed: number, tokens: readonly unknown[]): unknown {
  let s = seed;
  const rnd = (n: number) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const words = ["edge", "e1", "-e1-", "1e5", "x.e+2", "${literal}", "%{x}", "", "ü", "a-e-b", "443", "-1.5e-3", "TfToken"];
  const leaf = (): unknown => {
    switch (rnd(8)) {
      case 0:
        return rnd(100000) / (rnd(3) + 1);
      case 1:
        return rnd(2) === 0;
      case 2:
        return null;
      case 3:
        return tokens[rnd(tokens.length)];
      case 4:
        return `${words[rnd(words.length)]}${rnd(2) === 0 ? " " : "-"}${String(tokens[rnd(tokens.length)])}`;
      default:
        return words[rnd(words.length)];
    }
  };
  const value = (depth: number): unknown => {
    if (depth > 4 || rnd(3) === 0) return leaf();
    if (rnd(2) === 0) return Array.from({ length: rnd(4) }, () => value(depth + 1));
    const o: Record<string, unknown> = {};
    for (let i = rnd(4); i > 0; i--) o[`${words[rnd(words.length)]}${i}`] = value(depth + 1);
    return o;
  };
  return value(0);
}

describe("resolveTokensSparingly", () => {
  it("writes what cdktf's resolver writes for every built-in environment and example", () => {
    const examples = readdirSync(join(root, "envs/examples"))
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .map((f) => join(root, "envs/examples", f));
    const envs: Env[] = loadEnvironments({ builtins: DEMO_ENVS, files: examples }).map((l) => l.env);
    const build = (app: App) => void buildAll(app, envs);
    const plain = synth(build, false);
    expect(Object.keys(plain).length).toBeGreaterThanOrEqual(12);
    expect(synth(build, true)).toEqual(plain);
  });

  it("writes what cdktf's resolver writes for references, functions, list, map and number tokens, iterators, lazies and overrides", () => {
    const plain = synth(everyKindOfToken, false);
    expect(plain.tokens).toContain("${aws_security_group.sg-e1-x.id}");
    expect(plain.tokens).toContain('"Name": "sg ${var.port} e1"');
    expect(plain.tokens).toContain('"description": "port ${var.port} open; literal ${not.a.reference}');
    expect(plain.tokens).toContain("dynamic");
    expect(synth(everyKindOfToken, true)).toEqual(plain);
  });

  it("writes what cdktf's resolver writes for random data holding tokens", () => {
    const build = (app: App) => {
      const stack = new TerraformStack(app, "random");
      const v = new TerraformVariable(stack, "v", { type: "any" });
      const tokens = [v.stringValue, v.numberValue, v.listValue, v.value, Fn.upper(v.stringValue), Lazy.anyValue({ produce: () => ({ a: [v.stringValue] }) }), Token.asString(v.numberValue)];
      for (let seed = 1; seed <= 150; seed++) new TerraformLocal(stack, `l${seed}`, randomValue(seed, tokens));
      stack.addOverride("locals.override", randomValue(999, tokens));
    };
    expect(synth(build, true)).toEqual(synth(build, false));
  });

  it.each([
    ["a function", (s: TerraformStack) => s.addOverride("locals.f", () => 1)],
    ["a construct", (s: TerraformStack) => s.addOverride("locals.c", { nested: [new TerraformStack(s.node.scope as App, "other")] })],
    ["a list token among strings", (s: TerraformStack) => s.addOverride("locals.l", ["a", ...new TerraformVariable(s, "v", {}).listValue])],
    ["a list token as a string", (s: TerraformStack) => s.addOverride("locals.l", new TerraformVariable(s, "v", {}).listValue[0])],
    ["a map placeholder as a string", (s: TerraformStack) => s.addOverride("locals.m", Token.STRING_MAP_TOKEN_VALUE)],
    ["a reference cycle", (s: TerraformStack) => {
      const cycle: Record<string, unknown> = {};
      cycle.self = [cycle];
      s.addOverride("locals.cycle", cycle);
    }],
  ])("fails with cdktf's own error for %s", (_what, build) => {
    const plain = failure(build, false);
    expect(plain).not.toBe("");
    expect(failure(build, true)).toBe(plain);
  });

  it("changes the stacks' toTerraform only, swaps cdktf's resolve only while it runs, and can be undone", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "gh-tuning-")), stackTraces: false });
    const stacks = [new TerraformStack(app, "a"), new TerraformStack(app, "b")];
    const cdktfResolve = tokensModule.resolve;
    let during: unknown;
    new TerraformLocal(stacks[0] as TerraformStack, "spy", Lazy.anyValue({ produce: () => ((during = tokensModule.resolve), 1) }));
    const restore = resolveTokensSparingly(app, {});
    expect(resolveTokensSparingly(app, {})).toBeInstanceOf(Function); // a second call wraps nothing twice
    for (const s of stacks) expect(Object.prototype.hasOwnProperty.call(s, "toTerraform")).toBe(true);
    expect(tokensModule.resolve).toBe(cdktfResolve);
    stacks[0]?.toTerraform();
    expect(during).not.toBe(cdktfResolve);
    expect(tokensModule.resolve).toBe(cdktfResolve);
    expect(new TerraformStack(app, "c").toTerraform).toBe(TerraformStack.prototype.toTerraform);
    restore();
    for (const s of stacks) expect(Object.prototype.hasOwnProperty.call(s, "toTerraform")).toBe(false);
    stacks[0]?.toTerraform();
    expect(during).toBe(cdktfResolve);
  });

  it("restores cdktf's resolve when toTerraform throws", () => {
    const cdktfResolve = tokensModule.resolve;
    expect(failure((s) => s.addOverride("locals.f", () => 1), true)).toMatch(/function/i);
    expect(tokensModule.resolve).toBe(cdktfResolve);
  });

  it("changes nothing with GATEHOUSE_PLAIN_RESOLVE=1", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "gh-tuning-")), stackTraces: false });
    const stack = new TerraformStack(app, "a");
    resolveTokensSparingly(app, { GATEHOUSE_PLAIN_RESOLVE: "1" })();
    resolveTokensSparingly(app, { GATEHOUSE_PLAIN_RESOLVE: "1" });
    expect(Object.prototype.hasOwnProperty.call(stack, "toTerraform")).toBe(false);
  });
});
