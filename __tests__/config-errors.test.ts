/**
 * Bad input: each rule gets its exact bad value and the message must name the environment, the
 * field and what is accepted. Config goes through the loader as a user's would.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Env, EnvInput } from "../modules/config/schema";
import { planEnvironment } from "../modules/plan";
import { loadEnvironments } from "../modules/config/loader";
import { ConfigError, formatProblems } from "../modules/core/errors";
import { CONTROLLER_KINDS } from "../modules/k8s/controllers/plugin";
import * as rules from "../modules/core/rules";
import { buildAll } from "../modules/stacks/build";
import { nlbSecurityGroupWarnings } from "../cli/replacement-warnings";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import { loadFailures, reportLines } from "./helpers/problems";
import { dataSources, parseEnv, type TfJson } from "./helpers/synth";
import { Testing } from "cdktf";

const problems = loadFailures;
const lines = reportLines;

describe("valid input is accepted", () => {
  it("takes the minimal AWS and GCP fixtures with every default filled in", () => {
    const [aws, gcp] = loadEnvironments({ builtins: [awsEnv(), gcpEnv()] });
    // The health path is the controller's own unless the env sets one (planEnvironment resolves it).
    expect(aws?.env.ports.health).toEqual({ nodePort: 30200 });
    expect(planEnvironment(aws?.env as Env).aws?.cluster.contract.health).toMatchObject({ nodePort: 30200, path: "/healthz", podPort: 10254 });
    expect(aws?.env.aws?.nlb).toMatchObject({ internetFacing: true, deletionProtection: true, crossZone: true, tls: { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, securityGroup: { mode: "none" }, clusterTag: "shared" });
    expect(aws?.env.ports.https.tls).toBe("passthrough");
    expect(gcp?.env.gcp?.clusters[0]?.capacity).toBe(1);
    expect(gcp?.env.state).toEqual({ type: "local" });
    const armored = patch(gcpEnv(), { gcp: { backends: { securityPolicy: "projects/acme-test-edge/global/securityPolicies/edge-policy" } } });
    expect(loadEnvironments({ builtins: [armored] })[0]?.env.gcp?.backends.securityPolicy).toBe("projects/acme-test-edge/global/securityPolicies/edge-policy");
  });
});

describe("schema rules", () => {
  it.each<[string, EnvInput, string]>([
    ["unknown field (typo)", patch(awsEnv(), { aws: { nlb: { deletionProtecton: false } } }), "t: aws.nlb.deletionProtecton: unknown field (a typo would otherwise fall back to a default silently)"],
    ["environment name", awsEnv({ name: "Prod_1" }), 'Prod_1: name (got "Prod_1"): must be 1-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen'],
    ["missing required field", patch(awsEnv(), { aws: { workerSecurityGroupIds: undefined } }), "t: aws.workerSecurityGroupIds: is required (array)"],
    ["NodePort outside the range", awsEnv({ ports: { https: { listenerPort: 443, nodePort: 443 } } }), "t: ports.https.nodePort (got 443): must be a NodePort inside the cluster's node port range 30000-32767"],
    ["NodePort outside a custom range", awsEnv({ ports: { nodePortRange: { min: 31000, max: 31999 }, http: { listenerPort: 80, nodePort: 31080 }, https: { listenerPort: 443, nodePort: 31443 } } }), "t: ports.health.nodePort (got 30200): must be a NodePort inside the cluster's node port range 31000-31999"],
    ["health NodePort equal to a traffic NodePort", awsEnv({ ports: { health: { nodePort: 30443 } } }), "t: ports.https.nodePort (got 30443): is already used by ports.health.nodePort; every NodePort (traffic and health) must be distinct"],
    ["listener port above 65535", awsEnv({ ports: { tcp: { big: { listenerPort: 70000, nodePort: 30999, backend: "a/b:1" } } } }), "t: ports.tcp.big.listenerPort (got 70000): must be a whole number from 1 to 65535"],
    ["entry point name", awsEnv({ ports: { tcp: { MQTT: { listenerPort: 8883, nodePort: 30883, backend: "a/b:1" } } } }), 't: ports.tcp.MQTT (got "MQTT"): entry point names are 1-15 lowercase letters, digits and hyphens'],
    ["explicit NLB name too long", patch(awsEnv(), { aws: { nlb: { name: "a-load-balancer-name-that-is-too-long" } } }), 't: aws.nlb.name (got "a-load-balancer-name-that-is-too-long"): load balancer names must be 1-32 characters, letters, digits and hyphens, no leading or trailing hyphen'],
    ["NLB name starting internal-", patch(awsEnv(), { aws: { nlb: { name: "internal-edge" } } }), 't: aws.nlb.name (got "internal-edge"): load balancer names must not begin with "internal-" (1-32 characters, letters, digits and hyphens, no leading or trailing hyphen)'],
    ["VPC CIDR", patch(awsEnv(), { aws: { vpc: { cidrs: ["10.0.0.0/33"] } } }), 't: aws.vpc.cidrs.0 (got "10.0.0.0/33"): must be an IPv4 CIDR block such as 10.0.0.0/16'],
    ["CIDR with host bits", patch(awsEnv(), { aws: { vpc: { cidrs: ["10.0.5.0/16"] } } }), 't: aws.vpc.cidrs.0 (got "10.0.5.0/16"): has host bits set; the network address for /16 is 10.0.0.0/16'],
    ["AWS id", patch(awsEnv(), { aws: { vpc: { id: "vpc-xyz" } } }), 't: aws.vpc.id (got "vpc-xyz"): must be an AWS id such as vpc-0123456789abcdef0'],
    ["AWS region", patch(awsEnv(), { aws: { region: "europe" } }), 't: aws.region (got "europe"): must be an AWS region code such as "eu-west-1"'],
    ["subnets and mappings both", patch(awsEnv(), { aws: { nlb: { subnetMappings: [{ subnetId: "subnet-0123456789abcdef1" }] } } }), 't: aws.nlb.subnets (got ["subnet-0123456789abcdef1","subnet-0123456789abcdef2"]): give exactly one of subnets and subnetMappings'],
    ["Elastic IP on an internal NLB", patch(awsEnv(), { aws: { nlb: { internetFacing: false, subnets: undefined, subnetMappings: [{ subnetId: "subnet-0123456789abcdef1", allocationId: "eipalloc-0123456789abcdef1" }] } } }), 't: aws.nlb.subnetMappings.0.allocationId (got "eipalloc-0123456789abcdef1"): Elastic IPs only apply to an internet-facing NLB'],
    ["TLS at the NLB without certificate", awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), "t: aws.nlb.tls.certificateArn: is required: entry point https ends TLS at the load balancer (tls: terminate), whose TLS listeners need an ACM certificate"],
    ["tcp entry ending TLS without certificate", awsEnv({ ports: { tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "a/b:1", tls: "terminate" } } } }), "t: aws.nlb.tls.certificateArn: is required: entry point mqtts ends TLS at the load balancer (tls: terminate), whose TLS listeners need an ACM certificate"],
    ["certificate no entry point uses", patch(awsEnv(), { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } } }), 't: aws.nlb.tls.certificateArn (got "arn:aws:acm:eu-west-1:123456789012:certificate/abc"): is unused: no entry point ends TLS at the load balancer; set an entry point\'s tls to "terminate", or remove the certificate'],
    ["ALPN with no TLS listener", patch(awsEnv(), { aws: { nlb: { tls: { alpnPolicy: "HTTP2Preferred" } } } }), 't: aws.nlb.tls.alpnPolicy (got "HTTP2Preferred"): is unused: ALPN applies to TLS listeners and no entry point ends TLS at the load balancer'],
    ["idle timeout on an AWS TLS listener", patch(awsEnv({ ports: { tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "a/b:1", tls: "terminate", idleTimeout: 900 } } } }), { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } } }), "t: ports.tcp.mqtts.idleTimeout (got 900): must be 350 when TLS ends at the load balancer: AWS fixes the idle timeout of NLB TLS listeners at 350 s (use tls: passthrough for a longer one)"],
    ["idle timeout out of range", awsEnv({ ports: { tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "a/b:1", idleTimeout: 30 } } } }), "t: ports.tcp.mqtts.idleTimeout (got 30): must be a whole number of seconds from 60 to 6000 (the NLB's TCP idle timeout range)"],
    ["TLS certificate that is not an ARN", patch(awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), { aws: { nlb: { tls: { certificateArn: "my-cert" } } } }), 't: aws.nlb.tls.certificateArn (got "my-cert"): must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) or an IAM server certificate ARN'],
    ["TLS choice", awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, tls: "offload" as "terminate" } } }), 't: ports.https.tls (got "offload"): Invalid option: expected one of "passthrough"|"terminate"'],
    ["the removed aws.nlb.tls.mode", patch(awsEnv(), { aws: { nlb: { tls: { mode: "terminate" } } } }), 't: aws.nlb.tls.mode (got "terminate"): was removed: choose where TLS ends per entry point with ports.https.tls (and ports.tcp.<name>.tls): "passthrough" or "terminate"; aws.nlb.tls keeps the certificate and policies'],
    ["public VPC CIDR admitted to the NodePorts", patch(awsEnv(), { aws: { vpc: { cidrs: ["0.0.0.0/0"] } } }), 't: aws.vpc.cidrs.0 (got "0.0.0.0/0"): is not a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10); the VPC CIDRs are admitted to the worker NodePorts, so this would open them to the internet. Set aws.vpc.allowPublicCidrs: true if the VPC really uses this address space'],
    ["CIDR wider than a private range", patch(awsEnv(), { aws: { vpc: { cidrs: ["10.0.0.0/7"] } } }), 't: aws.vpc.cidrs.0 (got "10.0.0.0/7"): is not a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10); the VPC CIDRs are admitted to the worker NodePorts, so this would open them to the internet. Set aws.vpc.allowPublicCidrs: true if the VPC really uses this address space'],
    ["environment name holding a stack word", awsEnv({ name: "x-gcp-cluster-c" }), 'x-gcp-cluster-c: name (got "x-gcp-cluster-c"): must not contain the words "aws" or "gcp" between hyphens: stack names use them after the environment name (<env>-aws-edge, <env>-gcp-cluster-<cluster>)'],
    ["environment name with the name separator", awsEnv({ name: "a--b" }), 'a--b: name (got "a--b"): must not contain "--": it separates the parts of derived resource names'],
    ["cluster name with the name separator", patch(gcpEnv(), { gcp: { clusters: [{ name: "c--1", location: "europe-west1", zones: ["europe-west1-b"] }] } }), 'g: gcp.clusters.0.name (got "c--1"): must not contain "--": it separates the parts of derived resource names'],
    ["capacity the backend cannot take", patch(gcpEnv(), { gcp: { clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b"], capacity: 0.05 }] } }), "g: gcp.clusters.0.capacity (got 0.05): must be 0 (drained) or from 0.1 to 1: the backend's capacity_scaler accepts nothing in between"],
    ["Terraform template in a tag", awsEnv({ tags: { team: "${path.cwd}" } }), 't: tags.team (got "${path.cwd}"): value contains "${": Terraform would evaluate it as an expression (it can read files and other resources\' attributes into the plan); gatehouse refuses template sequences in configuration. Write plain text without "${" (only controller.config.*, aws.lattice.authPolicy are passed through literally)'],
    ["health-check interval", patch(awsEnv(), { aws: { targetGroups: { healthCheck: { interval: 301 } } } }), "t: aws.targetGroups.healthCheck.interval (got 301): must be a whole number from 5 to 300"],
    ["health-check timeout above interval", patch(awsEnv(), { aws: { targetGroups: { healthCheck: { interval: 5, timeout: 6 } } } }), "t: aws.targetGroups.healthCheck.timeout (got 6): must not exceed the interval (5 s)"],
    ["health-check threshold", patch(awsEnv(), { aws: { targetGroups: { healthCheck: { healthyThreshold: 1 } } } }), "t: aws.targetGroups.healthCheck.healthyThreshold (got 1): must be a whole number from 2 to 10"],
    ["health-check matcher", patch(awsEnv(), { aws: { targetGroups: { healthCheck: { matcher: "600" } } } }), 't: aws.targetGroups.healthCheck.matcher (got "600"): must be HTTP codes from 200 to 599: "200", "200,202" or "200-299"'],
    ["deregistration delay", patch(awsEnv(), { aws: { targetGroups: { deregistrationDelay: -1 } } }), "t: aws.targetGroups.deregistrationDelay (got -1): must be a whole number of seconds from 0 to 3600"],
    ["node port range upside down", awsEnv({ ports: { nodePortRange: { min: 32000, max: 31000 } } }), 't: ports.nodePortRange (got {"min":32000,"max":31000}): must be whole numbers with 1 <= min < max <= 65535'],
    ["TLS policy that is not predefined", patch(awsEnv({ ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc", sslPolicy: "TLS13-only" } } } }), 't: aws.nlb.tls.sslPolicy (got "TLS13-only"): must be a predefined ELB security policy ("ELBSecurityPolicy-...")'],
    ["chart version range", awsEnv({ controller: { chartVersion: "^4.15" } }), 't: controller.chartVersion (got "^4.15"): must be an exact chart version such as 4.15.1'],
    ["HCP Terraform organization", awsEnv({ state: { type: "cloud", organization: "acme platform" } }), 't: state.organization (got "acme platform"): must be an HCP Terraform organization name'],
    ["hostname listed twice", patch(gcpEnv(), { hostnames: ["example.com", "example.com"] }), 'g: hostnames (got ["example.com","example.com"]): lists a hostname twice'],
    ["Cloud Armor policy", patch(gcpEnv(), { gcp: { backends: { securityPolicy: "Edge Policy" } } }), 'g: gcp.backends.securityPolicy (got "Edge Policy"): must be a Cloud Armor policy name or self link'],
    ["public static target IP outside the VPC", patch(awsEnv(), { aws: { targets: { mode: "static", ips: ["8.8.8.8"] } } }), 't: aws.targets.ips.0 (got "8.8.8.8"): is outside the VPC and not private; IP targets outside the VPC must be in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10'],
    ["hostnames that map to one resource name", patch(gcpEnv(), { hostnames: ["x-y.example.com", "x.y.example.com"] }), 'g: hostnames.1 (got "x.y.example.com"): maps to the same resource names as "x-y.example.com"; rename one of them'],
    ["static target IP", patch(awsEnv(), { aws: { targets: { mode: "static", ips: ["10.0.0.300"] } } }), 't: aws.targets.ips.0 (got "10.0.0.300"): must be an IPv4 address such as 10.0.1.17'],
    ["one controller replica", awsEnv({ controller: { replicas: 1 } }), "t: controller.replicas (got 1): must be a whole number from 2 to 100 (one replica means an outage on every node drain)"],
    ["Helm release name", awsEnv({ controller: { releaseName: "Ingress" } }), 't: controller.releaseName (got "Ingress"): must be a DNS-1123 label: lowercase letters, digits and hyphens, 1-63 characters, starting and ending alphanumeric'],
    ["no cloud at all", { name: "t" }, "t: aws: an environment needs an aws section, a gcp section, or both"],
    ["TFC workspace prefix", awsEnv({ state: { type: "cloud", organization: "acme", workspacePrefix: "has space" } }), 't: state.workspacePrefix (got "has space"): must be 1-90 letters, digits, "-" or "_"'],
    ["GCP resource name", patch(gcpEnv(), { gcp: { network: "Default_VPC" } }), 'g: gcp.network (got "Default_VPC"): must match [a-z]([-a-z0-9]*[a-z0-9])? and be at most 63 characters'],
    ["hostname", patch(gcpEnv(), { hostnames: ["Example.com"] }), 'g: hostnames.0 (got "Example.com"): must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; label "Example" is not valid'],
    ["wildcard not leftmost", patch(gcpEnv(), { hostnames: ["api.*.example.com"] }), 'g: hostnames.0 (got "api.*.example.com"): must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; "*" may only be the whole leftmost label'],
    ["trailing dot", patch(gcpEnv(), { hostnames: ["example.com."] }), 'g: hostnames.0 (got "example.com."): must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com", without a trailing dot'],
    ["zone domain with a wildcard", patch(gcpEnv(), { gcp: { dns: { zone: "example-com", domain: "*.example.com" } } }), 'g: gcp.dns.domain (got "*.example.com"): must be a lowercase DNS name such as "example.com"; wildcards are not allowed here'],
    ["hostname outside the zone", patch(gcpEnv(), { hostnames: ["example.net"] }), 'g: hostnames.0 (got "example.net"): is not inside the zone\'s domain example.com (gcp.dns.domain)'],
    ["zone not in region", patch(gcpEnv(), { gcp: { clusters: [{ name: "c1", location: "europe-west1", zones: ["us-east1-b"] }] } }), 'g: gcp.clusters.0.zones.0 (got "us-east1-b"): is not a zone of region europe-west1 (expected europe-west1-<letter>)'],
    ["zonal cluster with another zone", patch(gcpEnv(), { gcp: { clusters: [{ name: "c1", location: "europe-west1-b", zones: ["europe-west1-c"] }] } }), 'g: gcp.clusters.0.zones.0 (got "europe-west1-c"): a zonal cluster in europe-west1-b has nodes only in that zone'],
    ["empty cluster list", patch(gcpEnv(), { gcp: { clusters: [] } }), "g: gcp.clusters (got []): Too small: expected array to have >=1 items"],
    ["duplicate cluster names (NEG names would collide)", patch(gcpEnv(), { gcp: { clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b"] }, { name: "c1", location: "us-east1", zones: ["us-east1-b"] }] } }), 'g: gcp.clusters.1.name (got "c1"): is used by another cluster of this environment; NEG and stack names would collide'],
    ["all clusters drained", patch(gcpEnv(), { gcp: { clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b"], capacity: 0 }] } }), "g: gcp.clusters (got [0]): every cluster has capacity 0: the load balancer would have nowhere to send traffic; keep at least one above 0"],
    ["PROXY protocol behind Google's L7 LB", gcpEnv({ ports: { proxyProtocol: true } }), "g: ports.proxyProtocol (got true): must be false behind NEGs: Google's Application Load Balancer never sends PROXY headers, so the controller would reject every request"],
    ["node service account", patch(gcpEnv(), { gcp: { nodeTargets: { tags: undefined, serviceAccounts: ["not-an-email"] } } }), 'g: gcp.nodeTargets.serviceAccounts.0 (got "not-an-email"): Invalid email address'],
    ["node tags and service accounts together", patch(gcpEnv(), { gcp: { nodeTargets: { serviceAccounts: ["nodes@acme-test-edge.iam.gserviceaccount.com"] } } }), 'g: gcp.nodeTargets (got {"tags":["gke-node"],"serviceAccounts":["nodes@acme-test-edge.iam.gserviceaccount.com"]}): give exactly one of tags and serviceAccounts (a firewall rule cannot target both)'],
  ])("%s", (_rule, env, expected) => {
    expect(lines(env)).toContain(expected);
  });

  it.each(CONTROLLER_KINDS)("reports a rule every controller shares once, with the %s controller", (kind) => {
    const shared = (env: EnvInput, path: string) => lines(env).filter((l) => l.startsWith(`${env.name}: ${path} `));
    expect(shared(awsEnv({ controller: { kind, replicas: 1 } }), "controller.replicas")).toEqual(["t: controller.replicas (got 1): must be a whole number from 2 to 100 (one replica means an outage on every node drain)"]);
    expect(shared(gcpEnv({ controller: { kind }, ports: { proxyProtocol: true } }), "ports.proxyProtocol")).toEqual([
      "g: ports.proxyProtocol (got true): must be false behind NEGs: Google's Application Load Balancer never sends PROXY headers, so the controller would reject every request",
    ]);
  });

  it("reports every problem of every environment at once", () => {
    const found = problems(awsEnv({ name: "a", controller: { replicas: 1 } }), patch(gcpEnv({ name: "b" }), { hostnames: ["example.net"] }));
    expect(found.map((p) => `${p.env}:${p.path}`)).toEqual(["a:controller.replicas", "b:hostnames.0"]);
    expect(formatProblems(found).split("\n")[0]).toBe("gatehouse: 2 configuration problems in 2 environments; nothing was synthesized.");
  });

  it("refuses two environments with one name", () => {
    expect(lines(awsEnv({ name: "x" }), gcpEnv({ name: "x" }))).toEqual(['x: name (got "x"): is also the name of an environment in envs/; environment names must be unique']);
  });

  it("gives env a-b + cluster c and env a + cluster b-c different names, in one run or apart", () => {
    const a = patch(gcpEnv({ name: "a-b" }), { gcp: { clusters: [{ name: "c", location: "europe-west1", zones: ["europe-west1-b"] }] } });
    // Each serves its own hostname: one environment owns a hostname's records in a zone.
    const b = patch(gcpEnv({ name: "a" }), { hostnames: ["other.example.com"], gcp: { clusters: [{ name: "b-c", location: "europe-west1", zones: ["europe-west1-b"] }] } });
    const negs = (...envs: EnvInput[]) => buildAll(Testing.app(), envs.map(parseEnv)).flatMap((st) => Object.values(dataSources(JSON.parse(Testing.synth(st)) as TfJson, "google_compute_network_endpoint_group")).map((n) => String(n.name)));
    const alone = [...negs(a), ...negs(b)];
    expect(new Set(alone).size).toBe(alone.length);
    expect(negs(a, b).sort()).toEqual(alone.sort());
  });

  it("refuses a stack name that two environments would share (the words aws and gcp are reserved)", () => {
    // Env "x" with cluster "c-aws-edge" and env "x-gcp-cluster-c" once both made x-gcp-cluster-c-aws-edge.
    expect(lines(awsEnv({ name: "x-gcp-cluster-c" }))[0]).toMatch(/^x-gcp-cluster-c: name .*must not contain the words "aws" or "gcp"/);
  });
});

describe("env files", () => {
  const dir = mkdtempSync(join(tmpdir(), "gh-envs-"));

  it("names the file and line of a YAML syntax error", () => {
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "name: broken\naws:\n  region: eu-west-1\n  region: eu-west-2\n");
    const p = (() => {
      try {
        loadEnvironments({ builtins: [], files: [file] });
      } catch (e) {
        return (e as ConfigError).problems[0];
      }
      return undefined;
    })();
    expect(p?.file).toBe(`${file}:4:3`);
    expect(p?.path).toBe("(syntax)");
    expect(p?.message).toBe("Map keys must be unique");
  });

  it("names the file and line of a schema problem", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "name: bad\naws:\n  region: eu-west-1\n  cluster: { name: eks }\n  vpc: { id: vpc-0123456789abcdef0, cidrs: [10.0.0.0/16] }\n  nlb: { subnets: [subnet-0123456789abcdef1] }\n  targets: { mode: discover, tagValues: [n] }\n  workerSecurityGroupIds: [sg-1]\n");
    try {
      loadEnvironments({ builtins: [], files: [file] });
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        { env: "bad", file: `${file}:8`, path: "aws.workerSecurityGroupIds.0", value: "sg-1", message: "must be an AWS id such as sg-0123456789abcdef0" },
      ]);
    }
  });

  it("reads JSON files and lists of environments", () => {
    const file = join(dir, "two.json");
    writeFileSync(file, JSON.stringify([awsEnv({ name: "j1" }), gcpEnv({ name: "j2" })]));
    expect(loadEnvironments({ builtins: [], files: [file] }).map((l) => [l.env.name, l.file])).toEqual([["j1", file], ["j2", file]]);
  });

  it("says when a file cannot be read", () => {
    expect(() => loadEnvironments({ builtins: [], files: [join(dir, "missing.yaml")] })).toThrow(/GATEHOUSE_ENV_FILE \(got ".*missing\.yaml"\): cannot be read/);
  });

  it("a broken environment that is not selected does not block the selected one", () => {
    expect(loadEnvironments({ builtins: [awsEnv({ name: "ok" }), awsEnv({ name: "broken", controller: { replicas: 1 } })], only: ["ok"] }).map((l) => l.env.name)).toEqual(["ok"]);
  });
});

describe("provider plan-time rules checked at synth", () => {
  it("refuses a path or matcher on a TCP health check", () => {
    expect(rules.nlbHealthCheck({ protocol: "TCP", interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 3, path: "/healthz", matcher: "200" }).map((p) => `${p.field}: ${p.message}`)).toEqual([
      "path: a TCP health check cannot carry a path; use protocol HTTP or drop the path",
      "matcher: a TCP health check cannot carry a matcher; use protocol HTTP or drop the matcher",
    ]);
    expect(rules.nlbHealthCheck({ protocol: "TCP", interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 3 })).toEqual([]);
  });
});

describe("NLB security group replacement warning", () => {
  function previousOutdir(securityGroups: string[] | undefined): string {
    const outdir = mkdtempSync(join(tmpdir(), "gh-prev-"));
    mkdirSync(join(outdir, "stacks", "t-aws-edge"), { recursive: true });
    writeFileSync(join(outdir, "stacks", "t-aws-edge", "cdk.tf.json"), JSON.stringify({ resource: { aws_lb: { x: { name: "t", security_groups: securityGroups } } } }));
    return outdir;
  }

  it("warns when a security group is added to an NLB that had none", () => {
    const env = parseEnv(patch(awsEnv(), { aws: { nlb: { securityGroup: { mode: "create" } } } }));
    const [w] = nlbSecurityGroupWarnings(previousOutdir(undefined), [env]);
    expect(w).toContain("t: aws.nlb.securityGroup adds a security group to an NLB that has none");
    expect(w).toContain("REPLACE");
  });

  it("warns when the security groups of an NLB that had some are removed", () => {
    const [w] = nlbSecurityGroupWarnings(previousOutdir(["sg-0123456789abcdef0"]), [parseEnv(awsEnv())]);
    expect(w).toContain("t: aws.nlb.securityGroup removes the NLB's security groups");
    expect(w).toContain("REPLACE t-aws-edge's NLB");
  });

  it("stays quiet when nothing changes or there is no previous output", () => {
    expect(nlbSecurityGroupWarnings(previousOutdir(["sg-0123456789abcdef0"]), [parseEnv(patch(awsEnv(), { aws: { nlb: { securityGroup: { mode: "create" } } } }))])).toEqual([]);
    expect(nlbSecurityGroupWarnings(previousOutdir(undefined), [parseEnv(awsEnv())])).toEqual([]);
    expect(nlbSecurityGroupWarnings(join(tmpdir(), "gh-none"), [parseEnv(awsEnv())])).toEqual([]);
  });
});
