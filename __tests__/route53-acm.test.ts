/** Route 53 (hosted zone, NLB alias records, steered records with health checks) and the DNS-validated ACM certificate. */
import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DnsValidatedCertificate, type DnsValidatedCertificateProps } from "../modules/aws/acm";
import { HostedZone, NlbAliasRecords, SteeredRecords, type HostedZoneRef, type NlbAliasRecordsProps, type SteeredRecordsProps } from "../modules/aws/route53";
import { TerraformOutput } from "../modules/core/cdktf";
import { hostKey } from "../modules/core/naming";
import { ACM_LIMITS, ROUTE53_DEFAULTS } from "../modules/model/defaults";
import { evaluateTemplate, type HclValue } from "./helpers/hcl";
import { ConfigError } from "../modules/core/errors";
import { dataSources, only, resources, synthConstruct, type TfJson } from "./helpers/synth";

const ZONE = "Z0123456789ABCDEFGHIJ";
/** An NLB given literally (a caller outside a stack may know it). */
const NLB_LITERAL = { dnsName: "prod-edge-0123456789abcdef.elb.eu-west-1.amazonaws.com", zoneId: "Z2IFOLAFXWLO4F" };

/** The NLB as the edge stack sees it: its dns_name and zone_id are references. */
const nlb = (s: Construct) => {
  const lb = new DataAwsLb(s, "nlb", { name: "prod-edge" });
  return { dnsName: lb.dnsName, zoneId: lb.zoneId };
};

const LOGICAL = /^[A-Za-z0-9_-]+$/;

/** The records of a type keyed by the construct id they were made with (cdktf's logical id is `<scope>_<id>_<hash>`). */
function byConstructId(json: TfJson, type: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(resources(json, type)).map(([logical, r]) => {
      expect(logical).toMatch(LOGICAL);
      return [logical.split("_").slice(1, -1).join("_"), r];
    }),
  );
}

/** The problems a build throws as "path: message"; none when it builds. */
function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

/** Paths (dotted) at which two JSON documents differ; arrays compare as wholes. */
function diffPaths(a: unknown, b: unknown, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].flatMap((k) => diffPaths(x[k], y[k], path ? `${path}.${k}` : k));
  }
  return [path];
}

// --------------------------------------------------------------------------------- HostedZone

describe("HostedZone", () => {
  it("uses a zone id as it is, without a lookup", () => {
    let zone: HostedZone | undefined;
    const json = synthConstruct((s) => void (zone = new HostedZone(s, "zone", { zone: { zoneId: ZONE } })));
    expect(zone?.zoneId).toBe(ZONE);
    expect(zone?.lookup).toBeUndefined();
    expect(json.data).toBeUndefined();
  });

  it("looks a zone name up among public zones", () => {
    const json = synthConstruct((s) => {
      const zone = new HostedZone(s, "zone", { zone: { zoneName: "example.com" } });
      new TerraformOutput(s, "zone-id", { value: zone.zoneId });
    });
    const lookups = dataSources(json, "aws_route53_zone");
    const [id] = Object.keys(lookups);
    expect(Object.values(lookups)).toEqual([{ name: "example.com", private_zone: false }]);
    expect(json.output?.["zone-id"]?.value).toBe(`\${data.aws_route53_zone.${id}.zone_id}`);
  });

  const zoneProblems = (zone: HostedZoneRef) => problemsOf(() => synthConstruct((s) => void new HostedZone(s, "zone", { zone })));

  it("refuses a zone id with the /hostedzone/ prefix, saying to drop it", () => {
    expect(zoneProblems({ zoneId: `/hostedzone/${ZONE}` })).toEqual([`zone.zoneId: must be the bare zone id (${ZONE}), without "/hostedzone/"`]);
  });

  it("refuses what is not a Route 53 zone id", () => {
    const message = "zone.zoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ";
    expect(zoneProblems({ zoneId: "z0123456789abcdefghij" })).toEqual([message]);
    expect(zoneProblems({ zoneId: `Z${"A".repeat(32)}` })).toEqual([message]);
    expect(zoneProblems({ zoneId: `Z${"A".repeat(31)}` })).toEqual([]);
  });

  it("refuses a zone name with a trailing dot", () => {
    expect(zoneProblems({ zoneName: "example.com." })).toEqual(['zone.zoneName: must be a lowercase DNS name such as "example.com", without a trailing dot']);
  });

  it("refuses both an id and a name", () => {
    expect(zoneProblems({ zoneId: ZONE, zoneName: "example.com" } as HostedZoneRef)).toEqual(["zone: give exactly one of zoneId and zoneName"]);
  });
});

