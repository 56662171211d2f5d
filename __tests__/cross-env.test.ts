/**
 * One cloud name, one owner: every kind of name that two environments could both create (in an
 * AWS account or region, a DNS zone, a GCP project's zone, a Kubernetes cluster) is claimed by the
 * plan (nameClaims), and two claims of one name are refused at synth, naming the environment, the
 * field and what to change. Each kind is generated as a pair that collides, the same pair with one
 * thing that sets them apart (for the region-wide names: the region alone), and the pair the other
 * way round. The claims are checked against what the synthesized stacks really create.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import type { EnvInput } from "../modules/config/schema";
import { parseEnvironment } from "../modules/config/loader";
import { latticeControllerRoleName } from "../modules/aws/lattice";
import { ConfigError, type Problem } from "../modules/core/errors";
import { awsIamName } from "../modules/core/naming";
import { awsAccountOf, crossEnvProblems, nameClaims, planEnvironment, type EnvPlan } from "../modules/plan";
import { buildAll } from "../modules/stacks/build";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import { parseEnv, resources, synthEnvs, type TfJson } from "./helpers/synth";

const root = join(__dirname, "..");
const plan = (input: EnvInput): EnvPlan => planEnvironment(parseEnv(input));
const problems = (...inputs: EnvInput[]): Problem[] => crossEnvProblems(inputs.map(plan));

const certificate = (account: string, region = "eu-west-1") => `arn:aws:acm:${region}:${account}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
/** An AWS environment on a cluster and VPC of its own (`i`). */
const aws = (name: string, i: number, change: unknown = {}): EnvInput =>
  patch(awsEnv({ name }), patch({ aws: { cluster: { name: `eks-${i}` }, vpc: { id: `vpc-0000000000000000${i}` } } }, change));
/** The same environment in another region. */
const elsewhere = (env: EnvInput, region = "eu-central-1"): EnvInput => patch(env, { aws: { region } });
/** What a second environment on a shared cluster must have of its own: NodePorts. */
const PORTS_2 = { ports: { http: { listenerPort: 80, nodePort: 31080 }, https: { listenerPort: 443, nodePort: 31443 }, health: { nodePort: 31200 } } };
const NGF = { controller: { kind: "nginx-gateway-fabric", config: { httpsCertificateSecret: "edge-tls" } } };
const ISTIO = { controller: { kind: "istio", config: { httpsCertificateSecret: "edge-tls" } } };
const API = (domain: Record<string, string>) => ({ aws: { nlb: { internetFacing: false }, apiGateway: { routes: { $default: "http" }, domain: { certificateArn: certificate("123456789012"), ...domain } } } });
/** A GCP environment with a GKE cluster of its own (`i`) in the fixture's project and DNS zone. */
const gcp = (name: string, i: number, change: unknown = {}): EnvInput => patch(gcpEnv({ name }), patch({ gcp: { clusters: [{ name: `gke-${i}`, location: "europe-west1", zones: ["europe-west1-b"] }] } }, change));

interface Case {
  /** The kind of name. */
  readonly kind: string;
  readonly a: EnvInput;
  readonly b: EnvInput;
  /** Fields of b's problems, in order. */
  readonly paths: readonly string[];
  /** Names each message lists (by problem). */
  readonly names: readonly (readonly string[])[];
  /** b with one thing changed that makes every name its own. */
  readonly apart: EnvInput;
}

