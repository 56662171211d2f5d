/**
 * What the clouds refuse at apply, refused at synth instead: each class is generated (every
 * reserved prefix spelling, every refused character, both sides of each limit, the quantity
 * grammar) and each case goes through the loader as a user's environment would, asserting the
 * exact field path and message. The last test reads a YAML file and checks every problem's
 * file:line. Where the plan restates what the stacks write (gatehouse's own tags, security group
 * names, workspace names), a test compares the two.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadEnvironments } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import { ConfigError, type Problem } from "../modules/core/errors";
import { CONTROLLER_KINDS } from "../modules/k8s/controllers/plugin";
import { controllerPlugin } from "../modules/k8s/controllers";
import { awsSecurityGroupNames, gatehouseAwsTags, planEnvironment } from "../modules/plan";
import * as rules from "../modules/core/rules";
import { workspaceName } from "../modules/stacks/state";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import { loadFailures, reportLines } from "./helpers/problems";
import { parseEnv, synthEnvs } from "./helpers/synth";

const work = mkdtempSync(join(tmpdir(), "gh-limits-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const problems = loadFailures;
const lines = reportLines;

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
const tlsAtNlb = (nlbTls: Record<string, unknown> = {}): EnvInput =>
  patch(awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), { aws: { nlb: { tls: { certificateArn: CERT, ...nlbTls } } } });
const internalAws = (aws: Record<string, unknown>, env: Partial<EnvInput> = {}): EnvInput => patch(patch(awsEnv(env), { aws: { nlb: { internetFacing: false } } }), { aws });
const SERVICE = { listenerPort: 8081, nodePort: 31081, namespace: "shop", targetPort: 8080 };
const withSelector = (selector: Record<string, string>): EnvInput => awsEnv({ ports: { services: { orders: { ...SERVICE, selector } } } });

/** Every upper/lower-case spelling of a text. */
function spellings(text: string): string[] {
  return [...text].reduce<string[]>((acc, ch) => acc.flatMap((s) => [...new Set([s + ch.toLowerCase(), s + ch.toUpperCase()])]), [""]);
}