// ---------------------------------------------------------------------------- NlbAliasRecords

describe("NlbAliasRecords", () => {
  const aliasProps = (change: Partial<NlbAliasRecordsProps> = {}): NlbAliasRecordsProps => ({ zoneId: ZONE, hostnames: ["example.com", "*.example.com"], target: NLB_LITERAL, ...change });

  it("writes an alias A record per hostname to the NLB, evaluating its health", () => {
    let made: NlbAliasRecords | undefined;
    const json = synthConstruct((s) => void (made = new NlbAliasRecords(s, "dns", aliasProps({ target: nlb(s) }))));
    expect(byConstructId(json, "aws_route53_record")).toEqual({
      "a-example-com": { zone_id: ZONE, name: "example.com", type: "A", alias: { name: "${data.aws_lb.nlb.dns_name}", zone_id: "${data.aws_lb.nlb.zone_id}", evaluate_target_health: true } },
      "a-wildcard-example-com": { zone_id: ZONE, name: "*.example.com", type: "A", alias: { name: "${data.aws_lb.nlb.dns_name}", zone_id: "${data.aws_lb.nlb.zone_id}", evaluate_target_health: true } },
    });
    expect(Object.keys(made?.records ?? {})).toEqual(["example.com", "*.example.com"]);
  });

  it("takes a zone id that is a reference", () => {
    const json = synthConstruct((s) => {
      const zone = new HostedZone(s, "zone", { zone: { zoneName: "example.com" } });
      new NlbAliasRecords(s, "dns", aliasProps({ zoneId: zone.zoneId, hostnames: ["example.com"], target: nlb(s) }));
    });
    expect(only(json, "aws_route53_record").zone_id).toMatch(/^\$\{data\.aws_route53_zone\.[A-Za-z0-9_-]+\.zone_id\}$/);
  });

  const aliasProblems = (change: Partial<NlbAliasRecordsProps>) => problemsOf(() => synthConstruct((s) => void new NlbAliasRecords(s, "dns", aliasProps(change))));

  it("needs at least one hostname", () => {
    expect(aliasProblems({ hostnames: [] })).toEqual(["hostnames: needs at least one hostname"]);
  });

  it("refuses a hostname that is not a DNS name", () => {
    expect(aliasProblems({ hostnames: ["example.com", "app.*.example.com", "example"] })).toEqual([
      'hostnames.1: must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; "*" may only be the whole leftmost label',
      'hostnames.2: must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com" (at least two labels)',
    ]);
  });

  it("refuses a hostname listed twice, compared case-insensitively", () => {
    expect(aliasProblems({ hostnames: ["example.com", "www.example.com", "example.com"] })).toEqual([
      "hostnames.2: repeats hostnames.0 (DNS names compare case-insensitively): give each hostname once",
    ]);
    expect(aliasProblems({ hostnames: ["example.com", "EXAMPLE.com"] })).toEqual([
      'hostnames.1: must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; label "EXAMPLE" is not valid',
      "hostnames.1: repeats hostnames.0 (DNS names compare case-insensitively): give each hostname once",
    ]);
  });

  it("refuses two hostnames that would share a resource id", () => {
    expect(hostKey("a-b.example.com")).toBe(hostKey("a.b-example.com"));
    expect(aliasProblems({ hostnames: ["a-b.example.com", "a.b-example.com"] })).toEqual([
      'hostnames.1: maps to the same resource id ("a-b-example-com") as hostnames.0 ("a-b.example.com"); rename one of them',
    ]);
  });

  it("refuses a hostname that is a reference", () => {
    const problems = problemsOf(() =>
      synthConstruct((s) => void new NlbAliasRecords(s, "dns", aliasProps({ hostnames: [new TerraformVariable(s, "host", { type: "string" }).stringValue] }))),
    );
    expect(problems).toEqual(["hostnames.0: must be a literal hostname, not a Terraform reference: record names and resource ids are made from it"]);
  });

  it("refuses literal zone ids that are not zone ids, its own and the target's", () => {
    expect(aliasProblems({ zoneId: `/hostedzone/${ZONE}`, target: { dnsName: "prod-edge-0123.elb.eu-west-1.amazonaws.com", zoneId: "Z2IFOLAFXWLO4F/" } })).toEqual([
      `zoneId: must be the bare zone id (${ZONE}), without "/hostedzone/"`,
      "target.zoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
    ]);
  });
});