const b1 = aws("b", 2, { aws: { nlb: { name: "edge" } } });
const ngfShared = aws("b", 1, patch(patch(NGF, PORTS_2), { routes: { web: { backend: "shop/web:80" } } }));
const CASES: Case[] = [
  {
    kind: "explicit NLB name (account and region)",
    a: aws("a", 1, { aws: { nlb: { name: "edge" } } }),
    b: b1,
    paths: ["aws.nlb.name"],
    names: [["load balancer edge"]],
    apart: elsewhere(b1),
  },
  {
    kind: "an explicit NLB name equal to another environment's derived one",
    a: aws("a", 1),
    b: aws("b", 2, { aws: { nlb: { name: "a--eks-1" } } }),
    paths: ["aws.nlb.name"],
    names: [["load balancer a--eks-1"]],
    apart: elsewhere(aws("b", 2, { aws: { nlb: { name: "a--eks-1" } } })),
  },
  {
    kind: "VPC Lattice service network name (account and region)",
    a: aws("a", 1, { aws: { lattice: { serviceNetworkName: "mesh" } } }),
    b: aws("b", 2, { aws: { lattice: { serviceNetworkName: "mesh" } } }),
    paths: ["aws.lattice.serviceNetworkName"],
    names: [["VPC Lattice service network mesh"]],
    apart: elsewhere(aws("b", 2, { aws: { lattice: { serviceNetworkName: "mesh" } } })),
  },
  {
    kind: "VPC Lattice association (a VPC joins one service network)",
    a: aws("a", 1, { aws: { lattice: {} } }),
    b: aws("b", 2, { aws: { vpc: { id: "vpc-00000000000000001" }, lattice: {} } }),
    paths: ["aws.lattice"],
    names: [["VPC Lattice association of VPC vpc-00000000000000001"]],
    apart: aws("b", 2, { aws: { lattice: {} } }),
  },
  {
    kind: "API Gateway custom domain (account and region)",
    a: aws("a", 1, API({ name: "api.example.com" })),
    b: aws("b", 2, API({ name: "api.example.com" })),
    paths: ["aws.apiGateway.domain.name"],
    names: [["API Gateway custom domain api.example.com"]],
    apart: elsewhere(aws("b", 2, API({ name: "api.example.com", certificateArn: certificate("123456789012", "eu-central-1") }))),
  },
  {
    kind: "Route 53 record (a hosted zone is the same in every region)",
    a: aws("a", 1, API({ name: "api.example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ" })),
    b: elsewhere(aws("b", 2, API({ name: "api.example.com", route53ZoneId: "Z0123456789ABCDEFGHIJ", certificateArn: certificate("123456789012", "eu-central-1") }))),
    paths: ["aws.apiGateway.domain.name"],
    names: [["DNS record api.example.com"]],
    apart: elsewhere(aws("b", 2, API({ name: "api.example.com", route53ZoneId: "Z9876543210ABCDEFGHIJ", certificateArn: certificate("123456789012", "eu-central-1") }))),
  },
  {
    kind: "Route 53 alias records of a hostname (aws.dns)",
    a: aws("a", 1, { hostnames: ["shop.example.com"], aws: { dns: { zoneId: "Z0123456789ABCDEFGHIJ" } } }),
    b: aws("b", 2, { hostnames: ["shop.example.com"], aws: { dns: { zoneId: "Z0123456789ABCDEFGHIJ" } } }),
    paths: ["hostnames.0"],
    names: [["A record shop.example.com"]],
    apart: aws("b", 2, { hostnames: ["shop.example.com"], aws: { dns: { zoneId: "Z9876543210ABCDEFGHIJ" } } }),
  },
  {
    kind: "ACM's validation record (a domain and its wildcard share it)",
    a: aws("a", 1, { hostnames: ["*.example.com"], ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } }, aws: { dns: { zoneId: "Z0123456789ABCDEFGHIJ" }, certificate: {} } }),
    b: aws("b", 2, { hostnames: ["example.com"], ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } }, aws: { dns: { zoneId: "Z0123456789ABCDEFGHIJ" }, certificate: {} } }),
    paths: ["hostnames.0"],
    names: [["ACM validation record example.com"]],
    apart: aws("b", 2, { hostnames: ["example.com"], ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } }, aws: { dns: { zoneId: "Z9876543210ABCDEFGHIJ" }, certificate: {} } }),
  },
  {
    kind: "Cloud DNS records of a hostname",
    a: gcp("a", 1),
    b: gcp("b", 2, { hostnames: ["example.com"] }),
    paths: ["hostnames.0"],
    names: [["A record example.com", "DNS authorization record _acme-challenge.example.com"]],
    apart: gcp("b", 2, { hostnames: ["example.com"], gcp: { dns: { zone: "other-zone" } } }),
  },
  {
    kind: "Certificate Manager's authorization record (a domain and its wildcard share it)",
    a: gcp("a", 1, { hostnames: ["*.example.com"] }),
    b: gcp("b", 2, { hostnames: ["example.com"] }),
    paths: ["hostnames.0"],
    names: [["DNS authorization record _acme-challenge.example.com"]],
    apart: gcp("b", 2, { hostnames: ["example.com"], gcp: { project: "acme-other-edge" } }),
  },
  {
    kind: "an EKS cluster two environments share (releases, Services, the IngressClass, NodePorts)",
    a: aws("a", 1),
    b: aws("b", 1),
    paths: ["controller.releaseName", "controller.kind", "ports.http.nodePort", "ports.https.nodePort", "ports.health.nodePort"],
    names: [["Helm release ingress-nginx/ingress-nginx", "Service ingress-nginx/ingress-nginx-controller", "Service ingress-nginx/ingress-nginx-healthcheck"], ["cluster-wide IngressClass nginx"], ["NodePort 30080"], ["NodePort 30443"], ["NodePort 30200"]],
    apart: elsewhere(aws("b", 1)),
  },
  {
    kind: "a GKE cluster two environments share",
    a: gcp("a", 1),
    b: gcp("b", 1, { hostnames: ["example.org"], gcp: { dns: { zone: "example-org", domain: "example.org" } } }),
    paths: ["controller.releaseName", "controller.kind"],
    names: [["Helm release ingress-nginx/ingress-nginx", "Service ingress-nginx/ingress-nginx-controller"], ["cluster-wide IngressClass nginx"]],
    apart: gcp("b", 1, { hostnames: ["example.org"], gcp: { dns: { zone: "example-org", domain: "example.org" }, clusters: [{ name: "gke-1", location: "us-east1", zones: ["us-east1-b"] }] } }),
  },
  {
    kind: "the Gateway API CRDs, installed by two environments on one cluster",
    a: aws("a", 1, NGF),
    b: aws("b", 1, patch(patch(ISTIO, PORTS_2), { routes: {} })),
    paths: ["controller.gatewayApiCrds"],
    names: [["Helm release kube-system/gateway-api-crds"]],
    apart: aws("b", 1, patch(patch(ISTIO, PORTS_2), { controller: { gatewayApiCrds: "cluster-managed" } })),
  },
  {
    kind: "a companion release named like another environment's controller release",
    a: aws("a", 1, patch(NGF, { controller: { releaseName: "edge", namespace: "edge" } })),
    b: aws("b", 1, patch(patch(ISTIO, PORTS_2), { controller: { releaseName: "edge-gateway", namespace: "edge", gatewayApiCrds: "cluster-managed" } })),
    paths: ["controller.releaseName"],
    names: [["Helm release edge/edge-gateway"]],
    apart: aws("b", 1, patch(patch(ISTIO, PORTS_2), { controller: { releaseName: "edge-gateway", namespace: "edge-b", gatewayApiCrds: "cluster-managed" } })),
  },
  {
    kind: "the AWS Gateway API controller for VPC Lattice, twice on one cluster",
    a: aws("a", 1, { aws: { lattice: {} } }),
    b: aws("b", 1, patch(patch(NGF, PORTS_2), { controller: { gatewayApiCrds: "cluster-managed" }, aws: { lattice: {} } })),
    paths: ["aws.lattice", "aws.lattice"],
    names: [["VPC Lattice association of VPC vpc-00000000000000001"], ["Helm release aws-application-networking-system/gateway-api-controller", "Helm release aws-application-networking-system/gateway-api-controller-objects", "cluster-wide GatewayClass amazon-vpc-lattice"]],
    apart: elsewhere(aws("b", 1, patch(patch(NGF, PORTS_2), { controller: { gatewayApiCrds: "cluster-managed" }, aws: { lattice: {} } }))),
  },
  {
    kind: "route objects of one name in one namespace",
    a: aws("a", 1, patch(NGF, { routes: { web: { backend: "shop/web:80" } } })),
    b: aws("b", 1, patch(patch(ISTIO, PORTS_2), { controller: { gatewayApiCrds: "cluster-managed" }, routes: { web: { backend: "shop/web:80" } } })),
    paths: ["routes.web"],
    names: [["HTTPRoute shop/web"]],
    apart: aws("b", 1, patch(patch(ISTIO, PORTS_2), { controller: { gatewayApiCrds: "cluster-managed" }, routes: { web: { backend: "store/web:80" } } })),
  },
];

