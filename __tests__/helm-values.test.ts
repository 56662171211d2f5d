/**
 * Values Terraform fills in reach Helm as the same string. Every helm_release of every demo
 * environment and example is evaluated the way Terraform evaluates it, once with a safe stand-in
 * for each reference and once with each of a list of hostile but real cloud values, and the
 * YAML helm would parse must hold the hostile value exactly where the stand-in was. Then the real
 * charts render the two cases that broke plans: Google's IPv6 address ending in `::` (ingress-nginx
 * on GKE) and an account id with a leading zero (the AWS Gateway API controller).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { TerraformStack, Testing, Token } from "cdktf";
import { DataGoogleComputeGlobalAddress } from "@cdktf/provider-google/lib/data-google-compute-global-address";
import { Release } from "@cdktf/provider-helm/lib/release";
import { DEMO_ENVS } from "../envs/examples/demo";
import { loadEnvironments } from "../modules/config/loader";
import { helmValues } from "../modules/k8s/manifests";
import { renderChart, terraformStringValue } from "./helpers/helm";
import { resources, synthEnvs, type TfJson } from "./helpers/synth";

const root = join(__dirname, "..");
const examples = readdirSync(join(root, "envs/examples"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join(root, "envs/examples", f));
const envs = loadEnvironments({ builtins: DEMO_ENVS, files: examples }).map((l) => l.env);
const stacks: Record<string, TfJson> = synthEnvs(envs);

/** What clouds really return, and what YAML would misread if it reached it bare. */
const HOSTILE = [
  "2600:1901:0:5aa8::", // Google's global IPv6 addresses end in "::": a mapping indicator at the end of a line
  "012345678901", // an AWS account id: a number to YAML, which loses the zero
  "123456789012", // Helm prints big integers as floats (1.23456789012e+11)
  "arn:aws:iam::012345678901:role/gatehouse-lattice",
  "a: b #c",
  "yes",
  "1e3",
  "null",
  "~",
  "- item",
  "{x: 1}",
  "[1, 2]",
  '"quoted" \\back',
  "multi\nline",
  "&anchor *alias !tag %directive @at `tick`",
  "${not-an-interpolation} %{ not-a-directive }",
  "<html> & </html>",
  "",
];

/** Safe stand-in for a reference, recognizable inside any string. */
const marker = (reference: string) => `REF<${reference}>`;
const MARKER = /REF<[^>]*>/g;

interface Found {
  readonly stack: string;
  readonly release: string;
  readonly index: number;
  readonly text: string;
}

const releases: Found[] = Object.entries(stacks).flatMap(([stack, json]) =>
  Object.entries(resources(json, "helm_release")).flatMap(([id, r]) => ((r.values as string[] | undefined) ?? []).map((text, index) => ({ stack, release: id, index, text }))),
);

/** The values as helm parses them after Terraform filled every reference in with `fill`. */
const parsed = (text: string, fill: (reference: string) => string): unknown => parse(terraformStringValue(text, fill)) as unknown;

/** The stand-in structure with every marker replaced by `value`: what helm must see. */
function expected(v: unknown, value: string): unknown {
  if (typeof v === "string") return v.replace(MARKER, () => value);
  if (Array.isArray(v)) return v.map((x) => expected(x, value));
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expected(x, value)]));
  return v;
}

/** Every string of the parsed values that holds a reference, with its path. */
function withReferences(v: unknown, path: string[] = []): Array<{ path: string; value: string }> {
  if (typeof v === "string") return MARKER.test(v) ? [{ path: path.join("."), value: v }] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => withReferences(x, [...path, String(i)]));
  if (v !== null && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => withReferences(x, [...path, k]));
  return [];
}