// ----------------------------------------------------------------------------- SteeredRecords

const steeredProps = (change: Partial<SteeredRecordsProps> = {}): SteeredRecordsProps => ({
  zoneId: ZONE,
  hostnames: ["example.com", "*.example.com"],
  policy: { type: "failover", primary: "aws" },
  aws: NLB_LITERAL,
  gcp: { address: "203.0.113.10" },
  healthCheck: { protocol: "HTTPS", path: "/healthz", port: 443 },
  ...change,
});

const steered = (change: Partial<SteeredRecordsProps> = {}) =>
  synthConstruct((s) => void new SteeredRecords(s, "steer", steeredProps({ aws: nlb(s), ...change })));

describe("SteeredRecords", () => {
  it("checks each edge once, through the load balancer to the health path", () => {
    const checks = byConstructId(steered({ tags: { env: "prod", Name: "overridden" }, name: "prod" }), "aws_route53_health_check");
    expect(checks).toEqual({
      "hc-aws": {
        type: "HTTPS",
        fqdn: "${data.aws_lb.nlb.dns_name}",
        port: 443,
        resource_path: "/healthz",
        request_interval: 10,
        failure_threshold: 3,
        tags: { env: "prod", Name: "prod aws edge" },
      },
      "hc-gcp": {
        type: "HTTPS",
        ip_address: "203.0.113.10",
        port: 443,
        resource_path: "/healthz",
        request_interval: 10,
        failure_threshold: 3,
        tags: { env: "prod", Name: "prod gcp edge" },
      },
    });
  });

  it("writes a failover pair per hostname: the NLB alias as primary, Google's address as secondary", () => {
    const json = steered();
    const ids = Object.fromEntries(Object.keys(resources(json, "aws_route53_health_check")).map((logical) => [logical.split("_")[1], logical]));
    const records = byConstructId(json, "aws_route53_record");
    expect(Object.keys(records).sort()).toEqual(["aws-example-com", "aws-wildcard-example-com", "gcp-example-com", "gcp-wildcard-example-com"]);
    expect(records["aws-example-com"]).toEqual({
      zone_id: ZONE,
      name: "example.com",
      type: "A",
      set_identifier: "aws",
      health_check_id: `\${aws_route53_health_check.${ids["hc-aws"]}.id}`,
      alias: { name: "${data.aws_lb.nlb.dns_name}", zone_id: "${data.aws_lb.nlb.zone_id}", evaluate_target_health: true },
      failover_routing_policy: { type: "PRIMARY" },
    });
    expect(records["gcp-example-com"]).toEqual({
      zone_id: ZONE,
      name: "example.com",
      type: "A",
      set_identifier: "gcp",
      health_check_id: `\${aws_route53_health_check.${ids["hc-gcp"]}.id}`,
      records: ["203.0.113.10"],
      ttl: 60,
      failover_routing_policy: { type: "SECONDARY" },
    });
    expect(records["aws-wildcard-example-com"]?.name).toBe("*.example.com");
    expect(records["gcp-wildcard-example-com"]?.failover_routing_policy).toEqual({ type: "SECONDARY" });
  });

  it("makes Google's edge the primary when asked", () => {
    const records = byConstructId(steered({ policy: { type: "failover", primary: "gcp" } }), "aws_route53_record");
    expect(Object.fromEntries(Object.entries(records).map(([id, r]) => [id, r.failover_routing_policy]))).toEqual({
      "aws-example-com": { type: "SECONDARY" },
      "aws-wildcard-example-com": { type: "SECONDARY" },
      "gcp-example-com": { type: "PRIMARY" },
      "gcp-wildcard-example-com": { type: "PRIMARY" },
    });
  });

  it("writes weighted records with each edge's weight and no failover block", () => {
    const records = byConstructId(steered({ policy: { type: "weighted", weights: { aws: 30, gcp: 70 } } }), "aws_route53_record");
    for (const [id, r] of Object.entries(records)) {
      expect(r.weighted_routing_policy).toEqual({ weight: id.startsWith("aws-") ? 30 : 70 });
      expect(r.failover_routing_policy).toBeUndefined();
      expect(r.set_identifier).toBe(id.slice(0, 3));
    }
  });

  it("changing a weight changes that weight and nothing else", () => {
    const weighted = (aws: number, gcp: number) => steered({ policy: { type: "weighted", weights: { aws, gcp } } });
    const half = weighted(50, 50);
    const weightPaths = (edge: string) =>
      Object.entries(resources(half, "aws_route53_record"))
        .filter(([, r]) => r.set_identifier === edge)
        .map(([id]) => `resource.aws_route53_record.${id}.weighted_routing_policy.weight`);
    // Drain AWS: both weights move, nothing else does.
    const drained = weighted(0, 100);
    expect(diffPaths(half, drained).sort()).toEqual([...weightPaths("aws"), ...weightPaths("gcp")].sort());
    for (const r of Object.values(resources(drained, "aws_route53_record"))) expect(r.weighted_routing_policy).toEqual({ weight: r.set_identifier === "aws" ? 0 : 100 });
    // One weight moves: only that edge's records change.
    expect(diffPaths(half, weighted(50, 100)).sort()).toEqual(weightPaths("gcp").sort());
  });

  it("changing the primary changes only the failover types", () => {
    const toAws = steered({ policy: { type: "failover", primary: "aws" } });
    const toGcp = steered({ policy: { type: "failover", primary: "gcp" } });
    const paths = Object.keys(resources(toAws, "aws_route53_record")).map((id) => `resource.aws_route53_record.${id}.failover_routing_policy.type`);
    expect(diffPaths(toAws, toGcp).sort()).toEqual(paths.sort());
  });

  it("takes the interval, threshold, TTL and plain HTTP when given, and the defaults otherwise", () => {
    expect(ROUTE53_DEFAULTS).toEqual({ requestInterval: 10, failureThreshold: 3, ttl: 60 });
    const json = steered({ healthCheck: { protocol: "HTTP", path: "/ready", port: 80, requestInterval: 30, failureThreshold: 5 }, ttl: 30 });
    for (const hc of Object.values(resources(json, "aws_route53_health_check")))
      expect([hc.type, hc.port, hc.resource_path, hc.request_interval, hc.failure_threshold]).toEqual(["HTTP", 80, "/ready", 30, 5]);
    const gcp = Object.values(resources(json, "aws_route53_record")).filter((r) => r.set_identifier === "gcp");
    expect(gcp.map((r) => r.ttl)).toEqual([30, 30]);
  });

  it("takes Google's address as a reference, unchecked", () => {
    const json = synthConstruct((s) => {
      const address = new TerraformVariable(s, "gcp_address", { type: "string" }).stringValue;
      new SteeredRecords(s, "steer", steeredProps({ aws: nlb(s), gcp: { address } }));
    });
    expect(byConstructId(json, "aws_route53_health_check")["hc-gcp"]?.ip_address).toBe("${var.gcp_address}");
    expect(byConstructId(json, "aws_route53_record")["gcp-example-com"]?.records).toEqual(["${var.gcp_address}"]);
  });

  const steerProblems = (change: Partial<SteeredRecordsProps>) => problemsOf(() => synthConstruct((s) => void new SteeredRecords(s, "steer", steeredProps(change))));
  const healthProblems = (change: Partial<SteeredRecordsProps["healthCheck"]>) => steerProblems({ healthCheck: { ...steeredProps().healthCheck, ...change } });

  it("refuses weights outside 0-255 or not whole", () => {
    expect(steerProblems({ policy: { type: "weighted", weights: { aws: 256, gcp: 1.5 } } })).toEqual([
      "policy.weights.aws: must be a whole number from 0 to 255",
      "policy.weights.gcp: must be a whole number from 0 to 255",
    ]);
    expect(steerProblems({ policy: { type: "weighted", weights: { aws: 0, gcp: 255 } } })).toEqual([]);
  });

  it("refuses both weights 0, which Route 53 would answer as equal weights", () => {
    expect(steerProblems({ policy: { type: "weighted", weights: { aws: 0, gcp: 0 } } })).toEqual([
      "policy.weights: must not both be 0: Route 53 then answers with both edges in equal proportion instead of draining them; give the edge that should serve a weight above 0",
    ]);
  });

  it("refuses an unknown policy or primary", () => {
    expect(steerProblems({ policy: { type: "latency" } as unknown as SteeredRecordsProps["policy"] })).toEqual(['policy.type: must be "failover" or "weighted"']);
    expect(steerProblems({ policy: { type: "failover", primary: "azure" } as unknown as SteeredRecordsProps["policy"] })).toEqual(['policy.primary: must be "aws" or "gcp"']);
  });

  it("refuses a failure threshold outside 1-10", () => {
    expect(healthProblems({ failureThreshold: 0 })).toEqual(["healthCheck.failureThreshold: must be a whole number from 1 to 10"]);
    expect(healthProblems({ failureThreshold: 11 })).toEqual(["healthCheck.failureThreshold: must be a whole number from 1 to 10"]);
    expect(healthProblems({ failureThreshold: 10 })).toEqual([]);
  });

  it("refuses a request interval other than 10 or 30", () => {
    expect(healthProblems({ requestInterval: 15 as 10 })).toEqual(["healthCheck.requestInterval: must be 10 or 30 (seconds): the only intervals Route 53 health checks take"]);
  });

  it("refuses a path without a leading slash or longer than 255 characters", () => {
    const message = 'healthCheck.path: must start with "/" and be at most 255 characters (Route 53\'s limit on a health check\'s resource path)';
    expect(healthProblems({ path: "healthz" })).toEqual([message]);
    expect(healthProblems({ path: `/${"a".repeat(255)}` })).toEqual([message]);
    expect(healthProblems({ path: `/${"a".repeat(254)}` })).toEqual([]);
  });

  it("refuses a port outside 1-65535", () => {
    expect(healthProblems({ port: 0 })).toEqual(["healthCheck.port: must be a whole number from 1 to 65535"]);
    expect(healthProblems({ port: 65536 })).toEqual(["healthCheck.port: must be a whole number from 1 to 65535"]);
  });

  it("refuses a protocol other than HTTPS or HTTP", () => {
    expect(healthProblems({ protocol: "TCP" as "HTTP" })).toEqual(['healthCheck.protocol: must be "HTTPS" or "HTTP"']);
  });

  it("refuses a TTL outside 0-2147483647", () => {
    expect(steerProblems({ ttl: -1 })).toEqual(["ttl: must be a whole number from 0 to 2147483647"]);
    expect(steerProblems({ ttl: 2_147_483_648 })).toEqual(["ttl: must be a whole number from 0 to 2147483647"]);
    expect(steerProblems({ ttl: 0 })).toEqual([]);
  });

  it("refuses a GCP address that is not a public IPv4 address", () => {
    expect(steerProblems({ gcp: { address: "10.1.2.3" } })).toEqual([
      "gcp.address: must be a public address: Route 53 health checkers cannot check local, private, non-routable or multicast addresses",
    ]);
    expect(steerProblems({ gcp: { address: "example.com" } })).toEqual(["gcp.address: must be an IPv4 address such as 10.0.1.17"]);
  });

  it("checks hostnames and zone ids as the alias records do", () => {
    expect(steerProblems({ zoneId: "example.com", hostnames: ["example.com", "example.com"], aws: { ...NLB_LITERAL, zoneId: "elb" } })).toEqual([
      "zoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
      "hostnames.1: repeats hostnames.0 (DNS names compare case-insensitively): give each hostname once",
      "aws.zoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
    ]);
    expect(steerProblems({ hostnames: [] })).toEqual(["hostnames: needs at least one hostname"]);
  });
});