describe("two environments that would create one name", () => {
  describe.each(CASES.map((c) => [c.kind, c] as const))("%s", (_kind, c) => {
    it("is refused on the later environment, at the field that decides the name, naming the other environment and what to change", () => {
      const found = problems(c.a, c.b);
      expect(found.map((p) => `${p.env}: ${p.path}`)).toEqual(c.paths.map((p) => `b: ${p}`));
      found.forEach((p, i) => {
        const names = c.names[i] ?? [];
        const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
        expect(p.message).toContain(`${list} in `);
        expect(p.message).toMatch(/ also environment a's \([^)]+\): \S/);
      });
    });

    it("the other way round, on the other environment", () => {
      expect(problems(c.b, c.a).map((p) => `${p.env}: ${p.path}`)).toEqual(expect.arrayContaining([`a: ${c.paths[0]}`]));
      expect(problems(c.b, c.a).every((p) => p.env === "a")).toBe(true);
    });

    it("is accepted when one thing sets them apart", () => {
      expect(problems(c.a, c.apart)).toEqual([]);
    });

    it("is refused when the other environment is loaded but not selected, whichever of the two is synthesized", () => {
      expect(crossEnvProblems([plan(c.b)], [plan(c.a)]).map((p) => `${p.env}: ${p.path}`)).toEqual(c.paths.map((p) => `b: ${p}`));
      expect(crossEnvProblems([plan(c.a)], [plan(c.b)]).map((p) => p.env)).toEqual(expect.arrayContaining(["a"]));
      expect(crossEnvProblems([], [plan(c.a), plan(c.b)])).toEqual([]);
    });
  });

  it("covers every kind of name an environment claims", () => {
    const kinds = new Set(CASES.flatMap((c) => [...nameClaims(plan(c.a)), ...nameClaims(plan(c.b))].map((cl) => cl.what)));
    // IAM names and NEGs are derived from the environment name alone: two environments of one run cannot share them (below).
    expect([...kinds].sort()).toEqual(
      [
        "API Gateway custom domain",
        "ACM validation record",
        "DNS authorization record",
        "DNS record",
        "HTTPRoute",
        "Helm release",
        "IAM policy",
        "IAM role",
        "NodePort",
        "Service",
        "VPC Lattice association of VPC",
        "VPC Lattice service network",
        "A record",
        "cluster-wide",
        "load balancer",
        "NEG",
      ].sort(),
    );
  });
});

describe("AWS accounts", () => {
  const withCert = (name: string, i: number, account?: string) => aws(name, i, { ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } }, aws: { nlb: { name: "edge", ...(account ? { tls: { certificateArn: certificate(account) } } : {}) } } });

  it("reads an environment's account from the certificate ARNs it uses, when it uses one", () => {
    expect(awsAccountOf(parseEnv(withCert("a", 1, "111111111111")).aws as NonNullable<ReturnType<typeof parseEnv>["aws"]>)).toBe("111111111111");
    expect(awsAccountOf(parseEnv(aws("a", 1, API({ name: "api.example.com" }))).aws as NonNullable<ReturnType<typeof parseEnv>["aws"]>)).toBe("123456789012");
    expect(awsAccountOf(parseEnv(aws("a", 1)).aws as NonNullable<ReturnType<typeof parseEnv>["aws"]>)).toBeUndefined();
  });

  it("compares names in an account unless both environments show different accounts", () => {
    const paths = (...envs: EnvInput[]) => crossEnvProblems(envs.map(plan)).map((p) => `${p.env}: ${p.path}`);
    expect(paths(withCert("a", 1, "111111111111"), withCert("b", 2, "222222222222"))).toEqual([]);
    expect(paths(withCert("a", 1, "111111111111"), withCert("b", 2, "111111111111"))).toEqual(["b: aws.nlb.name"]);
    // One account unknown: the names are compared, and the message says how to tell the accounts apart.
    const [p] = crossEnvProblems([plan(withCert("a", 1, "111111111111")), plan(aws("b", 2, { aws: { nlb: { name: "edge" } } }))]);
    expect(p?.message).toContain("unless the two are in different AWS accounts");
    // Two clusters of one name and region in two accounts are two clusters.
    const onCluster = (name: string, account: string) => patch(withCert(name, 1, account), { aws: { nlb: { name: `edge-${name}` } } });
    expect(paths(onCluster("a", "111111111111"), onCluster("b", "222222222222"))).toEqual([]);
    expect(paths(onCluster("a", "111111111111"), onCluster("b", "111111111111"))).toContain("b: controller.kind");
  });

  it("takes aws.accountId first, so environments without certificates can be told apart", () => {
    const inAccount = (name: string, i: number, accountId: string) => aws(name, i, { aws: { accountId, nlb: { name: "edge" } } });
    expect(awsAccountOf(parseEnv(inAccount("a", 1, "012345678901")).aws as NonNullable<ReturnType<typeof parseEnv>["aws"]>)).toBe("012345678901");
    const paths = (...envs: EnvInput[]) => crossEnvProblems(envs.map(plan)).map((p) => `${p.env}: ${p.path}`);
    expect(paths(inAccount("a", 1, "111111111111"), inAccount("b", 2, "222222222222"))).toEqual([]);
    expect(paths(inAccount("a", 1, "111111111111"), inAccount("b", 2, "111111111111"))).toEqual(["b: aws.nlb.name"]);
    // The field wins over a certificate's account.
    expect(paths(inAccount("a", 1, "111111111111"), patch(withCert("b", 2, "111111111111"), { aws: { accountId: "222222222222" } }))).toEqual([]);
    expect(() => parseEnvironment(aws("a", 1, { aws: { accountId: "12345" } }))).toThrow(/aws\.accountId \(got "12345"\): must be a 12-digit AWS account id/);
  });
});