describe("AWS tags", () => {
  it.each(spellings("aws:"))("refuses tag keys and values starting %s", (prefix) => {
    expect(lines(awsEnv({ tags: { [`${prefix}owner`]: "platform" } }))).toEqual([`t: tags.${prefix}owner (got "${prefix}owner"): tag keys must not start with "aws:" (in any case): AWS reserves the prefix`]);
    expect(lines(awsEnv({ tags: { owner: `${prefix}platform` } }))).toEqual([`t: tags.owner (got "${prefix}platform"): tag values must not start with "aws:" (in any case): AWS reserves the prefix`]);
  });

  // Every printable ASCII character outside letters, digits, space and + - = . _ : / @, and some controls.
  const refusedChars = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).filter((c) => !/[A-Za-z0-9 +\-=._:/@]/.test(c)), "\u0000", "\t", "\n", "\u007f"];
  it.each(refusedChars.map((c) => [JSON.stringify(c), c]))("refuses %s in a tag key or value (Elastic Load Balancing's tag pattern)", (_shown, c) => {
    const key = `a${c}b`;
    // "${" and "%{" also meet the template rule; "$" and "%" alone meet only this one.
    expect(lines(awsEnv({ tags: { [key]: "v" } }))).toContain(`t: tags.${key} (got ${JSON.stringify(key)}): tag keys take letters, numbers, spaces and + - = . _ : / @ only (Elastic Load Balancing refuses the rest)`);
    expect(lines(awsEnv({ tags: { k: key } }))).toContain(`t: tags.k (got ${JSON.stringify(key)}): tag values take letters, numbers, spaces and + - = . _ : / @ only (Elastic Load Balancing refuses the rest)`);
  });

  it("takes every character the pattern allows: letters and numbers of any script, spaces, + - = . _ : / @", () => {
    expect(lines(awsEnv({ tags: { "a+b-c=d.e_f:g/h@i j": "é日本 ٣ +-=._:/@", "cost center": "" } }))).toEqual([]);
  });

  it("refuses leading and trailing spaces, and keys and values over ELB's lengths", () => {
    expect(lines(awsEnv({ tags: { " team": "a" } }))).toEqual(['t: tags. team (got " team"): tag keys must not start or end with a space']);
    expect(lines(awsEnv({ tags: { team: "a " } }))).toEqual(['t: tags.team (got "a "): tag values must not start or end with a space']);
    expect(lines(awsEnv({ tags: { ["k".repeat(127)]: "v".repeat(255) } }))).toEqual([]);
    expect(lines(awsEnv({ tags: { ["k".repeat(128)]: "v" } }))).toEqual([`t: tags.${"k".repeat(128)} (got "${"k".repeat(128)}"): tag keys are at most 127 characters on Elastic Load Balancing`]);
    expect(lines(awsEnv({ tags: { k: "v".repeat(256) } }))).toEqual([`t: tags.k (got "${"v".repeat(256)}"): tag values are at most 255 characters on Elastic Load Balancing`]);
  });

  it("counts gatehouse's own tags: 46 of the environment's fit on the NLB beside its 4, 47 do not", () => {
    const tags = (n: number, extra: Record<string, string> = {}) => ({ ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, "v"])), ...extra });
    expect(lines(awsEnv({ tags: tags(46) }))).toEqual([]);
    expect(lines(awsEnv({ tags: tags(47) }))).toEqual([
      "t: tags (got 47): 47 tags and gatehouse's own on the NLB (gatehouse:env, gatehouse:managed-by, kubernetes.io/cluster/eks, kubernetes.io/service-name) make 51; AWS takes at most 50 tags per resource: drop 1",
    ]);
    // A tag gatehouse sets too is one tag.
    expect(lines(awsEnv({ tags: tags(46, { "kubernetes.io/service-name": "x" }) }))).toEqual([]);
  });

  it("refuses a cluster name the NLB's kubernetes.io/cluster tag cannot carry", () => {
    expect(lines(patch(awsEnv(), { aws: { cluster: { name: "eks#1" } } }))).toEqual([
      't: aws.cluster.name (got "eks#1"): names the NLB\'s tag "kubernetes.io/cluster/eks#1": tag keys take letters, numbers, spaces and + - = . _ : / @ only (Elastic Load Balancing refuses the rest)',
    ]);
  });

  it("lists every tag key the stacks write besides the environment's (gatehouseAwsTags)", () => {
    const env = internalAws({ nlb: { securityGroup: { mode: "create" } }, apiGateway: { routes: { "ANY /{proxy+}": "https" }, tlsServerName: "api.example.com" }, lattice: {} }, { tags: { team: "platform" } });
    const stacks = synthEnvs([env]);
    const sets = gatehouseAwsTags("eks").map((s) => new Set(s.keys));
    let tagged = 0;
    for (const json of Object.values(stacks)) {
      const defaults = Object.keys(((json.provider?.aws?.[0]?.default_tags as Array<{ tags: Record<string, string> }> | undefined) ?? [])[0]?.tags ?? {});
      for (const byId of Object.values(json.resource ?? {}))
        for (const r of Object.values(byId)) {
          if (typeof r.tags !== "object" || r.tags === null) continue;
          tagged++;
          const own = [...new Set([...Object.keys(r.tags), ...defaults])].filter((k) => k !== "team");
          expect(sets.some((s) => own.every((k) => s.has(k)))).toBe(true);
        }
    }
    expect(tagged).toBeGreaterThan(5);
  });
});

