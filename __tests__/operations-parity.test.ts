/**
 * Operations settings the peers offer (AWS Load Balancer Controller annotations,
 * terraform-aws-modules/alb, terraform-google-modules/lb-http): each field's emitted attribute by
 * value and each bad value with its exact message.
 */
import { loadEnvironments } from "../modules/config/loader";
import type { EnvInput } from "../modules/config/schema";
import { ConfigError, type Problem } from "../modules/core/errors";
import { certificateGroups, CertMap } from "../modules/gcp/cert-map";
import { NegBackends } from "../modules/gcp/neg-backends";
import { TargetRegistration } from "../modules/aws/targets";
import { awsEnv, contract, gcpEnv, patch } from "./helpers/fixtures";
import { dataSources, only, resources, synthConstruct, synthEnvs, type TfJson } from "./helpers/synth";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
/** An AWS env whose https entry ends TLS at the NLB (a TLS listener). */
const tlsEnv = (change: unknown = {}): EnvInput => patch(awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), patch({ aws: { nlb: { tls: { certificateArn: CERT } } } }, change));

function lines(...envs: EnvInput[]): string[] {
  try {
    loadEnvironments({ builtins: envs });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p: Problem) => `${p.env}: ${p.path}${p.value === undefined ? "" : ` (got ${JSON.stringify(p.value)})`}: ${p.message}`);
    throw e;
  }
  return [];
}

/** The AWS fixture with other targets (the fixture's discovery fields dropped). */
function withTargets(targets: NonNullable<EnvInput["aws"]>["targets"], change: unknown = {}): EnvInput {
  const base = awsEnv();
  return patch({ ...base, aws: { ...(base.aws as NonNullable<EnvInput["aws"]>), targets } }, change);
}
const edgeOf = (env: EnvInput, stack = `${env.name}-aws-edge`) => synthEnvs([env])[stack] as TfJson;
const groups = (json: TfJson): Record<string, Record<string, unknown>> => Object.fromEntries(Object.values(resources(json, "aws_lb_target_group")).map((g) => [(g.tags as Record<string, string>)["gatehouse/entry-point"], g]));
const listeners = (json: TfJson): Record<string, Record<string, unknown>> => Object.fromEntries(Object.values(resources(json, "aws_lb_listener")).map((l) => [l.port, l]));