describe("one environment that would create one name twice", () => {
  it("refuses a controller release named like the routes release in the controller's namespace", () => {
    const env = aws("a", 1, { controller: { releaseName: "gatehouse-routes" }, routes: { web: { backend: "shop/web:80" } } });
    expect(problems(env)).toEqual([
      {
        env: "a",
        path: "controller.releaseName",
        value: "gatehouse-routes",
        message: expect.stringMatching(/^Helm release ingress-nginx\/gatehouse-routes in cluster eks-1 in AWS region eu-west-1 is also this environment's \(the routes\): /),
      },
    ]);
    expect(problems(aws("a", 1, { controller: { releaseName: "gatehouse-routes" } }))).toEqual([]);
  });
});

describe("sharing one cluster on purpose", () => {
  it("works with another controller kind, namespace and NodePorts, one owner of the Gateway API CRDs and distinct routes", () => {
    const a = aws("a", 1, { routes: { web: { backend: "shop/web:80" } } });
    expect(problems(a, ngfShared)).toEqual([]);
    expect(problems(a, ngfShared, aws("c", 1, patch(patch(ISTIO, { ports: { http: { listenerPort: 80, nodePort: 32080 }, https: { listenerPort: 443, nodePort: 32443 }, health: { nodePort: 32200 } } }), { controller: { gatewayApiCrds: "cluster-managed" } })))).toEqual([]);
  });
});

describe("a shared cluster's Gateway API channel", () => {
  // a (ingress-nginx) routes nothing through the Gateway API: NGINX Gateway Fabric installs the CRDs on cluster eks-1.
  const installer = (channel: "standard" | "experimental") => aws("a", 1, patch(NGF, { controller: { gatewayApiChannel: channel } }));
  const ISTIO_3 = { ports: { http: { listenerPort: 80, nodePort: 32080 }, https: { listenerPort: 443, nodePort: 32443 }, health: { nodePort: 32200 } } };
  const istio = (channel: "standard" | "experimental", cluster = 1) =>
    aws("c", cluster, patch(patch(ISTIO, ISTIO_3), { controller: { gatewayApiCrds: "cluster-managed", gatewayApiChannel: channel }, routes: { web: { backend: "shop/web:80", retries: channel === "experimental" ? { attempts: 2 } : undefined } } }));
  const at = (ps: Problem[]) => ps.map((p) => `${p.env}: ${p.path} (${String(p.value)}): ${p.message}`);

  it("refuses an environment needing the experimental channel where another installs the standard one, on both sides", () => {
    expect(at(problems(installer("standard"), istio("experimental")))).toEqual([
      "c: controller.gatewayApiChannel (experimental): needs the Gateway API's experimental channel on cluster eks-1 in AWS region eu-west-1, where environment a installs the standard one (controller.gatewayApiCrds: install, gatewayApiChannel: standard), whose HTTPRoute CRD drops retries: set a's controller.gatewayApiChannel to experimental, or this one's to standard",
      "a: controller.gatewayApiChannel (standard): installs the Gateway API's standard channel on cluster eks-1 in AWS region eu-west-1, where environment c needs the experimental one (controller.gatewayApiCrds: cluster-managed, gatewayApiChannel: experimental): set this one's controller.gatewayApiChannel to experimental, or c's to standard",
    ]);
  });

  it("reports only on the environment built, the other loaded but not built", () => {
    const [a, c] = [plan(installer("standard")), plan(istio("experimental"))];
    expect(crossEnvProblems([c], [a]).map((p) => `${p.env}: ${p.path}`)).toEqual(["c: controller.gatewayApiChannel"]);
    expect(crossEnvProblems([a], [c]).map((p) => `${p.env}: ${p.path}`)).toEqual(["a: controller.gatewayApiChannel"]);
  });

  it("takes the experimental channel installed, the standard one needed, another cluster, or accounts shown apart", () => {
    expect(problems(installer("experimental"), istio("experimental"))).toEqual([]);
    expect(problems(installer("standard"), istio("standard"))).toEqual([]);
    expect(problems(installer("experimental"), istio("standard"))).toEqual([]);
    expect(problems(installer("standard"), istio("experimental", 2))).toEqual([]);
    const inAccount = (env: EnvInput, account: string) => patch(env, { aws: { accountId: account } });
    expect(problems(inAccount(installer("standard"), "111111111111"), inAccount(istio("experimental"), "222222222222"))).toEqual([]);
    expect(problems(inAccount(installer("standard"), "111111111111"), inAccount(istio("experimental"), "111111111111"))).toHaveLength(2);
  });
});

describe("IAM names", () => {
  it("the Lattice controller's role and policy are named after the environment, region and cluster", () => {
    const west = plan(aws("a", 1, { aws: { lattice: {} } }));
    const east = plan(elsewhere(aws("b", 1, { aws: { lattice: {} } }), "us-east-1"));
    expect(west.aws?.lattice?.network.roleName).toBe("a--eu-west-1--eks-1--lattice");
    expect(east.aws?.lattice?.network.roleName).toBe("b--us-east-1--eks-1--lattice");
    expect(crossEnvProblems([west, east])).toEqual([]);
  });

  it.each([20, 40, 64, 100])("cluster names equal in their first %i characters still get different names, within IAM's 64", (shared) => {
    const head = "c".repeat(shared);
    const names = ["x", "y"].map((tail) => latticeControllerRoleName({ env: "prod", region: "eu-west-1", cluster: `${head}${tail}`.slice(0, 100) }));
    if (shared < 100) expect(names[0]).not.toBe(names[1]);
    for (const n of names) expect(n).toMatch(/^[\w+=,.@-]{1,64}$/);
  });

  it("the same cluster name in two regions gets two names (IAM is global to the account)", () => {
    for (const [r1, r2] of [["eu-west-1", "us-east-1"], ["us-east-1", "us-east-2"], ["ap-southeast-1", "ap-southeast-2"]]) {
      const n1 = latticeControllerRoleName({ env: "prod", region: r1, cluster: "main" });
      const n2 = latticeControllerRoleName({ env: "prod", region: r2, cluster: "main" });
      expect(n1).not.toBe(n2);
    }
    // The construct's own default (no environment) keeps the region when it has one.
    expect(latticeControllerRoleName({ region: "eu-west-1", cluster: "main" })).toBe("eu-west-1--main--lattice");
    expect(awsIamName(["a".repeat(70)])).toHaveLength(64);
  });
});

describe("at synth", () => {
  it("buildAll refuses the pair with one ConfigError listing every problem, and builds either alone", () => {
    const [a, b] = [parseEnv(CASES[0]?.a as EnvInput), parseEnv(CASES[0]?.b as EnvInput)];
    let error: unknown;
    try {
      buildAll(Testing.app(), [a, b]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => `${p.env}: ${p.path}`)).toEqual(["b: aws.nlb.name"]);
    expect(() => buildAll(Testing.app(), [b], [a])).toThrow(/b: aws\.nlb\.name \(got "edge"\): load balancer edge in AWS region eu-west-1 is also environment a's/);
    expect(buildAll(Testing.app(), [b]).length).toBeGreaterThan(0);
  });

  it("npm run synth names the environment, its file, the field and the other environment, and writes nothing", () => {
    const dir = mkdtempSync(join(tmpdir(), "gh-cross-"));
    const files = ["a", "b"].map((name) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, JSON.stringify(aws(name, 1)));
      return f;
    });
    const out = join(dir, "out");
    const r = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: files.join(","), GATEHOUSE_ENVS: "a,b" } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`  b (${files[1]}): controller.kind (got "ingress-nginx"): cluster-wide IngressClass nginx in cluster eks-1 in AWS region eu-west-1 is also environment a's (the controller)`);
    expect(r.stderr).toContain(`  b (${files[1]}): ports.http.nodePort (got 30080): NodePort 30080 in cluster eks-1 in AWS region eu-west-1 is also environment a's`);
    expect(r.stdout).not.toContain("synthesized");
    expect(spawnSync("ls", [dir], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).sort()).toEqual(["a.yaml", "b.yaml"]);

    // Only b selected: a's names still have an owner, and a's file is named.
    const only = spawnSync(process.execPath, ["scripts/run-ts.js", "main.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, CDKTF_OUTDIR: out, GATEHOUSE_ENV_FILE: files.join(","), GATEHOUSE_ENVS: "b" } });
    expect(only.status).toBe(1);
    expect(only.stderr).toContain(`  b (${files[1]}): ports.http.nodePort (got 30080): NodePort 30080 in cluster eks-1 in AWS region eu-west-1 is also environment a's`);
    expect(existsSync(out)).toBe(false);
  }, 60_000);
});