describe("values Terraform fills in, inside Helm's YAML", () => {
  const withRefs = releases.filter((r) => withReferences(parsed(r.text, marker)).length > 0);

  it("are found where they matter: GKE's trusted addresses, NGINX Gateway Fabric's, the Lattice controller's account id", () => {
    const places = withRefs.flatMap((r) => withReferences(parsed(r.text, marker)).map((p) => `${r.stack}: ${p.path} = ${p.value}`));
    expect(places).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^prod-gcp-cluster-prod-euw1: controller\.config\.proxy-real-ip-cidr = 130\.211\.0\.0\/22,35\.191\.0\.0\/16,REF<data\.google_compute_global_address\.[^>]*v4[^>]*\.address>,REF<data\.google_compute_global_address\.[^>]*v6[^>]*\.address>$/),
        expect.stringMatching(/^example-lattice-aws-cluster: awsAccountId = REF<data\.aws_caller_identity\.account\.account_id>$/),
        expect.stringMatching(/^example-ngf-gcp-cluster-[^:]+: .*trustedAddresses\.\d+\.value = REF<data\.google_compute_global_address\./),
      ]),
    );
  });

  it("never stand bare in the YAML text: each string holding one is a single jsonencode scalar", () => {
    for (const r of withRefs)
      for (const line of r.text.split("\n").filter((l) => l.includes("${")))
        expect([r.stack, line]).toEqual([r.stack, expect.stringMatching(/^\s*(?:- )?(?:[^:]+: )?\$\{jsonencode\((?:[A-Za-z0-9_.\-[\]]+|join\("", \[.*\]\))\)\}$/)]);
  });

  it.each(HOSTILE.map((h) => [JSON.stringify(h), h]))("come out of the YAML exactly as the cloud returned them: %s", (_label, hostile) => {
    expect(withRefs.length).toBeGreaterThanOrEqual(4);
    for (const r of releases) {
      const standIn = parsed(r.text, marker);
      expect([r.stack, r.release, r.index, parsed(r.text, () => hostile)]).toEqual([r.stack, r.release, r.index, expected(standIn, hostile)]);
    }
  });

  it("keep any literal text around a reference, braces and quotes included, and escape it once", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "t");
    const address = new DataGoogleComputeGlobalAddress(stack, "a", { name: "x" }).address;
    const literals = ['} ${x} {', '"q" \\ $${y} %{z}', "a: b\n- c", "{{ .Values.x }}", "\u0000\u001b\u2028", ""];
    const values = Object.fromEntries(literals.flatMap((l, i) => [[`before-${i}`, `${l}${address}`], [`around-${i}`, `${l}${address}${l}${address}${l}`], [`plain-${i}`, l]]));
    new Release(stack, "r", { name: "r", chart: "c", values: [helmValues(values)] });
    const text = (JSON.parse(Testing.synth(stack)) as TfJson).resource?.helm_release?.r?.values as string[];
    for (const hostile of HOSTILE) {
      const want = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.split(address).join(hostile)]));
      expect(parsed(text[0] ?? "", () => hostile)).toEqual(want);
    }
  });
});

describe("what a values document refuses to carry", () => {
  const stack = new TerraformStack(Testing.app(), "t");
  const address = new DataGoogleComputeGlobalAddress(stack, "a", { name: "x" }).address;

  it("a key Terraform fills in: keys are names from the configuration", () => {
    expect(() => helmValues({ [address]: "v" })).toThrow(/^gatehouse: a Helm value key holds a Terraform reference \(\$\{TfToken\[TOKEN\.\d+\]\}\); keys are names from the configuration$/);
  });

  it("a number Terraform fills in: YAML would read it as whatever the text looks like", () => {
    expect(() => helmValues({ port: Token.asNumber(address) })).toThrow("gatehouse: a Helm value holds a number Terraform fills in; pass it as a string");
  });
});

describe("the charts render what the cloud returned", () => {
  const find = (stack: string, chart: string) => {
    const r = Object.values(resources(stacks[stack] as TfJson, "helm_release")).find((x) => x.chart === chart || x.name === chart) as { name: string; namespace: string; values: string[] };
    expect(r).toBeDefined();
    return r;
  };

  it("ingress-nginx on GKE with IPv6: proxy-real-ip-cidr ends in Google's `::` address, and the chart renders", () => {
    const r = find("prod-gcp-cluster-prod-euw1", "ingress-nginx");
    const values = terraformStringValue(r.values[0] ?? "", (ref) => (ref.includes("v6") ? "2600:1901:0:5aa8::" : "34.117.0.10"));
    const objects = renderChart({ release: r.name, namespace: r.namespace, values });
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "ingress-nginx-controller") as { data: Record<string, string> } | undefined;
    expect(cm?.data["proxy-real-ip-cidr"]).toBe("130.211.0.0/22,35.191.0.0/16,34.117.0.10,2600:1901:0:5aa8::");
  });

  it.each(["012345678901", "123456789012"])("the AWS Gateway API controller gets account id %s as the same text", (account) => {
    const r = find("example-lattice-aws-cluster", "aws-gateway-controller-chart");
    const values = terraformStringValue(r.values[0] ?? "", (ref) => (ref.endsWith("account_id") ? account : `stand-in-${ref}`));
    const objects = renderChart({ release: r.name, namespace: r.namespace, values, chartDir: join(__dirname, "fixtures/charts/aws-gateway-controller-v2.1.3") });
    const deployment = objects.find((o) => o.kind === "Deployment") as { spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string; value?: string }> }> } } } } | undefined;
    const env = deployment?.spec.template.spec.containers.flatMap((c) => c.env ?? []) ?? [];
    expect(env.find((e) => e.name === "AWS_ACCOUNT_ID")?.value).toBe(account);
  });
});