describe("GCP labels", () => {
  it.each(["1team", "_team", "-team", "9", "üser"])("refuses tag %s, whose label key would not start with a letter", (key) => {
    const label = rules.gcpLabelText(key);
    expect(lines(gcpEnv({ tags: { [key]: "v" } }))).toEqual([`g: tags.${key} (got "${key}"): becomes the GCP label key "${label}", and label keys must start with a lowercase letter: start the tag with a letter`]);
  });

  // Pairs of tags gatehouse turns into one label: case, punctuation, spaces, non-ASCII, the 63-character cut.
  const collapsing: Array<[string, string]> = [
    ["Team", "team"],
    ["cost_center", "cost.center"],
    ["cost center", "cost-center".replace("-", "_")],
    ["xé", "x_"],
    [`${"k".repeat(63)}a`, `${"k".repeat(63)}b`],
  ];
  it.each(collapsing)("refuses tags %s and %s, which become one label", (a, b) => {
    const label = rules.gcpLabelText(a);
    expect(lines(gcpEnv({ tags: { [a]: "1", [b]: "2" } }))).toEqual([
      `g: tags.${b} (got "${b}"): becomes the GCP label "${label}", as tags.${a} does (labels are lowercase, with "_" for other characters, at most 63 characters); GCP labels need distinct keys: rename one`,
    ]);
  });

  it.each(["managed-by", "Managed-By", "MANAGED-BY", "gatehouse-env", "Gatehouse-Env"])("refuses tag %s, which becomes one of gatehouse's own labels", (key) => {
    expect(lines(gcpEnv({ tags: { [key]: "x" } }))).toEqual([
      `g: tags.${key} (got "${key}"): becomes the GCP label "${key.toLowerCase()}", which gatehouse sets itself (gatehouse-env, managed-by): rename the tag`,
    ]);
  });

  it("takes 62 tags beside gatehouse's 2 labels, not 63", () => {
    const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`tag${i}`, "v"]));
    expect(lines(gcpEnv({ tags: tags(62) }))).toEqual([]);
    expect(lines(gcpEnv({ tags: tags(63) }))).toEqual(["g: tags (got 63): make 65 GCP labels with gatehouse's own (gatehouse-env, managed-by); GCP takes at most 64 labels per resource"]);
  });

  it("leaves AWS-only rules out of a GCP-only environment, and GCP-only rules out of an AWS-only one", () => {
    expect(lines(gcpEnv({ tags: { "aws:x": "a#b" } }))).toEqual([]);
    expect(lines(awsEnv({ tags: { Team: "a", team: "b" } }))).toEqual([]);
  });
});

describe("security group names", () => {
  it("refuses an environment whose security group names would start sg-", () => {
    const sg = { ...internalAws({ nlb: { securityGroup: { mode: "create" } }, apiGateway: { routes: { "ANY /{proxy+}": "http" } }, lattice: {} }), name: "sg" };
    expect(lines(sg)).toEqual([
      'sg: name (got "sg"): would name a security group "sg--eks-nlb", and EC2 refuses group names starting "sg-" (they look like group ids)',
      'sg: name (got "sg"): would name a security group "sg-gatehouse-lattice-clients", and EC2 refuses group names starting "sg-" (they look like group ids)',
      'sg: name (got "sg"): would name a security group "sg--gatehouse--api-vpc-link", and EC2 refuses group names starting "sg-" (they look like group ids)',
    ]);
    expect(lines(internalAws({ lattice: { serviceNetworkName: "sg-net" } }))).toEqual([
      't: aws.lattice.serviceNetworkName (got "sg-net"): would name a security group "sg-net-lattice-clients", and EC2 refuses group names starting "sg-" (they look like group ids)',
    ]);
    expect(lines({ ...awsEnv(), name: "sgx" })).toEqual([]);
  });

  it("checks every security group name the stacks write (awsSecurityGroupNames)", () => {
    const env = internalAws({ nlb: { securityGroup: { mode: "create" } }, apiGateway: { routes: { "ANY /{proxy+}": "http" } }, lattice: {} });
    const written = Object.values(synthEnvs([env])).flatMap((s) => Object.values(s.resource?.aws_security_group ?? {}).map((g) => g.name));
    expect(written.sort()).toEqual(awsSecurityGroupNames(planEnvironment(parseEnv(env))).map(([, n]) => n).sort());
    expect(written).toHaveLength(3);
  });
});

describe("HCP Terraform workspace names", () => {
  const cloud = (workspacePrefix: string) => ({ type: "cloud" as const, organization: "acme", workspacePrefix });
  it("takes the longest prefix whose longest workspace name is 90 characters, and refuses one more", () => {
    const aws = (prefix: string) => internalAws({ apiGateway: { routes: { "ANY /{proxy+}": "http" } }, lattice: {} }, { state: cloud(prefix) });
    expect(lines(aws("p".repeat(76)))).toEqual([]);
    expect(lines(aws("p".repeat(77)))).toEqual([
      `t: state.workspacePrefix (got "${"p".repeat(77)}"): makes the workspace name "${"p".repeat(77)}-t-aws-cluster" 91 characters long; HCP Terraform takes at most 90: shorten the prefix to at most 76 characters`,
    ]);
    const gcp = (prefix: string) => patch(gcpEnv({ state: cloud(prefix) }), { gcp: { clusters: [{ name: "a".repeat(20), location: "europe-west1", zones: ["europe-west1-b"] }] } });
    expect(lines(gcp("p".repeat(55)))).toEqual([]);
    expect(lines(gcp("p".repeat(56)))).toEqual([
      `g: state.workspacePrefix (got "${"p".repeat(56)}"): makes the workspace name "${"p".repeat(56)}-g-gcp-cluster-${"a".repeat(20)}" 91 characters long; HCP Terraform takes at most 90: shorten the prefix to at most 55 characters`,
    ]);
  });

  it("measures the names the state backend writes", () => {
    const env = internalAws({ apiGateway: { routes: { "ANY /{proxy+}": "http" } }, lattice: {} }, { state: cloud("p".repeat(76)) });
    const names = Object.entries(synthEnvs([env])).map(([stack, json]) => {
      const name = (json.terraform?.cloud as { workspaces: { name: string } }).workspaces.name;
      expect(name).toBe(workspaceName("p".repeat(76), stack));
      return name.length;
    });
    expect(Math.max(...names)).toBe(90);
  });
});