// ------------------------------------------------------------------ the claims are what the stacks create

/** Every `nodePort` (and `nodePorts[].port`) in parsed Helm values. */
function nodePortsInValues(v: unknown, under = false): number[] {
  if (Array.isArray(v)) return v.flatMap((x: unknown) => (under && x && typeof x === "object" ? [Number((x as Record<string, unknown>).port)] : nodePortsInValues(x, under)));
  if (v && typeof v === "object")
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => (k === "nodePort" ? [Number(x)] : k === "nodePorts" || under ? (typeof x === "number" ? [x] : nodePortsInValues(x, true)) : nodePortsInValues(x)));
  return [];
}

/** Targets kept current by the AWS Load Balancer Controller (TargetGroupBinding). */
const controllerTargets = (env: EnvInput): EnvInput => ({ ...env, aws: env.aws && { ...env.aws, targets: { mode: "controller" } } });

describe("the claims are the names the synthesized stacks use", () => {
  const variants: Array<[string, EnvInput, string]> = [
    ["ingress-nginx, node targets, routes", aws("v", 1, { routes: { web: { backend: "shop/web:80" } } }), "v-aws-cluster"],
    ["ingress-nginx, controller targets, a service entry", controllerTargets(aws("v", 1, { ports: { services: { orders: { listenerPort: 8080, nodePort: 30800, namespace: "shop", selector: { app: "orders" }, targetPort: 8080 } } } })), "v-aws-cluster"],
    ["NGINX Gateway Fabric, routes", aws("v", 1, patch(NGF, { routes: { web: { backend: "shop/web:80" } } })), "v-aws-cluster"],
    ["Istio, routes, a tcp entry point", aws("v", 1, patch(ISTIO, { routes: { web: { backend: "shop/web:80" } }, ports: { tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "messaging/broker:8883" } } } })), "v-aws-cluster"],
    ["ingress-nginx with VPC Lattice", aws("v", 1, { aws: { lattice: {} } }), "v-aws-cluster"],
    ["NGINX Gateway Fabric on GKE", gcp("v", 1, NGF), "v-gcp-cluster-gke-1"],
  ];

  it.each(variants)("%s: every Helm release, Service and NodePort of the cluster stack is claimed, and nothing else", (_name, input, stackName) => {
    const stack = synthEnvs([input])[stackName] as TfJson;
    const claims = nameClaims(plan(input)).filter((c) => /^(cluster|GKE cluster)/.test(c.where));
    const claimed = (what: string) => claims.filter((c) => c.what === what).map((c) => c.name).sort();
    const releases = Object.values(resources(stack, "helm_release"));
    expect(releases.map((r) => `${String(r.namespace)}/${String(r.name)}`).sort()).toEqual(claimed("Helm release"));
    const services = Object.values(resources(stack, "kubernetes_service_v1")) as Array<{ metadata: { name: string; namespace: string }; spec: { port: Array<{ node_port?: number }> } }>;
    for (const s of services) expect(claimed("Service")).toContain(`${s.metadata.namespace}/${s.metadata.name}`);
    const found = new Set([
      ...services.flatMap((s) => s.spec.port.flatMap((p) => (p.node_port ? [p.node_port] : []))),
      ...releases.flatMap((r) => ((r.values as string[] | undefined) ?? []).flatMap((v) => nodePortsInValues(parse(v)))),
    ]);
    expect([...found].map(String).sort()).toEqual(claimed("NodePort"));
  });
});
