/**
 * One hostname, both clouds: where an environment's hostnames are published (Cloud DNS or
 * Route 53), the AWS edge's own records and ACM certificate, and steering between the edges
 * (failover, weighted) in `<env>-dns`. Records, health checks and certificate validation are
 * asserted by value in the synthesized stacks; every refusal names its field.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import type { EnvInput } from "../modules/config/schema";
import { loadEnvironments } from "../modules/config/loader";
import { ConfigError } from "../modules/core/errors";
import { answersWithoutHost } from "../modules/model/routes";
import { planEnvironment } from "../modules/plan";
import { AwsEdgeStack } from "../modules/stacks/aws";
import { Testing } from "cdktf";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import { dataSources, parseEnv, resources, synthEnvs, type TfJson } from "./helpers/synth";

const root = join(__dirname, "..");
const MULTI = parse(readFileSync(join(root, "envs", "examples", "multi-cloud.yaml"), "utf8")) as EnvInput;
const multi = (change: unknown = {}): EnvInput => patch(MULTI, change);
const ZONE = "Z0123456789ABCDEFGHIJ";

/** "path (got value): message" lines of an environment that must be refused. */
function refused(input: EnvInput): string[] {
  try {
    loadEnvironments({ builtins: [input] });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.problems.map((p) => `${p.path}${p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`}: ${p.message}`);
  }
  throw new Error("expected a ConfigError");
}

const records = (json: TfJson | undefined) => Object.values(resources(json ?? {}, "aws_route53_record"));

describe("steering by failover (envs/examples/multi-cloud.yaml)", () => {
  const stacks = synthEnvs([MULTI]);
  const dns = stacks["example-multi-dns"];

  it("makes <env>-dns, after both edges, beside the usual stacks", () => {
    expect(Object.keys(stacks).sort()).toEqual(["example-multi-aws-cluster", "example-multi-aws-edge", "example-multi-dns", "example-multi-gcp-address", "example-multi-gcp-cluster-multi-euw1", "example-multi-gcp-edge"]);
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-dns-"));
    const out = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], {
      cwd: root,
      env: { ...process.env, CDKTF_OUTDIR: join(dir, "out"), GATEHOUSE_ENV_FILE: "envs/examples/multi-cloud.yaml", GATEHOUSE_ENVS: "example-multi" },
      encoding: "utf8",
    });
    expect(out.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };
    expect(manifest.stacks["example-multi-dns"]?.dependencies.sort()).toEqual(["example-multi-aws-edge", "example-multi-gcp-edge"]);
  });

  it("reads both edges by name: the NLB and Google's global address, and the zone by its name", () => {
    expect(dataSources(dns ?? {}, "aws_lb")).toEqual({ nlb: { name: "example-multi--example-multi-eks" } });
    expect(Object.values(dataSources(dns ?? {}, "google_compute_global_address"))).toEqual([{ name: "example-multi--gatehouse--ip", project: "example-multi-project" }]);
    expect(Object.values(dataSources(dns ?? {}, "aws_route53_zone"))).toEqual([{ name: "example.net", private_zone: false }]);
  });

  it("checks each edge with HTTPS on the controller's health path through its load balancer, every 10 s, unhealthy after 3 failures", () => {
    const checks = Object.values(resources(dns ?? {}, "aws_route53_health_check"));
    expect(checks).toEqual([
      { type: "HTTPS", fqdn: "${data.aws_lb.nlb.dns_name}", port: 443, resource_path: "/healthz", request_interval: 10, failure_threshold: 3, tags: { Name: "example-multi aws edge" } },
      {
        type: "HTTPS",
        ip_address: expect.stringMatching(/^\$\{data\.google_compute_global_address\.address_v4_[0-9A-F]+\.address\}$/),
        port: 443,
        resource_path: "/healthz",
        request_interval: 10,
        failure_threshold: 3,
        tags: { Name: "example-multi gcp edge" },
      },
    ]);
  });

  it("answers every hostname from the NLB (alias, PRIMARY) while it is healthy, else from Google's address (SECONDARY)", () => {
    const byName = records(dns).map((r) => [r.name, r.set_identifier, r.failover_routing_policy, r.alias ?? r.records, r.ttl]);
    expect(byName).toEqual([
      ["example.net", "aws", { type: "PRIMARY" }, { name: "${data.aws_lb.nlb.dns_name}", zone_id: "${data.aws_lb.nlb.zone_id}", evaluate_target_health: true }, undefined],
      ["*.example.net", "aws", { type: "PRIMARY" }, { name: "${data.aws_lb.nlb.dns_name}", zone_id: "${data.aws_lb.nlb.zone_id}", evaluate_target_health: true }, undefined],
      ["example.net", "gcp", { type: "SECONDARY" }, [expect.stringMatching(/google_compute_global_address/)], 60],
      ["*.example.net", "gcp", { type: "SECONDARY" }, [expect.stringMatching(/google_compute_global_address/)], 60],
    ]);
    for (const r of records(dns)) expect(r.health_check_id).toMatch(new RegExp(`^\\$\\{aws_route53_health_check\\.steering_hc-${r.set_identifier}_[0-9A-F]+\\.id\\}$`));
  });

  it("puts the other edge first with dns.primary: gcp", () => {
    const json = synthEnvs([multi({ dns: { primary: "gcp" } })])["example-multi-dns"];
    expect(records(json).map((r) => [r.name, r.set_identifier, r.failover_routing_policy])).toEqual([
      ["example.net", "aws", { type: "SECONDARY" }],
      ["*.example.net", "aws", { type: "SECONDARY" }],
      ["example.net", "gcp", { type: "PRIMARY" }],
      ["*.example.net", "gcp", { type: "PRIMARY" }],
    ]);
  });

  it("requests an ACM certificate for the hostnames, validated through Route 53, and the TLS listener waits for its validation", () => {
    const edge = stacks["example-multi-aws-edge"] ?? {};
    expect(Object.values(resources(edge, "aws_acm_certificate"))).toEqual([
      { domain_name: "example.net", subject_alternative_names: ["*.example.net"], validation_method: "DNS", key_algorithm: "RSA_2048", lifecycle: { create_before_destroy: true } },
    ]);
    const validation = Object.values(resources(edge, "aws_route53_record"));
    expect(validation).toHaveLength(1);
    expect(validation[0]).toMatchObject({
      for_each: expect.stringMatching(/^\$\{\{ for key, val in tolist\(aws_acm_certificate\.certificate_[0-9A-F]+\.domain_validation_options\): val\.domain_name => val \}\}$/),
      name: "${each.value.resource_record_name}",
      type: "${each.value.resource_record_type}",
      records: ["${each.value.resource_record_value}"],
      allow_overwrite: true,
      zone_id: expect.stringMatching(/^\$\{data\.aws_route53_zone\.zone_[0-9A-F]+\.zone_id\}$/),
    });
    const [validated] = Object.entries(resources(edge, "aws_acm_certificate_validation"));
    expect(validated?.[1].validation_record_fqdns).toMatch(/aws_route53_record\.certificate_validation-record_[0-9A-F]+/);
    const tls = Object.values(resources(edge, "aws_lb_listener")).filter((l) => l.protocol === "TLS");
    expect(tls.map((l) => l.certificate_arn)).toEqual([`\${aws_acm_certificate_validation.${validated?.[0]}.certificate_arn}`]);
  });

  it("writes Google's DNS authorizations into the Route 53 zone, and nothing into Cloud DNS", () => {
    const edge = stacks["example-multi-gcp-edge"] ?? {};
    expect(resources(edge, "google_dns_record_set")).toEqual({});
    expect(Object.keys(edge.provider ?? {}).sort()).toEqual(["aws", "google"]);
    const auth = records(edge);
    expect(auth).toHaveLength(1);
    expect(auth[0]).toMatchObject({
      name: expect.stringMatching(/^\$\{google_certificate_manager_dns_authorization\.certs_auth-example-net_[0-9A-F]+\.dns_resource_record\[0\]\.name\}$/),
      type: expect.stringMatching(/dns_resource_record\[0\]\.type\}$/),
      records: [expect.stringMatching(/dns_resource_record\[0\]\.data\}$/)],
      ttl: 300,
    });
  });

  it("drains an edge by weight 0, changing only that record's weight", () => {
    const even = synthEnvs([multi({ dns: { steering: "weighted", primary: undefined } })]);
    const drained = synthEnvs([multi({ dns: { steering: "weighted", primary: undefined, weights: { aws: 50, gcp: 0 } } })]);
    expect(records(even["example-multi-dns"]).map((r) => [r.name, r.set_identifier, r.weighted_routing_policy])).toEqual([
      ["example.net", "aws", { weight: 50 }],
      ["*.example.net", "aws", { weight: 50 }],
      ["example.net", "gcp", { weight: 50 }],
      ["*.example.net", "gcp", { weight: 50 }],
    ]);
    // Every stack but <env>-dns is byte-identical; there, only the GCP records' weight differs.
    for (const name of Object.keys(even)) if (name !== "example-multi-dns") expect(drained[name]).toEqual(even[name]);
    const before = JSON.stringify(even["example-multi-dns"], null, 1).split("\n");
    const after = JSON.stringify(drained["example-multi-dns"], null, 1).split("\n");
    expect(after.length).toBe(before.length);
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line.trim(), after[i]?.trim()]]));
    expect(changed).toEqual([
      ['"weight": 50', '"weight": 0'],
      ['"weight": 50', '"weight": 0'],
    ]);
  });
});

describe("the AWS edge stack", () => {
  it("refuses a plan whose TLS listeners have neither a certificate ARN nor a certificate to request", () => {
    const plan = planEnvironment(parseEnv(multi()));
    const edge = plan.aws?.edge;
    if (!edge) throw new Error("no AWS edge");
    expect(() => new AwsEdgeStack(Testing.app(), "broken", { ...edge, certificate: undefined })).toThrow("broken: the plan gives the TLS listeners neither a certificate ARN nor a certificate to request");
  });
});

describe("one edge, one zone", () => {
  it("points every hostname at the NLB with alias records in Route 53 (aws.dns), in the edge stack", () => {
    const json = synthEnvs([awsEnv({ hostnames: ["shop.example.com", "*.apps.example.com"], aws: { ...awsEnv().aws!, dns: { zoneId: ZONE } } } as EnvInput)])["t-aws-edge"];
    expect(records(json).map((r) => [r.name, r.type, r.zone_id, r.alias])).toEqual([
      ["shop.example.com", "A", ZONE, { name: expect.stringMatching(/^\$\{aws_lb\.edge_nlb_[0-9A-F]+\.dns_name\}$/), zone_id: expect.stringMatching(/\.zone_id\}$/), evaluate_target_health: true }],
      ["*.apps.example.com", "A", ZONE, { name: expect.stringMatching(/dns_name\}$/), zone_id: expect.stringMatching(/\.zone_id\}$/), evaluate_target_health: true }],
    ]);
    // A zone id is used as given: no lookup.
    expect(dataSources(json ?? {}, "aws_route53_zone")).toEqual({});
  });

  it("keeps Google's records in Cloud DNS (gcp.dns) as before, and publishes nothing for the AWS edge of an environment with both", () => {
    const stacks = synthEnvs([patch(gcpEnv(), { aws: awsEnv().aws })]);
    expect(Object.keys(resources(stacks["g-gcp-edge"] ?? {}, "google_dns_record_set")).length).toBeGreaterThan(0);
    expect(records(stacks["g-aws-edge"])).toEqual([]);
    expect(stacks["g-dns"]).toBeUndefined();
  });
});

describe("refusals", () => {
  const both = (change: unknown) => multi(change);
  it.each([
    ["hostnames under gcp (moved)", patch(gcpEnv(), { gcp: { hostnames: ["example.com"] } }), 'gcp.hostnames (got ["example.com"]): has moved: the hostnames are the environment\'s, shared by both clouds; write them at the top level (hostnames: ["example.com"])'],
    ["no hostnames with a gcp section", { ...gcpEnv(), hostnames: undefined }, "hostnames: is required with a gcp section (Google's certificate and records): list the names clients use"],
    ["hostnames nothing uses", awsEnv({ hostnames: ["example.com"] }), 'hostnames (got ["example.com"]): is unused: nothing publishes or certifies them; add aws.dns (Route 53), aws.certificate, or a gcp section'],
    ["a certificate without a zone", patch(awsEnv({ hostnames: ["example.com"], ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), { aws: { certificate: {} } }), "aws.certificate (got {}): needs aws.dns: ACM validates the certificate through DNS records gatehouse writes in that Route 53 zone"],
    [
      "a certificate and an ARN",
      both({ aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" } } } }),
      'aws.nlb.tls.certificateArn (got "arn:aws:acm:eu-west-1:123456789012:certificate/x"): is given with aws.certificate: the TLS listeners take one certificate; keep aws.certificate (issued for the hostnames) or this ARN, not both',
    ],
    ["both zones", both({ gcp: { dns: { zone: "example-net", domain: "example.net" } } }), 'gcp.dns (got "example-net"): is given with aws.dns: the hostnames live in one zone; keep aws.dns (Route 53, which can steer between the edges) or gcp.dns (Cloud DNS)'],
    [
      "Google's edge without a zone",
      { ...gcpEnv(), gcp: { ...gcpEnv().gcp!, dns: undefined } },
      "gcp.dns: is required: Google authorizes its certificate through DNS records in the hostnames' zone; give gcp.dns (Cloud DNS) or, with an aws section, aws.dns (Route 53)",
    ],
    [
      "single steering in one Route 53 zone with both edges",
      both({ dns: { steering: "single", primary: undefined, healthCheck: undefined } }),
      'dns.steering (got "single"): is single, which would publish every hostname twice in the Route 53 zone of aws.dns (once per edge): choose failover or weighted, or move the hostnames to gcp.dns',
    ],
    [
      "steering with one edge",
      patch(awsEnv({ hostnames: ["example.com"], dns: { steering: "failover" } }), { aws: { dns: { zoneId: ZONE } } }),
      'dns.steering (got "failover"): needs both edges (an aws and a gcp section) to steer between; single is the only choice with AWS alone',
    ],
    [
      "steering in Cloud DNS",
      patch(gcpEnv({ dns: { steering: "weighted" } }), { aws: awsEnv().aws }),
      'dns.steering (got "weighted"): needs the hostnames in Route 53 (aws.dns): steering runs on Route 53 health checks and routing policies. Cloud DNS routing policies answer with IP addresses, and an NLB\'s addresses are not fixed',
    ],
    ["IPv6 on one edge only", both({ gcp: { ipv6: true } }), "gcp.ipv6 (got true): must be false with steering: the NLB answers IPv4 only, so IPv6 clients would always reach Google's edge whatever the steering says"],
    [
      "TLS passed through on AWS",
      both({ ports: { https: { tls: "passthrough" } }, aws: { certificate: undefined } }),
      'ports.https.tls (got "passthrough"): must be terminate with aws.certificate when steering: clients of every hostname may reach either edge, so each must serve a certificate for all of them; Google\'s certificate map does, and on AWS gatehouse can make sure of it only with the ACM certificate it requests for the hostnames at the NLB',
    ],
    ["a primary without failover", both({ dns: { steering: "weighted" } }), 'dns.primary (got "aws"): is unused: only failover has a primary (dns.steering is weighted)'],
    ["weights without weighted steering", both({ dns: { weights: { aws: 1, gcp: 1 } } }), 'dns.weights (got {"aws":1,"gcp":1}): is unused: only weighted steering has weights (dns.steering is failover)'],
    ["both weights 0", both({ dns: { steering: "weighted", primary: undefined, weights: { aws: 0, gcp: 0 } } }), expect.stringMatching(/^dns\.weights.*: .*0/)],
    ["a failure threshold past 10", both({ dns: { healthCheck: { failureThreshold: 11 } } }), expect.stringMatching(/^dns\.healthCheck\.failureThreshold \(got 11\): /)],
    [
      "a controller without a health path through the load balancer",
      both({ controller: { kind: "nginx-gateway-fabric" } }),
      "dns.healthCheck.path: is required with nginx-gateway-fabric: Route 53 checks each edge through its load balancer, and nginx-gateway-fabric answers its own health on a separate port; give a path that a route without a host answers (Route 53 sends the load balancer's name or address as Host)",
    ],
    [
      "a health path no route without a host answers",
      both({ controller: { kind: "nginx-gateway-fabric" }, dns: { healthCheck: { path: "/status" } } }),
      'dns.healthCheck.path (got "/status"): is answered by no route without a host: Route 53 sends the load balancer\'s name or address as Host, so only such a route (or the controller itself) can answer it',
    ],
    ["a hostname outside the Route 53 zone", both({ hostnames: ["example.net", "shop.example.org"] }), 'hostnames.1 (got "shop.example.org"): is not inside the zone\'s domain example.net (aws.dns.zoneName)'],
    ["a zone id with its path", both({ aws: { dns: { zoneName: undefined, zoneId: `/hostedzone/${ZONE}` } } }), expect.stringMatching(/^aws\.dns\.zoneId \(got "\/hostedzone\/Z0123456789ABCDEFGHIJ"\): .*\/hostedzone\//)],
    ["zone id and name", both({ aws: { dns: { zoneId: ZONE } } }), 'aws.dns (got {"zoneId":"Z0123456789ABCDEFGHIJ","zoneName":"example.net"}): give exactly one of aws.dns.zoneId and aws.dns.zoneName'],
    ["more names than ACM takes", both({ hostnames: Array.from({ length: 11 }, (_, i) => `h${i}.example.net`), routes: { shop: { host: "h0.example.net" } } }), expect.stringMatching(/^hostnames.*: .*10/)],
  ])("%s", (_what, input, expected) => {
    expect(refused(input as EnvInput)).toContainEqual(expected);
  });

  it("accepts a health path a route without a host answers, for a controller whose health is on its own port", () => {
    const ngf = both({
      controller: { kind: "nginx-gateway-fabric" },
      dns: { healthCheck: { path: "/status/ready" } },
      routes: { status: { path: "/status", backend: "ops/status:8080" } },
    });
    const json = synthEnvs([ngf as EnvInput])["example-multi-dns"];
    expect(Object.values(resources(json ?? {}, "aws_route53_health_check")).map((c) => c.resource_path)).toEqual(["/status/ready", "/status/ready"]);
  });

  it("counts only a route a health checker's request reaches: no host, no match conditions, its path matching element by element", () => {
    const r = (path: string, more: object = {}) => ({ path, pathType: "Prefix" as const, ...more });
    expect(answersWithoutHost(r("/status"), "/status/ready")).toBe(true);
    expect(answersWithoutHost(r("/status/"), "/status")).toBe(true);
    expect(answersWithoutHost(r("/"), "/anything")).toBe(true);
    expect(answersWithoutHost(r("/status"), "/statusx")).toBe(false);
    expect(answersWithoutHost(r("/status", { pathType: "Exact" }), "/status/ready")).toBe(false);
    expect(answersWithoutHost(r("/status", { pathType: "Exact" }), "/status")).toBe(true);
    expect(answersWithoutHost(r("/", { host: "shop.example.net" }), "/status")).toBe(false);
    expect(answersWithoutHost(r("/", { match: { headers: [{ name: "x-preview", value: "1", type: "Exact" }] } }), "/status")).toBe(false);
    // A route for one host does not answer the check, whatever its path.
    expect(refused(both({ controller: { kind: "nginx-gateway-fabric" }, dns: { healthCheck: { path: "/status" } }, routes: { status: { host: "example.net", path: "/status", backend: "ops/status:8080" } } }))).toContainEqual(
      'dns.healthCheck.path (got "/status"): is answered by no route without a host: Route 53 sends the load balancer\'s name or address as Host, so only such a route (or the controller itself) can answer it',
    );
  });

  it("reports a hostname given twice once, though the records and the certificate would each refuse it too", () => {
    expect(refused(both({ hostnames: ["example.net", "*.example.net", "example.net"] }))).toEqual(['hostnames (got ["example.net","*.example.net","example.net"]): lists a hostname twice']);
  });

  it("reports a refusal in a YAML file at its line", () => {
    const dir = mkdtempSync(join(tmpdir(), "gatehouse-dns-"));
    const file = join(dir, "multi.yaml");
    writeFileSync(file, readFileSync(join(root, "envs", "examples", "multi-cloud.yaml"), "utf8").replace("  primary: aws\n", "  primary: aws\n  weights: { aws: 1, gcp: 1 }\n"));
    try {
      loadEnvironments({ builtins: [], files: [file] });
      throw new Error("expected a ConfigError");
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const line = readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes("weights:")) + 1;
      expect(e.problems.map((p) => [p.path, p.file])).toEqual([["dns.weights", `${file}:${line}`]]);
    }
  });
});