// ---------------------------------------------------------------------- DnsValidatedCertificate

const certProps = (change: Partial<DnsValidatedCertificateProps> = {}): DnsValidatedCertificateProps => ({ hostnames: ["example.com", "*.example.com"], zoneId: ZONE, ...change });

describe("DnsValidatedCertificate", () => {
  const certJson = (change: Partial<DnsValidatedCertificateProps> = {}) =>
    synthConstruct((s) => {
      const cert = new DnsValidatedCertificate(s, "cert", certProps(change));
      new TerraformOutput(s, "arn", { value: cert.certificateArn });
    });

  it("requests a DNS-validated certificate, replaced by creating the new one first", () => {
    const json = certJson({ tags: { env: "prod" } });
    expect(only(json, "aws_acm_certificate")).toEqual({
      domain_name: "example.com",
      subject_alternative_names: ["*.example.com"],
      validation_method: "DNS",
      key_algorithm: "RSA_2048",
      tags: { env: "prod" },
      lifecycle: { create_before_destroy: true },
    });
  });

  it("leaves out the alternative names for one name, and takes another key algorithm", () => {
    const cert = only(certJson({ hostnames: ["api.example.com"], keyAlgorithm: "EC_prime256v1" }), "aws_acm_certificate");
    expect(cert.subject_alternative_names).toBeUndefined();
    expect(cert.key_algorithm).toBe("EC_prime256v1");
  });

  it("writes the validation CNAMEs with for_each over the certificate's validation options, keyed by domain name", () => {
    const json = certJson();
    const [certId] = Object.keys(resources(json, "aws_acm_certificate"));
    expect(only(json, "aws_route53_record")).toEqual({
      for_each: `\${{ for key, val in tolist(aws_acm_certificate.${certId}.domain_validation_options): val.domain_name => val }}`,
      zone_id: ZONE,
      name: "${each.value.resource_record_name}",
      type: "${each.value.resource_record_type}",
      records: ["${each.value.resource_record_value}"],
      ttl: 60,
      allow_overwrite: true,
    });
  });

  it("waits for issuance on the validation records, and hands listeners the validation's ARN", () => {
    const json = certJson();
    const [certId] = Object.keys(resources(json, "aws_acm_certificate"));
    const [recordId] = Object.keys(resources(json, "aws_route53_record"));
    const [validationId] = Object.keys(resources(json, "aws_acm_certificate_validation"));
    const validation = only(json, "aws_acm_certificate_validation");
    expect(validation).toEqual({
      certificate_arn: `\${aws_acm_certificate.${certId}.arn}`,
      validation_record_fqdns: `\${[ for key, val in aws_route53_record.${recordId}: val.fqdn]}`,
    });
    expect(json.output?.arn?.value).toBe(`\${aws_acm_certificate_validation.${validationId}.certificate_arn}`);
    // The expression is a list of every record instance's fqdn (two names, one shared record: two instances).
    const fqdn = "_0123abcd.example.com";
    const instances: HclValue = { "example.com": { fqdn }, "*.example.com": { fqdn } };
    const value = evaluateTemplate(String(validation.validation_record_fqdns), {}, (ref) => {
      if (ref === `aws_route53_record.${recordId}`) return instances;
      throw new Error(`unexpected reference ${ref}`);
    });
    expect(value).toEqual([fqdn, fqdn]);
  });

  const certProblems = (change: Partial<DnsValidatedCertificateProps>) =>
    problemsOf(() => synthConstruct((s) => void new DnsValidatedCertificate(s, "cert", certProps(change))));

  it("needs at least one name", () => {
    expect(certProblems({ hostnames: [] })).toEqual(["hostnames: needs at least one name: the first becomes the certificate's domain name"]);
  });

  it("takes at most 10 names, ACM's default quota, and says the quota can be raised", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);
    expect(ACM_LIMITS.namesPerCertificate).toBe(10);
    expect(certProblems({ hostnames: names(10) })).toEqual([]);
    expect(certProblems({ hostnames: names(11) })).toEqual([
      "hostnames: 11 names; an ACM certificate takes at most 10 (the domain name and its alternative names together). " +
        "AWS can raise that quota per account, but gatehouse keeps to the default so the certificate can be issued in any account: " +
        'use fewer names, or a wildcard ("*.example.com" covers every name one label below example.com)',
    ]);
  });

  it("takes a first name of at most 64 characters, the Common Name", () => {
    const long = `${"a".repeat(53)}.example.com`;
    expect(long).toHaveLength(65);
    expect(certProblems({ hostnames: [long] })).toEqual([
      "hostnames.0: is 65 characters; the first name becomes the certificate's Common Name, which ACM limits to 64: put a shorter name first (longer names fit as alternative names)",
    ]);
    expect(certProblems({ hostnames: [`${"a".repeat(52)}.example.com`, long] })).toEqual([]);
  });

  it("takes names of at most 253 characters", () => {
    const name = (last: number) => `${"a".repeat(63)}.${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(last)}.com`;
    expect(name(58)).toHaveLength(254);
    expect(certProblems({ hostnames: ["example.com", name(58)] })).toEqual(["hostnames.1: is 254 characters; ACM takes names of at most 253"]);
    expect(certProblems({ hostnames: ["example.com", name(57)] })).toEqual([]);
  });

  it("takes a wildcard only as the whole leftmost label", () => {
    const message = 'ACM takes "*" only as the whole leftmost label ("*.example.com"); a wildcard covers names one label below it';
    expect(certProblems({ hostnames: ["example.com", "*.*.example.com", "w*.example.com", "www.*.example.com"] })).toEqual([
      `hostnames.1: ${message}`,
      `hostnames.2: ${message}`,
      `hostnames.3: ${message}`,
    ]);
  });

  it("refuses a name listed twice, compared case-insensitively", () => {
    expect(certProblems({ hostnames: ["example.com", "www.example.com", "example.com"] })).toEqual([
      "hostnames.2: repeats hostnames.0 (names compare case-insensitively): a certificate names each domain once",
    ]);
    expect(certProblems({ hostnames: ["example.com", "Example.com"] })).toEqual([
      'hostnames.1: must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; label "Example" is not valid',
      "hostnames.1: repeats hostnames.0 (names compare case-insensitively): a certificate names each domain once",
    ]);
  });

  it("refuses a name that is a reference", () => {
    const problems = problemsOf(() =>
      synthConstruct((s) => void new DnsValidatedCertificate(s, "cert", certProps({ hostnames: [new TerraformVariable(s, "host", { type: "string" }).stringValue] }))),
    );
    expect(problems).toEqual(["hostnames.0: must be a literal name, not a Terraform reference: the validation records are keyed by it"]);
  });

  it("refuses a key algorithm ACM does not issue", () => {
    expect(certProblems({ keyAlgorithm: "RSA_4096" as "RSA_2048" })).toEqual([
      "keyAlgorithm: must be one of RSA_2048, EC_prime256v1, EC_secp384r1: the key algorithms ACM issues certificates with (the others are for imported certificates)",
    ]);
  });

  it("refuses a zone id with the /hostedzone/ prefix", () => {
    expect(certProblems({ zoneId: `/hostedzone/${ZONE}` })).toEqual([`zoneId: must be the bare zone id (${ZONE}), without "/hostedzone/"`]);
  });
});