describe("route hosts", () => {
  const ips = ["10.0.0.1", "010.000.000.001", "255.255.255.255", "0.0.0.0", "192.168.1.1"];
  const names = ["1.2.3", "256.1.1.1", "1.2.3.4.example.com", "10-0-0-1.example.com"];
  const message = "must be a DNS name, not an IP address: Ingress and HTTPRoute hosts (and certificates) take names only";
  it.each(ips)("refuses the IP address %s as a route host (controller and Lattice routes)", (host) => {
    expect(lines(awsEnv({ routes: { web: { host, backend: "shop/web:80" } } }))).toEqual([`t: routes.web.host (got "${host}"): ${message}`]);
    expect(lines(internalAws({ lattice: { routes: { web: { host, backend: "shop/web:80" } } } }))).toEqual([`t: aws.lattice.routes.web.host (got "${host}"): ${message}`]);
    expect(lines(patch(gcpEnv(), { hostnames: [host] }))).toContain(`g: hostnames.0 (got "${host}"): ${message}`);
  });
  it.each(names)("takes %s, which only looks like an address", (host) => {
    expect(lines(awsEnv({ routes: { web: { host, backend: "shop/web:80" } } }))).toEqual([]);
  });
});

describe("label selectors", () => {
  it("refuses an empty selector", () => {
    expect(lines(withSelector({}))).toEqual([
      "t: ports.services.orders.selector (got {}): must name at least one label: Kubernetes takes a Service with an empty selector for one without a selector and sends it no pods",
    ]);
  });
  it.each(["-app", "app-", "a b", "a/b/c", "/app", "Example.com/app", `${"a".repeat(64)}`, `${"a".repeat(254)}/app`, "app.", "ä"])("refuses the label key %s", (key) => {
    expect(problems(withSelector({ [key]: "x" })).map((p) => [p.path, p.message])).toEqual([
      [`ports.services.orders.selector.${key}`, expect.stringMatching(/^(must be a Kubernetes label key|has the prefix ")/)],
    ]);
  });
  it.each(["-x", "x-", "a b", "a/b", "a".repeat(64), "ä"])("refuses the label value %s", (value) => {
    expect(lines(withSelector({ app: value }))).toEqual([
      `t: ports.services.orders.selector.app (got ${JSON.stringify(value)}): must be a Kubernetes label value: empty, or 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
    ]);
  });
  it("takes prefixed keys, empty values and every character the grammar allows", () => {
    expect(lines(withSelector({ "app.kubernetes.io/name": "orders", tier: "", "a_b.c-d": "X.y_z-1", [`${"p".repeat(253)}/n`]: "a".repeat(63) }))).toEqual([]);
  });
});

describe("NLB security policies", () => {
  it.each(rules.NLB_SSL_POLICIES)("takes %s", (policy) => {
    expect(lines(tlsAtNlb({ sslPolicy: policy }))).toEqual([]);
  });
  it("refuses a policy Network Load Balancers do not offer, naming the recommended ones", () => {
    expect(lines(tlsAtNlb({ sslPolicy: "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07" }))).toEqual([
      't: aws.nlb.tls.sslPolicy (got "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07"): is not a security policy Network Load Balancer TLS listeners offer (Elastic Load Balancing, "Security policies for your Network Load Balancer"; the RFC 9151 policies are for Application Load Balancers only); recommended: ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09, or gatehouse\'s default ELBSecurityPolicy-TLS13-1-2-2021-06',
    ]);
    expect(lines(tlsAtNlb({ sslPolicy: "elbsecuritypolicy-tls13-1-2-2021-06" }))).toEqual([
      't: aws.nlb.tls.sslPolicy (got "elbsecuritypolicy-tls13-1-2-2021-06"): is not a Network Load Balancer security policy; policy names are case-sensitive: did you mean ELBSecurityPolicy-TLS13-1-2-2021-06?',
    ]);
  });
});

describe("ACM certificates from another Region", () => {
  const other = "arn:aws:acm:us-east-1:123456789012:certificate/abc";
  it("refuses one on the NLB, the API's custom domain and the Lattice listener", () => {
    expect(lines(patch(tlsAtNlb(), { aws: { nlb: { tls: { certificateArn: other } } } }))).toEqual([
      `t: aws.nlb.tls.certificateArn (got "${other}"): is in us-east-1; ACM certificates are regional, and this one must be in the environment's Region (aws.region: eu-west-1)`,
    ]);
    expect(lines(internalAws({ apiGateway: { routes: { "ANY /{proxy+}": "http" }, domain: { name: "api.example.com", certificateArn: other } } }))).toEqual([
      `t: aws.apiGateway.domain.certificateArn (got "${other}"): is in us-east-1, but a Regional custom domain name needs an ACM certificate in the API's Region (eu-west-1)`,
    ]);
    expect(lines(internalAws({ lattice: { https: { certificateArn: other } } }))).toEqual([
      `t: aws.lattice.https.certificateArn (got "${other}"): is in us-east-1; ACM certificates are regional, and this one must be in the environment's Region (aws.region: eu-west-1)`,
    ]);
  });
  it("takes one from the Region, and an IAM server certificate (global)", () => {
    expect(lines(tlsAtNlb())).toEqual([]);
    expect(lines(patch(tlsAtNlb(), { aws: { nlb: { tls: { certificateArn: "arn:aws:iam::123456789012:server-certificate/edge" } } } }))).toEqual([]);
  });
});

describe("S3 bucket names", () => {
  const accessLogs = (bucket: string) => patch(tlsAtNlb(), { aws: { nlb: { accessLogs: { bucket } } } });
  it.each(rules.S3_RESERVED_BUCKET_PREFIXES)("refuses the reserved prefix %s", (prefix) => {
    expect(lines(accessLogs(`${prefix}logs`))).toEqual([
      `t: aws.nlb.accessLogs.bucket (got "${prefix}logs"): must not start with "${prefix}": S3 reserves the prefixes xn--, sthree-, amzn-s3-demo- (general purpose bucket naming rules)`,
    ]);
  });
  it.each(rules.S3_RESERVED_BUCKET_SUFFIXES)("refuses the reserved suffix %s", (suffix) => {
    expect(lines(accessLogs(`logs${suffix}`))).toEqual([
      `t: aws.nlb.accessLogs.bucket (got "logs${suffix}"): must not end with "${suffix}": S3 reserves the suffixes -s3alias, --ol-s3, .mrap, --x-s3, --table-s3 for access point aliases, Multi-Region Access Points, directory and table buckets`,
    ]);
  });
  it("takes names that only contain the reserved words", () => {
    expect(lines(accessLogs("logs-xn--a.sthree-s3alias-x"))).toEqual([]);
  });
});

describe("Kubernetes quantities", () => {
  // The grammar: a signed number (1, 1.5, .5, 1.) and one suffix, binary, decimal or an exponent.
  const numbers = ["1", "1.5", ".5", "1.", "+2", "0", "100"];
  const suffixes = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "e3", "E-2", "e+1"];
  const valid = numbers.flatMap((n) => suffixes.map((s) => n + s));
  const invalid = ["", ".", "m", "1.2.3", "--1", "1e", "0x10", "1K", "1ki", "1mi", "1MB", "1 Mi", " 1", "1b", "1Mi1", "1e1.5", "one"];
  it("takes every number and suffix of the grammar", () => {
    for (const q of valid) expect([q, lines(awsEnv({ controller: { resources: { cpu: q, memory: q } } }))]).toEqual([q, []]);
  });
  it.each(invalid)("refuses %j", (q) => {
    expect(lines(awsEnv({ controller: { resources: { cpu: q } } }))).toEqual([
      `t: controller.resources.cpu (got ${JSON.stringify(q)}): must be a Kubernetes quantity: a number with an optional suffix, such as "100m", "0.5", "90Mi", "1Gi" or "1e3"`,
    ]);
  });
  it("refuses a negative request, and takes -0", () => {
    expect(lines(awsEnv({ controller: { resources: { memory: "-1Mi" } } }))).toEqual(['t: controller.resources.memory (got "-1Mi"): must not be negative: Kubernetes refuses negative resource requests']);
    expect(lines(awsEnv({ controller: { resources: { memory: "-0" } } }))).toEqual([]);
  });
});

describe("ConfigMap keys", () => {
  it.each([".", "..", "..x", "a b", "a/b", "a:b", "ä", "k".repeat(254)])("refuses the controller.config key %j", (key) => {
    expect(problems(awsEnv({ controller: { config: { [key]: "v" } } })).map((p) => [p.path, p.message])).toEqual([[`controller.config.${key}`, expect.stringMatching(/ConfigMap key/)]]);
  });
  it("takes letters, digits, - _ . and 253 characters", () => {
    // Whether the controller reads a key is another rule; none of these is refused as a ConfigMap key.
    const keyProblems = lines(awsEnv({ controller: { config: { "use-forwarded-headers": "true", "a.b_c-D9": "x", ["k".repeat(253)]: "v", ".x": "y" } } })).filter((l) => /must be a ConfigMap key|must not be "\."/.test(l));
    expect(keyProblems).toEqual([]);
  });
});

describe("header values", () => {
  const controls = [...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).filter((c) => c !== "\t"), "\u007f"];
  it.each(controls.map((c) => [`U+${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`, c]))("refuses %s in a custom header value", (code, c) => {
    const message = c === "\r" || c === "\n" ? "the value must be on one line" : `the value holds the control character ${code}: HTTP header values take visible characters, spaces and tabs only (RFC 9110 section 5.5)`;
    for (const field of ["customRequestHeaders", "customResponseHeaders"])
      expect(problems(patch(gcpEnv(), { gcp: { backends: { [field]: [`X-Test:a${c}b`] } } })).map((p) => [p.path, p.message])).toEqual([[`gcp.backends.${field}.0`, message]]);
  });
  it("takes tabs, spaces and text beyond ASCII", () => {
    expect(lines(patch(gcpEnv(), { gcp: { backends: { customResponseHeaders: ["X-Test:a\tb c é"] } } }))).toEqual([]);
  });
});

describe("Route 53 zone ids", () => {
  const domain = (route53ZoneId: string) => internalAws({ apiGateway: { routes: { "ANY /{proxy+}": "http" }, domain: { name: "api.example.com", certificateArn: CERT, route53ZoneId } } });
  it.each(["Z1", "Z0123456789ABCDEFGHIJ", `Z${"A".repeat(31)}`])("takes %s", (id) => expect(lines(domain(id))).toEqual([]));
  it.each(["z123", "Z", `Z${"A".repeat(32)}`, "Z12-3", "example.com", ""])("refuses %j", (id) => {
    expect(lines(domain(id))).toEqual([`t: aws.apiGateway.domain.route53ZoneId (got ${JSON.stringify(id)}): must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ`]);
  });
  it("names the bare id when given with /hostedzone/", () => {
    expect(lines(domain("/hostedzone/Z0123"))).toEqual(['t: aws.apiGateway.domain.route53ZoneId (got "/hostedzone/Z0123"): must be the bare zone id (Z0123), without "/hostedzone/"']);
  });
});

describe("chart versions", () => {
  it.each(CONTROLLER_KINDS)("takes the %s chart version gatehouse tests, and another only when told to", (kind) => {
    const tested = controllerPlugin(kind).chart.version;
    const chartLines = (controller: Record<string, unknown>) => lines(awsEnv({ controller: { kind, ...controller } })).filter((l) => l.includes("controller.chartVersion") || l.includes("allowUntested"));
    expect(chartLines({ chartVersion: tested })).toEqual([]);
    expect(chartLines({ chartVersion: "9.9.9" })).toEqual([
      `t: controller.chartVersion (got "9.9.9"): is not the ${kind} chart version gatehouse tests (${tested}): leave chartVersion out to get it, or set controller.allowUntestedChartVersion: true to install another version at your own risk (its values and objects were never rendered against gatehouse's)`,
    ]);
    expect(chartLines({ chartVersion: "9.9.9", allowUntestedChartVersion: true })).toEqual([]);
    expect(chartLines({ allowUntestedChartVersion: true })).toEqual([
      "t: controller.allowUntestedChartVersion (got true): has no effect without controller.chartVersion (the tested version is installed); remove it",
    ]);
  });
});

describe("IPv6 CIDRs", () => {
  // Generated: random addresses and prefixes, written fully, compressed, with leading zeros, in upper case.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const cases = Array.from({ length: 200 }, () => {
    const bits = Math.floor(next() * 129);
    const groups = Array.from({ length: 8 }, (_, i) => (i * 16 >= bits ? 0 : Math.floor(next() * 65536) & (i * 16 + 16 <= bits ? 0xffff : (0xffff << (16 - (bits - i * 16))) & 0xffff)));
    return { groups, bits };
  });
  it("accepts every spelling of a valid block and knows them for one", () => {
    for (const { groups, bits } of cases) {
      const full = groups.map((g) => g.toString(16).padStart(4, "0")).join(":");
      const short = groups.map((g) => g.toString(16)).join(":");
      const compressed = short.replace(/(^|:)0(:0)+(:|$)/, "::");
      const spellings = [full, short, compressed, full.toUpperCase()].map((a) => `${a}/${bits}`);
      for (const s of spellings) expect([s, rules.cidrV6(s)]).toEqual([s, undefined]);
      expect(new Set(spellings.map(rules.canonicalCidr)).size).toBe(1);
    }
  });
  it("refuses host bits with the network address named", () => {
    expect(rules.cidrV6("2001:db8::1/64")).toBe("has host bits set; the network address for /64 is 2001:db8::/64");
    expect(rules.cidrV6("::1/0")).toBe("has host bits set; the network address for /0 is ::/0");
  });
});