describe("AWS NLB settings", () => {
  it("keeps today's NLB and target groups when nothing is set", () => {
    const edge = edgeOf(awsEnv());
    const lb = only(edge, "aws_lb");
    for (const key of ["access_logs", "dns_record_client_routing_policy", "enable_zonal_shift"]) expect(lb[key]).toBeUndefined();
    for (const g of Object.values(groups(edge))) {
      expect(g.target_health_state).toBeUndefined();
      expect(g.connection_termination).toBe(false);
    }
    for (const l of Object.values(listeners(edge))) expect(l.tcp_idle_timeout_seconds).toBeUndefined();
  });

  it("writes access logs, the DNS client routing policy and zonal shift on the NLB", () => {
    const env = tlsEnv({ aws: { nlb: { accessLogs: { bucket: "acme-nlb-logs", prefix: "edge/t" }, dnsClientRoutingPolicy: "availability_zone_affinity", zonalShift: true } } });
    const lb = only(edgeOf(env), "aws_lb");
    expect(lb.access_logs).toEqual({ bucket: "acme-nlb-logs", prefix: "edge/t", enabled: true });
    expect(lb.dns_record_client_routing_policy).toBe("availability_zone_affinity");
    expect(lb.enable_zonal_shift).toBe(true);
  });

  it("sets connection termination and the idle timeout per entry point, and the unhealthy-target state on every group", () => {
    const env = patch(awsEnv(), {
      ports: { http: { listenerPort: 80, nodePort: 30080, connectionTermination: true, idleTimeout: 120 }, https: { listenerPort: 443, nodePort: 30443, connectionTermination: true, idleTimeout: 900 } },
      aws: { targetGroups: { unhealthyTargets: { connectionTermination: false, drainingInterval: 300 } } },
    });
    const edge = edgeOf(env);
    const g = groups(edge);
    expect([g.http?.connection_termination, g.https?.connection_termination]).toEqual([true, true]);
    for (const tg of Object.values(g)) expect(tg.target_health_state).toEqual([{ enable_unhealthy_connection_termination: false, unhealthy_draining_interval: 300 }]);
    expect([listeners(edge)[80]?.tcp_idle_timeout_seconds, listeners(edge)[443]?.tcp_idle_timeout_seconds]).toEqual([120, 900]);
  });

  it("sets connection termination and the idle timeout of a directly reached service", () => {
    const env = patch(awsEnv(), {
      ports: { services: { orders: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "orders" }, targetPort: 8080, connectionTermination: true, idleTimeout: 600 } } },
    });
    const edge = edgeOf(env);
    expect(groups(edge).orders?.connection_termination).toBe(true);
    expect(listeners(edge)[8081]?.tcp_idle_timeout_seconds).toBe(600);
  });

  it("checks the cross-zone target quota over discovered workers at plan time", () => {
    const lookup = Object.values(dataSources(edgeOf(awsEnv()), "aws_instances"))[0] as { lifecycle: { postcondition: Array<{ condition: string; error_message: string }> } };
    expect(lookup.lifecycle.postcondition).toEqual([
      {
        condition: "${length(self.private_ips) * 2 <= 500}",
        error_message:
          "The worker lookup found more instances than the NLB can take: with cross-zone load balancing an NLB takes at most 500 targets, and each worker counts once in each of the 2 target groups (at most 250 workers). Narrow aws.targets.tagValues, use fewer entry points, or turn aws.nlb.crossZone off.",
      },
    ]);
    const zonal = Object.values(dataSources(edgeOf(patch(awsEnv(), { aws: { nlb: { crossZone: false } } })), "aws_instances"))[0];
    expect(zonal?.lifecycle).toBeUndefined();
  });

  it("checks the cross-zone target quota of static IPs in the construct too", () => {
    const ips = Array.from({ length: 251 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`);
    const make = () => synthConstruct((s) => void new TargetRegistration(s, "t", { targetGroups: { a: { arn: "a", port: 1 }, b: { arn: "b", port: 2 } }, vpcCidrs: ["10.0.0.0/16"], crossZone: true, source: { mode: "static", ips } }));
    expect(make).toThrow(
      "source.ips (got 251): an NLB with cross-zone load balancing takes at most 500 targets, a target counting once per target group; 251 IPs in 2 target groups count 502. Use fewer IPs or entry points, or turn aws.nlb.crossZone off (the quota then applies per Availability Zone)",
    );
  });

  it("labels the controller's namespace for pod readiness gates with controller-managed targets, unless turned off", () => {
    const env = withTargets({ mode: "controller" });
    const cluster = synthEnvs([env])["t-aws-cluster"] as TfJson;
    expect(only(cluster, "kubernetes_labels")).toMatchObject({ api_version: "v1", kind: "Namespace", metadata: { name: "ingress-nginx" }, labels: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" } });
    expect(String((only(cluster, "kubernetes_labels").depends_on as string[])[0])).toMatch(/^helm_release\./);
    const off = synthEnvs([patch(env, { aws: { targets: { podReadinessGate: false } } })])["t-aws-cluster"] as TfJson;
    expect(resources(off, "kubernetes_labels")).toEqual({});
    expect(resources(synthEnvs([awsEnv()])["t-aws-cluster"] as TfJson, "kubernetes_labels")).toEqual({});
  });
});

describe("AWS bad values", () => {
  const ips = Array.from({ length: 251 }, (_, i) => `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`);
  it.each<[string, EnvInput, string]>([
    ["access logs without a TLS listener", patch(awsEnv(), { aws: { nlb: { accessLogs: { bucket: "acme-nlb-logs" } } } }), 't: aws.nlb.accessLogs (got {"bucket":"acme-nlb-logs","enabled":true}): need a TLS listener: an NLB writes access logs for TLS connections only, and no entry point ends TLS at the load balancer; set an entry point\'s tls to "terminate", or remove accessLogs'],
    ["access-log bucket", tlsEnv({ aws: { nlb: { accessLogs: { bucket: "Acme_Logs" } } } }), 't: aws.nlb.accessLogs.bucket (got "Acme_Logs"): must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit'],
    ["access-log prefix", tlsEnv({ aws: { nlb: { accessLogs: { bucket: "acme-nlb-logs", prefix: "AWSLogs/x" } } } }), 't: aws.nlb.accessLogs.prefix (got "AWSLogs/x"): must not contain "AWSLogs": Elastic Load Balancing adds it after the prefix'],
    ["DNS client routing policy", patch(awsEnv(), { aws: { nlb: { dnsClientRoutingPolicy: "nearest" } } }), 't: aws.nlb.dnsClientRoutingPolicy (got "nearest"): Invalid option: expected one of "any_availability_zone"|"availability_zone_affinity"|"partial_availability_zone_affinity"'],
    ["zonal shift", patch(awsEnv(), { aws: { nlb: { zonalShift: "yes" } } }), 't: aws.nlb.zonalShift (got "yes"): Invalid input: expected boolean, received string'],
    ["draining interval with termination on", patch(awsEnv(), { aws: { targetGroups: { unhealthyTargets: { drainingInterval: 60 } } } }), "t: aws.targetGroups.unhealthyTargets.drainingInterval (got 60): needs connectionTermination: false: with termination on, AWS closes an unhealthy target's connections at once and takes no draining interval"],
    ["draining interval out of range", patch(awsEnv(), { aws: { targetGroups: { unhealthyTargets: { connectionTermination: false, drainingInterval: 360001 } } } }), "t: aws.targetGroups.unhealthyTargets.drainingInterval (got 360001): must be a whole number of seconds from 0 to 360000"],
    ["idle timeout of the http listener", awsEnv({ ports: { http: { listenerPort: 80, nodePort: 30080, idleTimeout: 30 } } }), "t: ports.http.idleTimeout (got 30): must be a whole number of seconds from 60 to 6000 (the NLB's TCP idle timeout range)"],
    ["idle timeout of a TLS https listener", tlsEnv({ ports: { https: { idleTimeout: 900 } } }), "t: ports.https.idleTimeout (got 900): must be 350 when TLS ends at the load balancer: AWS fixes the idle timeout of NLB TLS listeners at 350 s (use tls: passthrough for a longer one)"],
    ["connection termination that is not a boolean", awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, connectionTermination: "on" as unknown as boolean } } }), 't: ports.https.connectionTermination (got "on"): Invalid input: expected boolean, received string'],
    ["readiness gate outside controller mode", patch(awsEnv(), { aws: { targets: { podReadinessGate: true } } }), "t: aws.targets.podReadinessGate: unknown field (a typo would otherwise fall back to a default silently)"],
    ["static targets over the cross-zone quota", withTargets({ mode: "static", ips }), "t: aws.targets.ips (got 251): an NLB with cross-zone load balancing takes at most 500 targets, a target counting once per target group; 251 IPs in 2 target groups count 502. Use fewer IPs or entry points, or turn aws.nlb.crossZone off (the quota then applies per Availability Zone)"],
  ])("%s", (_rule, env, expected) => {
    expect(lines(env)).toContain(expected);
  });

  it("takes 250 static IPs over two groups, and any number with cross-zone off", () => {
    expect(lines(withTargets({ mode: "static", ips: ips.slice(0, 250) }))).toEqual([]);
    expect(lines(withTargets({ mode: "static", ips }, { aws: { nlb: { crossZone: false } } }))).toEqual([]);
  });
});

const backend = (json: TfJson) => Object.values(resources(json, "google_compute_backend_service")).find((b) => b.protocol !== "TCP") as Record<string, unknown>;
const gcpEdge = (change: unknown) => synthEnvs([patch(gcpEnv(), change)])["g-gcp-edge"] as TfJson;

describe("GCP HTTPS backend settings", () => {
  it("keeps today's backend when nothing is set", () => {
    const b = backend(gcpEdge({}));
    expect(b.connection_draining_timeout_sec).toBe(60);
    for (const key of ["custom_request_headers", "custom_response_headers", "edge_security_policy", "session_affinity", "affinity_cookie_ttl_sec", "outlier_detection", "iap", "enable_cdn", "cdn_policy"]) expect(b[key]).toBeUndefined();
  });

  it("writes headers, both Cloud Armor policies, affinity, outlier detection, draining and CDN", () => {
    const b = backend(
      gcpEdge({
        gcp: {
          backends: {
            customRequestHeaders: ["X-Client-Region:{client_region}"],
            customResponseHeaders: ["Strict-Transport-Security:max-age=31536000"],
            securityPolicy: "backend-policy",
            edgeSecurityPolicy: "edge-policy",
            sessionAffinity: "GENERATED_COOKIE",
            affinityCookieTtlSec: 3600,
            outlierDetection: { consecutiveErrors: 3, intervalSec: 10, baseEjectionTimeSec: 60, maxEjectionPercent: 50 },
            connectionDrainingTimeoutSec: 300,
            cdn: { defaultTtl: 600, maxTtl: 3600 },
          },
        },
      }),
    );
    expect(b).toMatchObject({
      custom_request_headers: ["X-Client-Region:{client_region}"],
      custom_response_headers: ["Strict-Transport-Security:max-age=31536000"],
      security_policy: "backend-policy",
      edge_security_policy: "edge-policy",
      session_affinity: "GENERATED_COOKIE",
      affinity_cookie_ttl_sec: 3600,
      outlier_detection: { consecutive_errors: 3, interval: { seconds: 10 }, base_ejection_time: { seconds: 60 }, max_ejection_percent: 50 },
      connection_draining_timeout_sec: 300,
      enable_cdn: true,
      cdn_policy: { cache_mode: "CACHE_ALL_STATIC", default_ttl: 600, max_ttl: 3600 },
    });
  });

  it("drains every backend, tcp ones included, for the configured time", () => {
    const env = patch(gcpEnv({ ports: { tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "m/b:1883" } } } }), { gcp: { backends: { connectionDrainingTimeoutSec: 0 } } });
    const all = Object.values(resources(synthEnvs([env])["g-gcp-edge"] as TfJson, "google_compute_backend_service"));
    expect(all.map((b) => [b.protocol, b.connection_draining_timeout_sec])).toEqual([["HTTPS", 0], ["TCP", 0]]);
  });

  it("turns IAP on with Google's managed OAuth client, or with a client whose secret is a sensitive variable", () => {
    expect(backend(gcpEdge({ gcp: { backends: { iap: {} } } })).iap).toEqual({ enabled: true });
    const json = gcpEdge({ gcp: { backends: { iap: { oauth2ClientId: "123-abc.apps.googleusercontent.com" } } } });
    expect(backend(json).iap).toEqual({ enabled: true, oauth2_client_id: "123-abc.apps.googleusercontent.com", oauth2_client_secret: "${var.iap_oauth2_client_secret}" });
    expect((json as { variable?: Record<string, unknown> }).variable?.iap_oauth2_client_secret).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(JSON.stringify(gcpEdge({}))).not.toContain("iap_oauth2_client_secret");
  });

  it("refuses a literal IAP secret and half a client in the construct", () => {
    const clusters = [{ name: "c", location: "europe-west1", zones: ["europe-west1-b"], capacity: 1, contract: contract({ env: "g", cluster: "c" }) }];
    const make = (iap: { oauth2ClientId?: string; oauth2ClientSecret?: string }) => () => synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "p", project: "acme-test-edge", clusters, iap }));
    expect(make({ oauth2ClientId: "id", oauth2ClientSecret: "s3cret" })).toThrow('iap.oauth2ClientSecret (got "(hidden)"): must be a Terraform reference such as a sensitive variable, never a literal: a literal ends up in the synthesized JSON');
    expect(make({ oauth2ClientId: "id" })).toThrow("iap (got \"id\"): give both oauth2ClientId and oauth2ClientSecret, or neither (Google's managed OAuth client)");
  });
});

describe("GCP bad values", () => {
  const g = (change: unknown) => patch(gcpEnv(), { gcp: { backends: change } });
  it.each<[string, EnvInput, string]>([
    ["IAP secret written in the environment", g({ iap: { oauth2ClientId: "id", oauth2ClientSecret: "s3cret" } }), 'g: gcp.backends.iap.oauth2ClientSecret (got "(hidden)"): must not be written in the environment: a secret in a config file ends up in version control and in the synthesized JSON. Set the Terraform variable iap_oauth2_client_secret of g-gcp-edge instead (TF_VAR_iap_oauth2_client_secret, or a sensitive workspace variable)'],
    ["IAP with Cloud CDN", g({ iap: {}, cdn: {} }), 'g: gcp.backends.cdn (got {"cacheMode":"CACHE_ALL_STATIC"}): cannot be combined with iap: Identity-Aware Proxy is incompatible with Cloud CDN (cached responses would reach users IAP never checked); drop one'],
    ["CDN cache mode other than static", g({ cdn: { cacheMode: "FORCE_CACHE_ALL" } }), 'g: gcp.backends.cdn.cacheMode (got "FORCE_CACHE_ALL"): Invalid input: expected "CACHE_ALL_STATIC"'],
    ["CDN TTL above a year", g({ cdn: { maxTtl: 31622401 } }), "g: gcp.backends.cdn.maxTtl (got 31622401): must be a whole number of seconds from 0 to 31622400 (one year)"],
    ["CDN default TTL above the max", g({ cdn: { defaultTtl: 7200, maxTtl: 3600 } }), "g: gcp.backends.cdn.defaultTtl (got 7200): must not exceed maxTtl (3600)"],
    ["edge security policy", g({ edgeSecurityPolicy: "Edge Policy" }), 'g: gcp.backends.edgeSecurityPolicy (got "Edge Policy"): must be a Cloud Armor policy name or self link'],
    ["connection draining", g({ connectionDrainingTimeoutSec: 3601 }), "g: gcp.backends.connectionDrainingTimeoutSec (got 3601): must be a whole number of seconds from 0 to 3600"],
    ["header without a colon", g({ customRequestHeaders: ["X-Team platform"] }), 'g: gcp.backends.customRequestHeaders.0 (got "X-Team platform"): must be "Header-Name:value" with a valid HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)'],
    ["reserved header", g({ customRequestHeaders: ["X-User-IP:1.2.3.4"] }), 'g: gcp.backends.customRequestHeaders.0 (got "X-User-IP:1.2.3.4"): cannot set X-User-IP: Google\'s load balancer reserves it (X-User-IP, CDN-Loop, authority and the hop-by-hop headers Keep-Alive, Transfer-Encoding, TE, Connection, Trailer, Upgrade)'],
    ["Google-prefixed header", g({ customResponseHeaders: ["X-Goog-Thing:1"] }), 'g: gcp.backends.customResponseHeaders.0 (got "X-Goog-Thing:1"): cannot set X-Goog-Thing: names starting X-Google, X-Goog-, X-GFE or X-Amz- are reserved'],
    ["header set twice", g({ customResponseHeaders: ["X-A:1", "x-a:2"] }), 'g: gcp.backends.customResponseHeaders.1 (got "x-a:2"): sets a header an earlier entry sets; each header name may appear once'],
    ["session affinity", g({ sessionAffinity: "HTTP_COOKIE" }), 'g: gcp.backends.sessionAffinity (got "HTTP_COOKIE"): Invalid option: expected one of "NONE"|"CLIENT_IP"|"GENERATED_COOKIE"'],
    ["cookie TTL without cookie affinity", g({ sessionAffinity: "CLIENT_IP", affinityCookieTtlSec: 60 }), "g: gcp.backends.affinityCookieTtlSec (got 60): applies only with sessionAffinity: GENERATED_COOKIE"],
    ["cookie TTL above a day", g({ sessionAffinity: "GENERATED_COOKIE", affinityCookieTtlSec: 86401 }), "g: gcp.backends.affinityCookieTtlSec (got 86401): must be a whole number of seconds from 0 to 86400 (one day)"],
    ["outlier ejection percent", g({ outlierDetection: { maxEjectionPercent: 101 } }), "g: gcp.backends.outlierDetection.maxEjectionPercent (got 101): must be a whole number from 0 to 100"],
    ["outlier error count", g({ outlierDetection: { consecutiveErrors: 0 } }), "g: gcp.backends.outlierDetection.consecutiveErrors (got 0): must be a whole number of at least 1"],
  ])("%s", (_rule, env, expected) => {
    expect(lines(env)).toContain(expected);
  });
});

describe("Certificate Manager past 100 hostnames", () => {
  const hosts = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`);

  it("groups hostnames 100 per certificate, in order", () => {
    expect(certificateGroups(hosts(250)).map((g) => [g.length, g[0]])).toEqual([[100, "h0.example.com"], [100, "h100.example.com"], [50, "h200.example.com"]]);
    expect(certificateGroups(hosts(100))).toHaveLength(1);
  });

  it("puts 250 hostnames on three certificates of one map; each entry names the certificate holding its hostname", () => {
    const json = synthConstruct((s) => void new CertMap(s, "certs", { namePrefix: "g--gatehouse", hostnames: [...hosts(249), "*.example.com"], zone: "example-com" }));
    const certs = resources(json, "google_certificate_manager_certificate");
    expect(Object.values(certs).map((c) => [c.name, (c.managed as { domains: string[] }).domains.length]).sort()).toEqual([["g--gatehouse--cert", 100], ["g--gatehouse--cert-2", 100], ["g--gatehouse--cert-3", 50]]);
    const idOf = Object.fromEntries(Object.entries(certs).map(([id, c]) => [c.name, `\${google_certificate_manager_certificate.${id}.id}`]));
    const entries = Object.values(resources(json, "google_certificate_manager_certificate_map_entry"));
    expect(entries).toHaveLength(251);
    const by = (host: string) => entries.find((e) => e.hostname === host)?.certificates;
    expect(by("h0.example.com")).toEqual([idOf["g--gatehouse--cert"]]);
    expect(by("h150.example.com")).toEqual([idOf["g--gatehouse--cert-2"]]);
    expect(by("*.example.com")).toEqual([idOf["g--gatehouse--cert-3"]]);
    expect(entries.find((e) => e.matcher === "PRIMARY")?.certificates).toEqual([idOf["g--gatehouse--cert"]]);
    expect(new Set(entries.map((e) => e.map)).size).toBe(1);
  });

  it("accepts an environment with more than 100 hostnames", () => {
    expect(lines(patch(gcpEnv(), { hostnames: hosts(101) }))).toEqual([]);
  });
});