// ------------------------------------------------------------------------- the provider's schema

/**
 * Every key the constructs emit is an argument of the resource in @cdktf/provider-aws (generated
 * from the provider's schema, 6.25.0): a resource's `synthesizeAttributes` lists every argument it
 * knows (unset ones as undefined), nested blocks included; the rest are Terraform meta-arguments.
 * The generated HCL metadata gives each argument's type, which the emitted value must have.
 */
describe("emitted arguments against the provider's schema", () => {
  const META = new Set(["for_each", "lifecycle", "depends_on", "count", "provider"]);
  type Generated = { synthesizeAttributes(): Record<string, unknown>; synthesizeHclAttributes(): Record<string, { storageClassType?: string; isBlock?: boolean }> };
  type Element = { readonly terraformResourceType: string; readonly friendlyUniqueId: string };

  function unknownKeys(emitted: Record<string, unknown>, known: Record<string, unknown>, path: string): string[] {
    return Object.entries(emitted).flatMap(([k, v]) => {
      if (!(k in known)) return [`${path}.${k}`];
      const inner = known[k];
      if (v !== null && typeof v === "object" && !Array.isArray(v) && inner !== null && typeof inner === "object" && !Array.isArray(inner))
        return unknownKeys(v as Record<string, unknown>, inner as Record<string, unknown>, `${path}.${k}`);
      return [];
    });
  }

  function typeMismatches(emitted: Record<string, unknown>, hcl: Generated["synthesizeHclAttributes"] extends () => infer R ? R : never, path: string): string[] {
    const kind = (v: unknown) => (Array.isArray(v) ? "list" : v === null ? "null" : typeof v);
    const reference = (v: unknown) => typeof v === "string" && /^\$\{.*\}$/s.test(v);
    return Object.entries(emitted).flatMap(([k, v]) => {
      const t = hcl[k]?.storageClassType;
      if (t === undefined || hcl[k]?.isBlock || reference(v)) return [];
      const want = t === "string" ? "string" : t === "number" ? "number" : t === "boolean" ? "boolean" : t.endsWith("List") ? "list" : t.endsWith("Map") ? "object" : "?";
      return kind(v) === want ? [] : [`${path}.${k}: ${kind(v)}, not ${t}`];
    });
  }

  function schemaProblems(json: TfJson, elements: readonly Element[]): string[] {
    return elements.flatMap((element) => {
      const type = element.terraformResourceType;
      const section = type === "aws_route53_zone" ? json.data : json.resource;
      const emitted = section?.[type]?.[element.friendlyUniqueId];
      if (emitted === undefined) return [`${type}.${element.friendlyUniqueId}: not emitted`];
      const { ["//"]: _meta, ...args } = emitted;
      const generated = element as unknown as Generated;
      const known: Record<string, unknown> = { ...generated.synthesizeAttributes(), ...Object.fromEntries([...META].map((m) => [m, null])) };
      return [...unknownKeys(args, known, type), ...typeMismatches(args, generated.synthesizeHclAttributes(), type)];
    });
  }

  it("every resource and data source the constructs emit uses only arguments the provider knows, with their types", () => {
    const elements: Element[] = [];
    const json = synthConstruct((s) => {
      const zone = new HostedZone(s, "zone", { zone: { zoneName: "example.com" } });
      const target = nlb(s);
      const alias = new NlbAliasRecords(s, "alias", { zoneId: zone.zoneId, hostnames: ["a.example.com"], target });
      const failover = new SteeredRecords(s, "failover", steeredProps({ zoneId: zone.zoneId, hostnames: ["example.com"], aws: target, tags: { env: "prod" } }));
      const weighted = new SteeredRecords(s, "weighted", steeredProps({ zoneId: zone.zoneId, hostnames: ["w.example.com"], aws: target, policy: { type: "weighted", weights: { aws: 1, gcp: 2 } } }));
      const cert = new DnsValidatedCertificate(s, "cert", certProps({ zoneId: zone.zoneId, tags: { env: "prod" } }));
      elements.push(
        ...(zone.lookup ? [zone.lookup] : []),
        ...Object.values(alias.records),
        ...Object.values(failover.healthChecks),
        ...Object.values(failover.records),
        ...Object.values(weighted.records),
        cert.certificate,
        cert.validationRecords,
        cert.validation,
      );
    });
    expect(schemaProblems(json, elements)).toEqual([]);
    expect([...new Set(elements.map((e) => e.terraformResourceType))].sort()).toEqual([
      "aws_acm_certificate",
      "aws_acm_certificate_validation",
      "aws_route53_health_check",
      "aws_route53_record",
      "aws_route53_zone",
    ]);
  });

  it("finds an argument the provider does not know, and a value of the wrong type", () => {
    const elements: Element[] = [];
    const json = synthConstruct((s) => {
      const records = new NlbAliasRecords(s, "alias", { zoneId: ZONE, hostnames: ["a.example.com"], target: NLB_LITERAL });
      const record = records.records["a.example.com"];
      if (!record) throw new Error("no record");
      record.addOverride("alias.target_health", true);
      record.addOverride("name", 1);
      elements.push(record);
    });
    expect(schemaProblems(json, elements)).toEqual(["aws_route53_record.alias.target_health", "aws_route53_record.name: number, not string"]);
  });
});