describe("a YAML environment", () => {
  it("reports every one of these problems at its file and line, dotted keys included", () => {
    const file = join(work, "limits.yaml");
    writeFileSync(
      file,
      [
        "name: limits", //                                       1
        "tags:", //                                              2
        "  cost_center: a", //                                   3
        "  cost.center: b", //                                   4
        "  aws:team: c", //                                      5
        "controller:", //                                        6
        "  resources: { cpu: 100x }", //                         7
        "routes:", //                                            8
        "  web: { host: 10.0.0.1, backend: shop/web:80 }", //    9
        "ports:", //                                             10
        "  https: { listenerPort: 443, nodePort: 30443, tls: terminate }", // 11
        "aws:", //                                               12
        "  region: eu-west-1", //                                13
        "  cluster: { name: eks }", //                           14
        "  vpc: { id: vpc-0123456789abcdef0, cidrs: [10.0.0.0/16, 10.0.0.0/16] }", // 15
        "  nlb:", //                                             16
        "    subnets: [subnet-0123456789abcdef1]", //            17
        "    tls:", //                                           18
        "      certificateArn: arn:aws:acm:us-east-1:123456789012:certificate/abc", // 19
        "      alpnPolicy: HTTP2Preferred", //                   20
        "  targets: { mode: discover, tagValues: [node] }", //   21
        "  workerSecurityGroupIds: [sg-0123456789abcdef0]", //   22
        "",
      ].join("\n"),
    );
    let found: Problem[] = [];
    try {
      loadEnvironments({ builtins: [], files: [file] });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      found = [...e.problems];
    }
    expect(found.map((p) => [p.env, p.file, p.path])).toEqual(
      expect.arrayContaining([
        ["limits", `${file}:7`, "controller.resources.cpu"],
        ["limits", `${file}:9`, "routes.web.host"],
        ["limits", `${file}:5`, "tags.aws:team"],
        ["limits", `${file}:15`, "aws.vpc.cidrs.1"],
        ["limits", `${file}:19`, "aws.nlb.tls.certificateArn"],
      ]),
    );
    // A GCP-only rule does not apply here; the same file with a gcp section reports the dotted key at its own line.
    const gcpFile = join(work, "labels.yaml");
    writeFileSync(
      gcpFile,
      ["name: labels", "tags:", "  cost_center: a", "  cost.center: b", "hostnames: [example.com]", "gcp:", "  project: acme-test-edge", "  dns: { zone: example-com, domain: example.com }", "  nodeTargets: { tags: [gke-node] }", "  clusters: [{ name: c1, location: europe-west1, zones: [europe-west1-b] }]", ""].join("\n"),
    );
    try {
      loadEnvironments({ builtins: [], files: [gcpFile] });
      throw new Error("expected a ConfigError");
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      expect(e.problems.map((p) => [p.file, p.path])).toEqual([[`${gcpFile}:4`, "tags.cost.center"]]);
    }
  });
});
