/**
 * npm run new-env: a starting environment for every shape and controller that loads, plans and
 * synthesizes as written, comments each field with the JSON Schema's own description, marks what
 * the team must replace, and never overwrites a file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument, isMap, isPair, isScalar, type Node, type Pair } from "yaml";
import { loadEnvironments } from "../modules/config/loader";
import { CONTROLLER_KINDS } from "../modules/k8s/controllers/plugin";
import { describeField, newEnv, parseArgs, SHAPES, starter } from "../scripts/new-env";
import { synthEnvs } from "./helpers/synth";

const work = mkdtempSync(join(tmpdir(), "gh-new-env-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const schema = JSON.parse(readFileSync(join(__dirname, "..", "envs", "gatehouse.schema.json"), "utf8")) as Parameters<typeof describeField>[0];

const cases = SHAPES.flatMap((shape) => CONTROLLER_KINDS.filter((c) => shape !== "lattice" || c === "ingress-nginx").map((controller) => ({ shape, controller })));

/** Every key of a YAML document with its path and the comment above it. */
function keysWithComments(text: string): Array<{ path: string; comment?: string }> {
  const out: Array<{ path: string; comment?: string }> = [];
  const walk = (node: unknown, path: string[]) => {
    if (isMap(node))
      (node.items as Pair<Node, Node>[]).forEach((pair, i) => {
        if (!isPair(pair) || !isScalar(pair.key)) return;
        const p = [...path, String(pair.key.value)];
        // A comment above a map's first key is read back as the map's own.
        out.push({ path: p.join("."), comment: pair.key.commentBefore ?? (i === 0 ? node.commentBefore : undefined) ?? undefined });
        walk(pair.value, p);
      });
  };
  walk(parseDocument(text).contents, []);
  return out;
}

describe("npm run new-env", () => {
  it.each(cases)("$shape with $controller: loads, plans and synthesizes as written", ({ shape, controller }) => {
    const dir = mkdtempSync(join(work, `${shape}-`));
    const name = `team-${shape.replace(/[^a-z]/g, "").replace(/aws|gke/g, "x").slice(0, 8)}`;
    const file = newEnv({ name, shape, controller, dir });
    expect(file).toBe(join(dir, `${name}.yaml`));
    const text = readFileSync(file, "utf8");
    expect(text.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=.*gatehouse\.schema\.json$/);
    const [loaded] = loadEnvironments({ builtins: [], files: [file] });
    expect(loaded?.env.name).toBe(name);
    expect(loaded?.env.controller.kind).toBe(controller);
    const stacks = Object.keys(synthEnvs([loaded?.env as never]));
    expect(stacks.length).toBeGreaterThanOrEqual(2);
    expect(stacks.every((s) => s.startsWith(`${name}-`))).toBe(true);
    if (shape.includes("gke")) expect(stacks).toContain(`${name}-gcp-edge`);
    if (shape !== "gke") expect(stacks).toContain(`${name}-aws-edge`);
    if (shape === "api-gateway") expect(stacks).toContain(`${name}-aws-api`);
    if (shape === "lattice") expect(stacks).toContain(`${name}-aws-lattice`);
  });

  it("comments every field with the schema's description, and marks every value to replace", () => {
    const dir = mkdtempSync(join(work, "comments-"));
    const s = starter("shop", "aws-and-gke", "nginx-gateway-fabric");
    const text = readFileSync(newEnv({ name: "shop", shape: "aws-and-gke", controller: "nginx-gateway-fabric", dir }), "utf8");
    const keys = keysWithComments(text);
    let described = 0;
    for (const k of keys) {
      const desc = describeField(schema, k.path.split("."));
      if (desc === undefined) continue;
      described++;
      // The comment is the description, wrapped (the file's header reads back as part of the first key's).
      const comment = (k.comment ?? "").replace(/\s+/g, " ").trim();
      const expected = desc.replace(/\s+/g, " ").trim();
      expect([k.path, k.path === "name" ? comment.slice(-expected.length) : comment]).toEqual([k.path, expected]);
    }
    expect(described).toBeGreaterThanOrEqual(10);
    for (const [path, note] of Object.entries(s.yours)) expect([path, text.includes(`← yours: ${note}`)]).toEqual([path, true]);
    expect(Object.keys(s.yours)).toEqual(expect.arrayContaining(["aws.vpc.id", "aws.nlb.subnets", "gcp.project", "gcp.dns.zone", "controller.config.httpsCertificateSecret"]));
  });

  it("finds descriptions through unions, maps and lists of the schema", () => {
    expect(describeField(schema, ["ports", "https", "tls"])).toMatch(/^Where the client's TLS ends/);
    expect(describeField(schema, ["gcp", "clusters", "0", "capacity"])).toBeDefined();
    expect(describeField(schema, ["ports", "tcp", "mqtt", "backend"])).toMatch(/In-cluster backend/);
    expect(describeField(schema, ["no", "such", "field"])).toBeUndefined();
  });

  it("never overwrites a file, and writes nothing for a name the schema refuses", () => {
    const dir = mkdtempSync(join(work, "refuse-"));
    writeFileSync(join(dir, "shop.yaml"), "mine");
    expect(() => newEnv({ name: "shop", shape: "aws-nlb", controller: "ingress-nginx", dir })).toThrow(/shop\.yaml exists; gatehouse never overwrites an environment/);
    expect(readFileSync(join(dir, "shop.yaml"), "utf8")).toBe("mine");
    expect(() => newEnv({ name: "shop-aws", shape: "aws-nlb", controller: "ingress-nginx", dir })).toThrow(/shop-aws \(.*shop-aws\.yaml:\d+\): name \(got "shop-aws"\): must not contain the words "aws" or "gcp"/);
    expect(() => newEnv({ name: "Shop", shape: "aws-nlb", controller: "ingress-nginx", dir })).toThrow(/must be 1-20 lowercase letters/);
    expect(readFileSync(join(dir, "shop.yaml"), "utf8")).toBe("mine");
    expect(readdirSync(dir)).toEqual(["shop.yaml"]);
  });

  it("names the accepted shapes and controllers when an argument is wrong", () => {
    expect(parseArgs(["shop"])).toEqual({ name: "shop", shape: "aws-nlb", controller: "ingress-nginx", dir: "envs" });
    expect(parseArgs(["shop", "--shape", "gke", "--controller", "istio"])).toEqual({ name: "shop", shape: "gke", controller: "istio", dir: "envs" });
    expect(parseArgs(["shop", "--shape", "alb"])).toEqual({ error: `--shape alb: must be one of ${SHAPES.join(", ")}` });
    expect(parseArgs(["shop", "--controller", "traefik"])).toEqual({ error: "--controller traefik: must be one of ingress-nginx, nginx-gateway-fabric, istio" });
    expect(parseArgs([])).toEqual({ error: expect.stringContaining("name the environment; usage: npm run new-env -- <name>") });
    expect(parseArgs(["shop", "--shape", "lattice", "--controller", "istio"])).toEqual({ error: expect.stringContaining("the lattice shape routes through the AWS Gateway API controller") });
  });
});
