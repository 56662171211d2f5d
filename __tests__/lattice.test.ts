/**
 * Amazon VPC Lattice with the AWS Gateway API controller: the Lattice rules, the AWS side
 * (LatticeNetwork) followed by value through the synthesized Terraform, and the cluster side
 * (AwsGatewayController) rendered with the real helm: the vendored controller chart v2.1.3 with
 * the values Terraform passes, and the gatehouse-manifests chart with the GatewayClass, Gateway,
 * HTTPRoutes, ServiceExports and ServiceImports, validated against the Kubernetes schemas, the
 * Gateway API CRDs gatehouse installs and the controller chart's own CRDs.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { MutatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/MutatingWebhookConfiguration";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { LatticeNetwork, latticeNetworkProblems, POD_IDENTITY_TRUST_POLICY, type LatticeNetworkProps } from "../modules/aws/lattice";
import { ConfigError } from "../modules/core/errors";
import {
  AWS_GATEWAY_CONTROLLER_CHART,
  AwsGatewayController,
  awsGatewayControllerObjects,
  awsGatewayControllerProblems,
  awsGatewayControllerValues,
  CERTIFICATE_ARN_OPTION,
  type AwsGatewayControllerProps,
} from "../modules/k8s/aws-gateway-controller";
import { localChartDir } from "../modules/k8s/local-chart";
import * as lattice from "../modules/model/lattice";
import { LATTICE_CONTROLLER } from "../modules/model/lattice";
import * as rules from "../modules/core/rules";
import type { Route } from "../modules/model/route-types";
import type { KeyKind } from "../scripts/chart-keys";
import { chartKeyIndex, unknownKeys } from "../scripts/chart-keys";
import { renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { obj, list, type Json } from "./helpers/json";
import { crdValidators, objectValidator } from "./helpers/crd";
import { kubeValidator } from "./helpers/kube-models";
import { dataSources, refId, resources, synthConstruct, type TfJson } from "./helpers/synth";


const ROOT = join(__dirname, "..");
const CHART_DIR = join(__dirname, "fixtures", "charts", "aws-gateway-controller-v2.1.3");
const KEYS_FILE = join(__dirname, "fixtures", "aws-gateway-controller-v2.1.3.keys.json");
const POLICY_FILE = join(ROOT, "modules", "aws", "policies", "recommended-inline-policy.json");
const GATEWAY_API_DIR = join(localChartDir("gateway-api-crds"), "standard");

const ROUTES: Route[] = [
  { name: "api", path: "/", pathType: "Prefix", backends: [{ namespace: "shop", service: "api", port: 8080, weight: 100 }] },
  {
    name: "checkout",
    host: "checkout.internal.example.com",
    path: "/pay",
    pathType: "Prefix",
    backends: [
      { namespace: "shop", service: "checkout-v1", port: 8080, weight: 90 },
      { namespace: "shop", service: "checkout-v2", port: 8080, weight: 10 },
    ],
  },
];

function networkProps(change: Partial<LatticeNetworkProps> = {}): LatticeNetworkProps {
  return {
    serviceNetworkName: "prod-mesh",
    clusterName: "prod-eks",
    associationSecurityGroups: { create: { clientCidrs: ["10.0.0.0/16"], listenerPorts: [80, 443] } },
    podPorts: [8080, 9090],
    identity: { mode: "pod-identity", installAgent: true },
    tags: { env: "prod" },
    ...change,
  };
}

/** The AWS side and the cluster side in one stack, wired as the stacks wire them. */
function buildBoth(network: Partial<LatticeNetworkProps> = {}, controller: Partial<AwsGatewayControllerProps> = {}): { json: TfJson; net: LatticeNetwork; ctl: AwsGatewayController } {
  let net: LatticeNetwork | undefined;
  let ctl: AwsGatewayController | undefined;
  const json = synthConstruct((s: Construct) => {
    net = new LatticeNetwork(s, "lattice", networkProps(network));
    ctl = new AwsGatewayController(s, "aws-gateway-controller", {
      clusterName: "prod-eks",
      clusterVpcId: net.cluster.vpcConfig.get(0).vpcId,
      awsRegion: "eu-west-1",
      awsAccountId: "123456789012",
      serviceNetworkName: net.serviceNetworkName,
      identity: network.identity?.mode === "irsa" ? { mode: "irsa", roleArn: net.roleArn } : { mode: "pod-identity" },
      https: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" },
      routes: ROUTES,
      serviceExports: [{ namespace: "shop", service: "inventory", ports: [{ port: 8080, routeType: "HTTP" }] }],
      serviceImports: [{ namespace: "shop", name: "billing", ports: [80], fromCluster: "billing-eks" }],
      kubernetesVersion: net.cluster.version,
      ...controller,
    });
  });
  return { json, net: net as LatticeNetwork, ctl: ctl as AwsGatewayController };
}



function onlyOf(json: TfJson, type: string): [string, Json] {
  const all = Object.entries(resources(json, type));
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0] as [string, Json];
}

function releaseNamed(json: TfJson, name: string): Json {
  const found = Object.values(resources(json, "helm_release")).filter((r) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one release ${name}, found ${found.length}`);
  return found[0] as Json;
}

/** The values text helm receives; Terraform references render as their expressions. */
function valuesOf(release: Json): string {
  const values = list(release.values, "helm_release.values");
  expect(values).toHaveLength(1);
  return terraformStringValue(String(values[0]), (expression) => expression);
}

function problemsOf(fn: () => void): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => ({ path: p.path, message: p.message }));
    throw e;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Rules

describe("Lattice rules", () => {
  it("service network names: 3-63 of a-z, 0-9 and '-', no edge or double hyphen, not servicenetwork-", () => {
    const rule = '3-63 lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "servicenetwork-"';
    expect(lattice.serviceNetworkName("prod-mesh")).toBeUndefined();
    expect(lattice.serviceNetworkName("sn-prod")).toBeUndefined(); // ids start with sn-, names may
    expect(lattice.serviceNetworkName("ab")).toBe(`must be ${rule} (Lattice service network names); it has 2 characters`);
    expect(lattice.serviceNetworkName("a".repeat(64))).toBe(`must be ${rule} (Lattice service network names); it has 64 characters`);
    expect(lattice.serviceNetworkName("Prod_mesh")).toBe(`must be ${rule} (Lattice service network names); it has other characters`);
    expect(lattice.serviceNetworkName("-prod")).toBe(`must be ${rule} (Lattice service network names); it starts or ends with a hyphen`);
    expect(lattice.serviceNetworkName("prod-")).toBe(`must be ${rule} (Lattice service network names); it starts or ends with a hyphen`);
    expect(lattice.serviceNetworkName("prod--mesh")).toBe(`must be ${rule} (Lattice service network names); it has "--"`);
    expect(lattice.serviceNetworkName("servicenetwork-prod")).toBe(`must be ${rule} (Lattice service network names); "servicenetwork-" is reserved`);
  });

  it("service names: 3-40, not svc-", () => {
    const rule = '3-40 lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "svc-"';
    expect(lattice.serviceName("api-shop")).toBeUndefined();
    expect(lattice.serviceName("a".repeat(41))).toBe(`must be ${rule} (Lattice service names); it has 41 characters`);
    expect(lattice.serviceName("svc-api")).toBe(`must be ${rule} (Lattice service names); "svc-" is reserved`);
  });

  it("names the Lattice service of a route as the controller does, and refuses shared or invalid ones", () => {
    expect(lattice.controllerServiceName("api", "shop")).toBe("api-shop");
    // Route name cut to 20 and namespace to 18, each stripped of edge hyphens.
    expect(lattice.controllerServiceName("a-very-long-route-na-me", "a-rather-long-namespace")).toBe("a-very-long-route-na-a-rather-long-name");
    expect(lattice.controllerServiceName("nineteen-characters-x", "shop")).toBe("nineteen-characters-shop");
    const problems = lattice.controllerServiceNameProblems([
      { path: "routes.orders-eu-west-primary", name: "orders-eu-west-primary", namespace: "shop" },
      { path: "routes.orders-eu-west-primary-v2", name: "orders-eu-west-primary-v2", namespace: "shop" },
      { path: "routes.svc-legacy", name: "svc-legacy", namespace: "shop" },
    ]);
    expect(problems).toEqual([
      {
        path: "routes.orders-eu-west-primary-v2",
        value: "orders-eu-west-primary-v2",
        message: 'becomes the Lattice service "orders-eu-west-prima-shop", as routes.orders-eu-west-primary does (route name cut to 20 characters, "-", namespace cut to 18); make the first 20 characters differ',
      },
      {
        path: "routes.svc-legacy",
        value: "svc-legacy",
        message:
          'becomes the Lattice service "svc-legacy-shop" (route name cut to 20 characters, "-", namespace cut to 18), which must be 3-40 lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "svc-" (Lattice service names); "svc-" is reserved',
      },
    ]);
  });

  it("auth policies: JSON, Version and Statement, each statement with Effect and Action", () => {
    const ok = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*" }] });
    expect(lattice.authPolicyProblems(ok, "authPolicy")).toEqual([]);
    expect(lattice.authPolicyProblems("{", "authPolicy")[0]?.message).toMatch(/^must be a JSON policy document; it does not parse: /);
    expect(lattice.authPolicyProblems("[]", "authPolicy")).toEqual([{ path: "authPolicy", value: "[]", message: "must be a JSON object with Version and Statement" }]);
    expect(lattice.authPolicyProblems("{}", "authPolicy")).toEqual([
      { path: "authPolicy.Version", value: undefined, message: 'is required: "2012-10-17"' },
      { path: "authPolicy.Statement", value: undefined, message: "is required: a statement object or a non-empty list of them" },
    ]);
    expect(lattice.authPolicyProblems(JSON.stringify({ Version: "2020-01-01", Statement: [{ Effect: "allow" }] }), "authPolicy")).toEqual([
      { path: "authPolicy.Version", value: "2020-01-01", message: 'must be "2012-10-17" (or the older "2008-10-17")' },
      { path: "authPolicy.Statement[0].Effect", value: "allow", message: 'must be "Allow" or "Deny"' },
      { path: "authPolicy.Statement[0].Action", value: undefined, message: "is required (or NotAction)" },
    ]);
    expect(lattice.authPolicyProblems(JSON.stringify({ Version: "2012-10-17", Statement: [] }), "p")).toEqual([{ path: "p.Statement", value: [], message: "must hold at least one statement" }]);
  });

  it("auth type and policy go together", () => {
    expect(lattice.authProblems("NONE", undefined)).toEqual([]);
    expect(lattice.authProblems("AWS_IAM", undefined)).toEqual([
      { path: "authPolicy", value: undefined, message: 'is required with authType "AWS_IAM": Lattice denies every request to a network with IAM auth and no auth policy' },
    ]);
    expect(lattice.authProblems("NONE", "{}")).toEqual([{ path: "authPolicy", value: "(a policy)", message: 'is unused with authType "NONE"; set authType "AWS_IAM" or remove it' }]);
  });

  it("the Kubernetes minimum: literal check and the pattern Terraform's regex() applies", () => {
    expect(lattice.kubernetesAtLeast("1.31", "1.31")).toBeUndefined();
    expect(lattice.kubernetesAtLeast("1.30", "1.31")).toBe("must be at least 1.31");
    expect(lattice.kubernetesAtLeast("latest", "1.31")).toBe('must be a Kubernetes version such as "1.31"');
    const re = new RegExp(lattice.kubernetesMinimumPattern("1.31"));
    expect(lattice.kubernetesMinimumPattern("1.31")).not.toContain("\\");
    for (const v of ["1.31", "1.32", "1.35", "1.40", "1.99", "1.100", "v1.31.2", "2.0", "10.1"]) expect({ v, ok: re.test(v) }).toEqual({ v, ok: true });
    for (const v of ["1.30", "1.3", "1.9", "1.29", "0.99", "1.310x".slice(0, 3), "x1.31"]) expect({ v, ok: re.test(v) }).toEqual({ v, ok: false });
    const one = new RegExp(lattice.kubernetesMinimumPattern("1.5"));
    expect(["1.5", "1.6", "1.12"].every((v) => one.test(v)) && !one.test("1.4")).toBe(true);
  });

  it("records the controller's identity and minimums, its version the vendored chart's", () => {
    expect(parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"))).toMatchObject({ version: LATTICE_CONTROLLER.version, appVersion: LATTICE_CONTROLLER.version });
    expect(LATTICE_CONTROLLER).toEqual({
      version: "v2.1.3",
      namespace: "aws-application-networking-system",
      serviceAccount: "gateway-api-controller",
      gatewayClass: "amazon-vpc-lattice",
      controllerName: "application-networking.k8s.aws/gateway-api-controller",
      minKubernetes: "1.31",
      minGatewayApi: "v1.5",
    });
  });
});

// ---------------------------------------------------------------------------------------------
// AWS side

describe("LatticeNetwork", () => {
  const { json, net } = buildBoth();
  const cluster = Object.keys(dataSources(json, "aws_eks_cluster"));

  it("makes the service network with its name and auth type, no auth policy with NONE", () => {
    const [, sn] = onlyOf(json, "aws_vpclattice_service_network");
    expect(sn).toEqual({ name: "prod-mesh", auth_type: "NONE", tags: { env: "prod" } });
    expect(resources(json, "aws_vpclattice_auth_policy")).toEqual({});
    expect(net.serviceNetworkName).toBe("prod-mesh");
  });

  it("associates the cluster's VPC through the security group it makes, which admits the clients on the listener ports only", () => {
    const [snId] = onlyOf(json, "aws_vpclattice_service_network");
    const [sgId, sg] = onlyOf(json, "aws_security_group");
    const [, assoc] = onlyOf(json, "aws_vpclattice_service_network_vpc_association");
    expect(refId(assoc.service_network_identifier)).toBe(`aws_vpclattice_service_network.${snId}`);
    expect(list(assoc.security_group_ids, "security_group_ids").map(refId)).toEqual([`aws_security_group.${sgId}`]);
    expect(assoc.vpc_identifier).toBe(`\${data.aws_eks_cluster.${cluster[0]}.vpc_config[0].vpc_id}`);
    expect(sg.vpc_id).toBe(assoc.vpc_identifier);
    expect(sg.ingress).toBeUndefined();
    const inbound = Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id === `\${aws_security_group.${sgId}.id}`);
    expect(inbound.map((r) => [r.cidr_ipv4, r.ip_protocol, r.from_port, r.to_port])).toEqual([
      ["10.0.0.0/16", "tcp", 443, 443],
      ["10.0.0.0/16", "tcp", 80, 80],
    ]);
  });

  it("admits Lattice's IPv4 and IPv6 prefix lists on the cluster security group, on each pod port", () => {
    const lists = dataSources(json, "aws_ec2_managed_prefix_list");
    const regionId = Object.keys(dataSources(json, "aws_region"))[0];
    const byName = new Map(Object.entries(lists).map(([id, d]) => [String(d.name), id]));
    const v4 = byName.get(`com.amazonaws.\${data.aws_region.${regionId}.region}.vpc-lattice`);
    const v6 = byName.get(`com.amazonaws.\${data.aws_region.${regionId}.region}.ipv6.vpc-lattice`);
    expect([v4, v6].every((x) => x !== undefined)).toBe(true);
    const clusterSg = `\${data.aws_eks_cluster.${cluster[0]}.vpc_config[0].cluster_security_group_id}`;
    const podRules = Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined);
    expect(podRules.map((r) => [r.security_group_id, refId(r.prefix_list_id), r.ip_protocol, r.from_port, r.to_port]).sort()).toEqual(
      [
        [clusterSg, `data.aws_ec2_managed_prefix_list.${v4}`, "tcp", 8080, 8080],
        [clusterSg, `data.aws_ec2_managed_prefix_list.${v4}`, "tcp", 9090, 9090],
        [clusterSg, `data.aws_ec2_managed_prefix_list.${v6}`, "tcp", 8080, 8080],
        [clusterSg, `data.aws_ec2_managed_prefix_list.${v6}`, "tcp", 9090, 9090],
      ].sort(),
    );
    expect(Object.keys(net.podRules).sort()).toEqual(["cluster/ipv4/8080", "cluster/ipv4/9090", "cluster/ipv6/8080", "cluster/ipv6/9090"]);
  });

  it("the pod ports are the backends' own: every route backend port is admitted", () => {
    const ports = new Set(Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined).map((r) => r.from_port));
    for (const b of ROUTES.flatMap((r) => r.backends)) expect({ backend: b.service, admitted: ports.has(b.port) }).toEqual({ backend: b.service, admitted: true });
  });

  it('"all" admits every protocol, as the controller\'s deploy guide does; given groups replace the cluster group', () => {
    const j = synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps({ podPorts: "all", ipv6: false, podSecurityGroups: { nodes: "sg-0123456789abcdef0" } })));
    const rules = Object.values(resources(j, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined);
    expect(rules.map((r) => [r.security_group_id, r.ip_protocol, r.from_port])).toEqual([["sg-0123456789abcdef0", "-1", undefined]]);
    expect(Object.keys(dataSources(j, "aws_ec2_managed_prefix_list"))).toHaveLength(1);
  });

  describe("the worker nodes' security groups (nodeSecurityGroupIds)", () => {
    const NODES = ["sg-0123456789abcdef0", "sg-0fedcba9876543210"];
    const { json: j, net: n } = buildBoth({ nodeSecurityGroupIds: NODES });
    const eks = Object.keys(dataSources(j, "aws_eks_cluster"))[0] as string;
    const clusterSg = `\${data.aws_eks_cluster.${eks}.vpc_config[0].cluster_security_group_id}`;
    const listName = (r: Json) => String(dataSources(j, "aws_ec2_managed_prefix_list")[refId(r.prefix_list_id).split(".")[2] as string]?.name);
    const prefixRules = () => Object.entries(resources(j, "aws_vpc_security_group_ingress_rule")).filter(([, r]) => r.prefix_list_id !== undefined);
    const region = `\${data.aws_region.${Object.keys(dataSources(j, "aws_region"))[0] as string}.region}`;
    const v4 = `com.amazonaws.${region}.vpc-lattice`;
    const v6 = `com.amazonaws.${region}.ipv6.vpc-lattice`;

    it("admits both prefix lists on every pod port on every node group, and keeps the cluster security group", () => {
      const seen = prefixRules().map(([, r]) => [r.security_group_id, listName(r), r.ip_protocol, r.from_port, r.to_port].join(" "));
      const expected = [clusterSg, ...NODES].flatMap((sg) => [v4, v6].flatMap((list) => [8080, 9090].map((port) => [sg, list, "tcp", port, port].join(" "))));
      expect(seen.sort()).toEqual(expected.sort());
      expect(seen).toHaveLength(12);
    });

    it("keys node rules by the literal group id, family and port, in the exposed map and the Terraform addresses", () => {
      expect(Object.keys(n.nodeRules).sort()).toEqual(NODES.flatMap((sg) => ["ipv4", "ipv6"].flatMap((f) => [8080, 9090].map((p) => `${sg}/${f}/${p}`))).sort());
      expect(Object.keys(n.podRules).sort()).toEqual(["cluster/ipv4/8080", "cluster/ipv4/9090", "cluster/ipv6/8080", "cluster/ipv6/9090"]);
      for (const [id, r] of prefixRules()) {
        const m = /^lattice_(pods|nodes)-(.+)_(ipv[46])_(\d+)_[0-9A-F]{8}$/.exec(id);
        const family = listName(r) === v6 ? "ipv6" : "ipv4";
        const expected = r.security_group_id === clusterSg ? ["pods", "cluster"] : ["nodes", r.security_group_id];
        expect([m?.[1], m?.[2], m?.[3], m?.[4]]).toEqual([...expected, family, String(r.from_port)]);
      }
      // Every rule's address is made of config names: the same props give the same addresses.
      const again = Object.keys(resources(buildBoth({ nodeSecurityGroupIds: NODES }).json, "aws_vpc_security_group_ingress_rule"));
      expect(again).toEqual(Object.keys(resources(j, "aws_vpc_security_group_ingress_rule")));
    });

    it("makes the cluster group's rules only when the cluster security group is not one of the node groups (no duplicate rule)", () => {
      const clusterRules = prefixRules().filter(([, r]) => r.security_group_id === clusterSg);
      expect(clusterRules).toHaveLength(4);
      for (const [, r] of clusterRules) expect(r.count).toBe(`\${contains(["${NODES[0] as string}", "${NODES[1] as string}"], data.aws_eks_cluster.${eks}.vpc_config[0].cluster_security_group_id) ? 0 : 1}`);
      for (const [, r] of prefixRules().filter(([, x]) => x.security_group_id !== clusterSg)) expect(r.count).toBeUndefined();
      // Without node groups the cluster group's rules are unconditional, as before.
      for (const r of Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((x) => x.prefix_list_id !== undefined)) expect(r.count).toBeUndefined();
    });

    it('"all" opens every protocol from both prefix lists on every group, the deploy guide\'s rule (IpProtocol=-1)', () => {
      const all = synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps({ podPorts: "all", nodeSecurityGroupIds: NODES })));
      const lists = dataSources(all, "aws_ec2_managed_prefix_list");
      const rules = Object.values(resources(all, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined);
      const nodeRows = rules.filter((r) => NODES.includes(String(r.security_group_id))).map((r) => [r.security_group_id, String(lists[refId(r.prefix_list_id).split(".")[2] as string]?.name).replace(/^.*\}\./, ""), r.ip_protocol, r.from_port, r.to_port]);
      expect(nodeRows.sort()).toEqual(
        [
          [NODES[0], "ipv6.vpc-lattice", "-1", undefined, undefined],
          [NODES[0], "vpc-lattice", "-1", undefined, undefined],
          [NODES[1], "ipv6.vpc-lattice", "-1", undefined, undefined],
          [NODES[1], "vpc-lattice", "-1", undefined, undefined],
        ].sort(),
      );
      expect(rules).toHaveLength(6); // and the cluster group's two
    });

    it("a group listed twice, or as a pod group too, gets its rules once", () => {
      const twice = synthConstruct(
        (s) => void new LatticeNetwork(s, "l", networkProps({ ipv6: false, podPorts: [8080], podSecurityGroups: { nodes: NODES[0] as string, extra: "sg-0aaaaaaaaaaaaaaa1" }, nodeSecurityGroupIds: [NODES[0] as string, NODES[0] as string] })),
      );
      const rules = Object.values(resources(twice, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined);
      expect(rules.map((r) => [r.security_group_id, r.from_port, r.count]).sort()).toEqual([
        ["sg-0123456789abcdef0", 8080, undefined],
        ["sg-0aaaaaaaaaaaaaaa1", 8080, undefined],
      ]);
    });

    it("adding a node group renames nothing", () => {
      const ids = (nodes: string[]) => Object.keys(resources(synthConstruct((s) => void new LatticeNetwork(s, "lattice", networkProps({ nodeSecurityGroupIds: nodes }))), "aws_vpc_security_group_ingress_rule"));
      const one = ids([NODES[1] as string]);
      const two = ids(NODES);
      expect(two).toEqual(expect.arrayContaining(one));
      expect(two.length - one.length).toBe(4);
    });

    it("refuses node group ids that are references or cannot name an address", () => {
      const refused = (nodeSecurityGroupIds: string[]) => latticeNetworkProblems(networkProps({ nodeSecurityGroupIds })).map((p) => `${p.path}: ${p.message}`);
      expect(refused([NODES[0] as string, Token.asString(Fn.lower("SG-1"))])).toEqual([
        "nodeSecurityGroupIds.1: must be a literal security group id: it names the rules' Terraform addresses (pass references as podSecurityGroups with a stable key)",
      ]);
      expect(refused(["sg 1"])).toEqual(["nodeSecurityGroupIds.0: must be a security group id such as sg-0123456789abcdef0: it names the rules' Terraform addresses"]);
      expect(refused([])).toEqual([]);
    });
  });

  it("given association security groups are used as they are, and no group is made", () => {
    const j = synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps({ associationSecurityGroups: { ids: ["sg-0aaaaaaaaaaaaaaaa"] } })));
    expect(onlyOf(j, "aws_vpclattice_service_network_vpc_association")[1].security_group_ids).toEqual(["sg-0aaaaaaaaaaaaaaaa"]);
    expect(resources(j, "aws_security_group")).toEqual({});
  });

  it("attaches the controller's recommended policy, vendored unchanged, to its role", () => {
    const text = readFileSync(POLICY_FILE);
    const blob = createHash("sha1").update(`blob ${text.length}\0`).update(text).digest("hex");
    expect(readFileSync(join(ROOT, "modules", "aws", "policies", "README.md"), "utf8")).toContain(`git blob \`${blob}\``);
    expect(blob).toBe("5fc9e6c6dca4229cddaa150c07b48a43330d219a");
    const [policyId, policy] = onlyOf(json, "aws_iam_policy");
    expect(JSON.parse(String(policy.policy))).toEqual(JSON.parse(text.toString("utf8")));
    const [roleId] = onlyOf(json, "aws_iam_role");
    const [, attachment] = onlyOf(json, "aws_iam_role_policy_attachment");
    expect(refId(attachment.policy_arn)).toBe(`aws_iam_policy.${policyId}`);
    expect(refId(attachment.role)).toBe(`aws_iam_role.${roleId}`);
  });

  it("Pod Identity: the role trusts pods.eks.amazonaws.com, the association gives it to the controller's service account, the agent add-on runs first", () => {
    const [roleId, role] = onlyOf(json, "aws_iam_role");
    expect(role.name).toBe("prod-eks--lattice");
    const trust = JSON.parse(String(role.assume_role_policy)) as typeof POD_IDENTITY_TRUST_POLICY;
    expect(trust.Statement).toEqual([{ Sid: "AllowEksAuthToAssumeRoleForPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }]);
    const [, assoc] = onlyOf(json, "aws_eks_pod_identity_association");
    const [addonId, addon] = onlyOf(json, "aws_eks_addon");
    expect(assoc).toMatchObject({ cluster_name: "prod-eks", namespace: LATTICE_CONTROLLER.namespace, service_account: LATTICE_CONTROLLER.serviceAccount, depends_on: [`aws_eks_addon.${addonId}`] });
    expect(refId(assoc.role_arn)).toBe(`aws_iam_role.${roleId}`);
    const [versionId, version] = Object.entries(dataSources(json, "aws_eks_addon_version"))[0] as [string, Json];
    expect(version).toEqual({ addon_name: "eks-pod-identity-agent", kubernetes_version: `\${data.aws_eks_cluster.${cluster[0]}.version}`, most_recent: true });
    expect(addon).toMatchObject({ cluster_name: "prod-eks", addon_name: "eks-pod-identity-agent", addon_version: `\${data.aws_eks_addon_version.${versionId}.version}`, preserve: true });
  });

  it("names the role and its policy alike: IAM names are global to the account, so the region is part of the default, and a given name is used as it is", () => {
    const names = (change: Partial<LatticeNetworkProps>) => {
      const j = synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps(change)));
      return [onlyOf(j, "aws_iam_role")[1].name, onlyOf(j, "aws_iam_policy")[1].name];
    };
    expect(names({ region: "eu-west-1" })).toEqual(["eu-west-1--prod-eks--lattice", "eu-west-1--prod-eks--lattice"]);
    expect(names({ region: "us-east-1" })).toEqual(["us-east-1--prod-eks--lattice", "us-east-1--prod-eks--lattice"]);
    expect(names({ region: "eu-west-1", roleName: "team-lattice-controller" })).toEqual(["team-lattice-controller", "team-lattice-controller"]);
    // A region known only at plan time cannot be part of a name checked at synth.
    expect(names({ region: Token.asString(Fn.lower("EU-WEST-1")) })).toEqual(["prod-eks--lattice", "prod-eks--lattice"]);
  });

  it("Pod Identity without the agent add-on when the cluster already runs it", () => {
    const j = synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps({ identity: { mode: "pod-identity", installAgent: false } })));
    expect(resources(j, "aws_eks_addon")).toEqual({});
    expect(onlyOf(j, "aws_eks_pod_identity_association")[1].depends_on).toBeUndefined();
  });

  it("IRSA: the role trusts the cluster's OIDC provider for exactly the controller's service account, audience STS", () => {
    const { json: j } = buildBoth({ identity: { mode: "irsa" } });
    const eks = Object.keys(dataSources(j, "aws_eks_cluster"))[0];
    const issuer = `data.aws_eks_cluster.${eks}.identity[0].oidc[0].issuer`;
    const [providerId, provider] = Object.entries(dataSources(j, "aws_iam_openid_connect_provider"))[0] as [string, Json];
    expect(provider).toEqual({ url: `\${${issuer}}` });
    const [docId, doc] = Object.entries(dataSources(j, "aws_iam_policy_document"))[0] as [string, Json];
    const hostPath = `\${replace(${issuer}, "https://", "")}`;
    expect(doc.statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRoleWithWebIdentity"],
        principals: [{ type: "Federated", identifiers: [`\${data.aws_iam_openid_connect_provider.${providerId}.arn}`] }],
        condition: [
          { test: "StringEquals", variable: `${hostPath}:sub`, values: [`system:serviceaccount:${LATTICE_CONTROLLER.namespace}:${LATTICE_CONTROLLER.serviceAccount}`] },
          { test: "StringEquals", variable: `${hostPath}:aud`, values: ["sts.amazonaws.com"] },
        ],
      },
    ]);
    expect(onlyOf(j, "aws_iam_role")[1].assume_role_policy).toBe(`\${data.aws_iam_policy_document.${docId}.json}`);
    expect(resources(j, "aws_eks_pod_identity_association")).toEqual({});
  });

  it("AWS_IAM: the auth policy on the network's ARN, IAM policy variables kept literal for Terraform", () => {
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*", Condition: { StringEquals: { "aws:PrincipalTag/team": "${aws:ResourceTag/team}" } } }] });
    const j = synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps({ authType: "AWS_IAM", authPolicy: policy })));
    const [snId, sn] = onlyOf(j, "aws_vpclattice_service_network");
    const [, auth] = onlyOf(j, "aws_vpclattice_auth_policy");
    expect(sn.auth_type).toBe("AWS_IAM");
    expect(refId(auth.resource_identifier)).toBe(`aws_vpclattice_service_network.${snId}`);
    expect(terraformStringValue(String(auth.policy))).toBe(policy);
  });

  it("checks the cluster's Kubernetes version against 1.31 when Terraform reads the cluster", () => {
    const eks = Object.values(dataSources(json, "aws_eks_cluster"))[0] as Json;
    const post = list(obj(eks.lifecycle, "lifecycle").postcondition, "postcondition")[0] as Json;
    expect(post.condition).toBe(`\${can(regex("${lattice.kubernetesMinimumPattern("1.31")}", self.version))}`);
    expect(post.error_message).toMatch(/older than 1\.31, which the AWS Gateway API controller v2\.1\.3 requires/);
  });

  it("keeps its logical ids: adding a port or a security group renames nothing", () => {
    const ids = (j: TfJson) => [...Object.entries(j.resource ?? {}), ...Object.entries(j.data ?? {}).map(([t, v]) => [`data.${t}`, v] as const)].flatMap(([t, v]) => Object.keys(v).map((k) => `${t}.${k}`));
    const one = ids(synthConstruct((s) => void new LatticeNetwork(s, "lattice", networkProps({ podPorts: [8080], podSecurityGroups: { nodes: "sg-1" } }))));
    const more = ids(synthConstruct((s) => void new LatticeNetwork(s, "lattice", networkProps({ podPorts: [7070, 8080], podSecurityGroups: { a: "sg-0", nodes: "sg-1" } }))));
    expect(more).toEqual(expect.arrayContaining(one));
    expect(one).toEqual(
      expect.arrayContaining([
        "aws_vpclattice_service_network.lattice_service-network_289AFD4A",
        "aws_vpclattice_service_network_vpc_association.lattice_vpc-association_E39929FA",
        "aws_security_group.lattice_association-sg_9118EB95",
        expect.stringMatching(/^aws_vpc_security_group_ingress_rule\.lattice_pods-nodes_ipv4_8080_[0-9A-F]{8}$/),
        expect.stringMatching(/^aws_iam_role\.lattice_controller-role_[0-9A-F]{8}$/),
      ]),
    );
  });

  it("refuses empty lists, a cluster name that is a reference, and more than 5 association groups", () => {
    const refused = (change: Partial<LatticeNetworkProps>) => latticeNetworkProblems(networkProps(change)).map((p) => `${p.path}: ${p.message}`);
    expect(refused({ clusterName: Token.asString(Fn.lower("PROD")) })).toEqual(["clusterName: must be the EKS cluster's name as a literal: it names the controller's IAM role"]);
    expect(refused({ associationSecurityGroups: { create: { clientCidrs: [], listenerPorts: [80] } } })).toEqual([
      "associationSecurityGroups.create.clientCidrs: must list the CIDRs of the clients that call the network (such as the VPC's)",
    ]);
    expect(refused({ associationSecurityGroups: { ids: [] } })).toEqual(["associationSecurityGroups.ids: must list 1-5 security groups (a VPC association takes at most 5)"]);
    expect(refused({ podSecurityGroups: {} })).toEqual(["podSecurityGroups: must name at least one security group (or leave it unset for the EKS cluster security group)"]);
    expect(refused({ podPorts: [] })).toEqual(['podPorts: must list the pod ports Lattice sends traffic and health checks to, or be "all"']);
  });

  it("refuses bad props with their paths and messages", () => {
    expect(
      problemsOf(() =>
        synthConstruct(
          (s) =>
            void new LatticeNetwork(s, "l", {
              ...networkProps(),
              serviceNetworkName: "Prod",
              authType: "AWS_IAM",
              associationSecurityGroups: { create: { clientCidrs: ["10.0.0.0/33"], listenerPorts: [] } },
              podPorts: [70000],
              podSecurityGroups: { "bad key": "sg-1" },
            }),
        ),
      ),
    ).toEqual([
      { path: "serviceNetworkName", message: 'must be 3-63 lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "servicenetwork-" (Lattice service network names); it has other characters' },
      { path: "authPolicy", message: 'is required with authType "AWS_IAM": Lattice denies every request to a network with IAM auth and no auth policy' },
      { path: "associationSecurityGroups.create.clientCidrs", message: expect.stringMatching(/CIDR/) },
      { path: "associationSecurityGroups.create.listenerPorts", message: "must list the Lattice listener ports (80, and 443 with HTTPS)" },
      { path: "podSecurityGroups.bad key", message: "keys name Terraform addresses: 1-63 letters, digits, '.', '_' or '-'" },
      { path: "podPorts", message: "must be a whole number from 1 to 65535" },
    ]);
    expect(problemsOf(() => synthConstruct((s) => void new LatticeNetwork(s, "l", networkProps({ associationSecurityGroups: { ids: ["a", "b", "c", "d", "e", "f"] } }))))).toEqual([
      { path: "associationSecurityGroups.ids", message: "must list 1-5 security groups (a VPC association takes at most 5)" },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Cluster side: values, Terraform, rendering

const modelProblems = kubeValidator([Deployment, ServiceAccount, Service, Secret, ClusterRole, ClusterRoleBinding, PodDisruptionBudget, MutatingWebhookConfiguration]);

const customValidators = crdValidators([...readdirSync(GATEWAY_API_DIR).map((f) => join(GATEWAY_API_DIR, f)), ...readdirSync(join(CHART_DIR, "crds")).map((f) => join(CHART_DIR, "crds", f))], { cel: "ignore" });
/** Problems with an object against its CRD or its Kubernetes schema; [] when valid. */
const objectProblems = objectValidator(customValidators, modelProblems);

function ofKind(objects: readonly KubeObject[], kind: string): Json[] {
  return objects.filter((o) => o.kind === kind) as unknown as Json[];
}

function one(objects: readonly KubeObject[], kind: string): Json {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0] as Json;
}

describe("AwsGatewayController values", () => {
  const index = JSON.parse(readFileSync(KEYS_FILE, "utf8")) as Record<string, KeyKind>;
  const unknown = (values: unknown) => unknownKeys(index, values);
  const base: AwsGatewayControllerProps = { clusterName: "prod-eks", clusterVpcId: "vpc-0123456789abcdef0", awsRegion: "eu-west-1", awsAccountId: "123456789012", serviceNetworkName: "prod-mesh", identity: { mode: "pod-identity" } };

  it("the committed key index matches the chart's values.yaml", () => {
    expect(chartKeyIndex(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"))).toEqual(index);
  });

  it.each([
    ["pod identity", base],
    ["IRSA", { ...base, identity: { mode: "irsa" as const, roleArn: "arn:aws:iam::123456789012:role/lattice" } }],
  ])("every value key is a key of the chart: %s", (_name, p) => {
    expect(unknown(awsGatewayControllerValues(p))).toEqual([]);
  });

  it("catches a misspelt key", () => {
    expect(unknown({ defaultServiceNetwrok: "" })).toEqual(["defaultServiceNetwrok"]);
  });

  it("leaves the service network and the VPC association to Terraform", () => {
    expect(awsGatewayControllerValues(base)).toMatchObject({ defaultServiceNetwork: "", enableServiceNetworkOverride: false });
  });

  it("pins the chart", () => {
    expect(AWS_GATEWAY_CONTROLLER_CHART).toEqual({ repository: "oci://public.ecr.aws/aws-application-networking-k8s", chart: "aws-gateway-controller-chart", version: "v2.1.3" });
    expect(parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"))).toMatchObject({ name: "aws-gateway-controller-chart", version: "v2.1.3", appVersion: "v2.1.3" });
  });
});

describe("AwsGatewayController Terraform", () => {
  const { json, net, ctl } = buildBoth();

  it("keeps the objects release apart from the controller's at Helm's 53-character limit", () => {
    const long = "a".repeat(53);
    const names = Object.values(resources(buildBoth({}, { releaseName: long }).json, "helm_release")).map((r) => String(r.name));
    expect(names.filter((n) => n.startsWith("a")).sort()).toEqual([`${"a".repeat(45)}-objects`, long]);
    expect(names.map((n) => [n, rules.helmReleaseName(n)])).toEqual(names.map((n) => [n, undefined]));
  });

  it("installs the CRDs, then the controller from its OCI repository, then the objects", () => {
    const controller = releaseNamed(json, "gateway-api-controller");
    expect(controller).toMatchObject({ repository: AWS_GATEWAY_CONTROLLER_CHART.repository, chart: "aws-gateway-controller-chart", version: "v2.1.3", namespace: LATTICE_CONTROLLER.namespace, create_namespace: true, atomic: true, wait: true });
    expect(controller.depends_on).toEqual([expect.stringMatching(/^helm_release\.gateway-api-crds_release_/)]);
    const objects = releaseNamed(json, "gateway-api-controller-objects");
    expect([...list(objects.depends_on, "depends_on")].sort()).toEqual([expect.stringMatching(/^helm_release\.aws-gateway-controller_release_/), expect.stringMatching(/^helm_release\.gateway-api-crds_release_/)].sort());
    expect(ctl.gateway).toEqual({ name: net.serviceNetworkName, namespace: LATTICE_CONTROLLER.namespace });
  });

  it("checks the cluster's Kubernetes version at plan time on the controller's release", () => {
    const controller = releaseNamed(json, "gateway-api-controller");
    const eks = Object.keys(dataSources(json, "aws_eks_cluster"))[0];
    const pre = list(obj(controller.lifecycle, "lifecycle").precondition, "precondition")[0] as Json;
    expect(pre.condition).toBe(`\${can(regex("${lattice.kubernetesMinimumPattern("1.31")}", data.aws_eks_cluster.${eks}.version))}`);
  });

  it("refuses bad props with their paths and messages", () => {
    const p: AwsGatewayControllerProps = {
      clusterName: "prod-eks",
      clusterVpcId: "vpc-1",
      awsRegion: "eu-west-1",
      awsAccountId: "123456789012",
      serviceNetworkName: "servicenetwork-prod",
      identity: { mode: "irsa", roleArn: "lattice" },
      https: { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" },
      kubernetesVersion: "1.30",
      routes: [
        { name: "slow", path: "/", pathType: "Prefix", timeoutSeconds: 5, backends: [{ namespace: "shop", service: "slow", port: 80, weight: 100 }] },
        { name: "svc-old", path: "/old", pathType: "Prefix", backends: [{ namespace: "shop", service: "old", port: 80, weight: 100 }] },
      ],
    };
    expect(awsGatewayControllerProblems(p)).toEqual([
      { path: "serviceNetworkName", value: "servicenetwork-prod", message: 'must be 3-63 lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "servicenetwork-" (Lattice service network names); "servicenetwork-" is reserved' },
      { path: "https.certificateArn", value: "arn:aws:iam::123456789012:server-certificate/x", message: "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)" },
      { path: "kubernetesVersion", value: "1.30", message: "must be at least 1.31: the AWS Gateway API controller v2.1.3 requires Kubernetes 1.31 or later" },
      { path: "identity.roleArn", value: "lattice", message: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)" },
      { path: "routes.slow.timeout", value: 5, message: "the AWS Gateway API controller cannot set a timeout on a route; remove it" },
      {
        path: "routes.svc-old",
        value: "svc-old",
        message:
          'becomes the Lattice service "svc-old-shop" (route name cut to 20 characters, "-", namespace cut to 18), which must be 3-40 lowercase letters, digits and hyphens, no hyphen first, last or twice in a row, not starting with "svc-" (Lattice service names); "svc-" is reserved',
      },
    ]);
    expect(() => synthConstruct((s) => void new AwsGatewayController(s, "c", p))).toThrow(ConfigError);
  });

  it("refuses a shared Service with no port", () => {
    const p = { clusterName: "prod-eks", clusterVpcId: "vpc-1", awsRegion: "eu-west-1", serviceNetworkName: "prod-mesh", serviceExports: [{ namespace: "shop", service: "inventory", ports: [] }] };
    expect(awsGatewayControllerProblems(p).map((x) => `${x.path}: ${x.message}`)).toEqual(["serviceExports.0.ports: must list at least one port"]);
  });
});

describe("AwsGatewayController rendered", () => {
  describe.each([
    ["Pod Identity", {} as Partial<LatticeNetworkProps>],
    ["IRSA", { identity: { mode: "irsa" } } as Partial<LatticeNetworkProps>],
  ])("%s", (mode, network) => {
    const { json } = buildBoth(network);
    const controller = releaseNamed(json, "gateway-api-controller");
    const rendered = renderChart({ release: "gateway-api-controller", namespace: String(controller.namespace), values: valuesOf(controller), chartDir: CHART_DIR, kubeVersion: "1.31.0" });

    it("renders only valid objects (Kubernetes schemas)", () => {
      expect(rendered.flatMap(objectProblems)).toEqual([]);
    });

    it("runs the controller as the service account the role is given to, in its namespace", () => {
      const sa = one(rendered, "ServiceAccount");
      const meta = obj(sa.metadata, "metadata");
      expect({ name: meta.name, namespace: meta.namespace }).toEqual({ name: LATTICE_CONTROLLER.serviceAccount, namespace: LATTICE_CONTROLLER.namespace });
      const pod = obj(obj(one(rendered, "Deployment").spec, "spec").template, "template");
      expect(obj(pod.spec, "pod spec").serviceAccountName).toBe(meta.name);
      if (mode === "IRSA") {
        const [roleId] = onlyOf(json, "aws_iam_role");
        expect(obj(meta.annotations, "annotations")["eks.amazonaws.com/role-arn"]).toBe(`aws_iam_role.${roleId}.arn`);
      } else {
        const [, assoc] = onlyOf(json, "aws_eks_pod_identity_association");
        expect({ namespace: assoc.namespace, serviceAccount: assoc.service_account }).toEqual({ namespace: meta.namespace, serviceAccount: meta.name });
        expect(meta.annotations ?? {}).toEqual({});
      }
    });

    it("gives the controller the cluster, VPC, region and account, and no default service network", () => {
      const container = obj(list(obj(obj(obj(one(rendered, "Deployment").spec, "spec").template, "t").spec, "s").containers, "containers")[0], "container");
      const env = Object.fromEntries(list(container.env, "env").map((e) => [obj(e, "env").name, obj(e, "env").value]));
      const eks = Object.keys(dataSources(json, "aws_eks_cluster"))[0];
      expect(env).toMatchObject({
        CLUSTER_NAME: "prod-eks",
        CLUSTER_VPC_ID: `data.aws_eks_cluster.${eks}.vpc_config[0].vpc_id`,
        REGION: "eu-west-1",
        AWS_ACCOUNT_ID: "123456789012",
        DEFAULT_SERVICE_NETWORK: "",
        ENABLE_SERVICE_NETWORK_OVERRIDE: "false",
      });
      // The VPC the controller tags with is the VPC Terraform associates.
      expect(`\${${String(env.CLUSTER_VPC_ID)}}`).toBe(onlyOf(json, "aws_vpclattice_service_network_vpc_association")[1].vpc_identifier);
    });

    it("keeps a controller up through voluntary disruptions, spread over zones and nodes", () => {
      const deployment = obj(one(rendered, "Deployment").spec, "spec");
      expect(deployment.replicas).toBe(2);
      const pdb = obj(one(rendered, "PodDisruptionBudget").spec, "spec");
      expect(pdb).toEqual({ maxUnavailable: 1, selector: deployment.selector });
      const spread = list(obj(obj(deployment.template, "t").spec, "s").topologySpreadConstraints, "spread");
      for (const c of spread) expect(obj(c, "c").labelSelector).toEqual(deployment.selector);
    });
  });

  const { json, net } = buildBoth();
  const applied = renderChart({ release: "gateway-api-controller-objects", namespace: LATTICE_CONTROLLER.namespace, values: valuesOf(releaseNamed(json, "gateway-api-controller-objects")), chartDir: localChartDir("gatehouse-manifests") });

  it("applies valid objects: Gateway API kinds against the v1.5.1 CRDs, ServiceExport and ServiceImport against the chart's CRDs", () => {
    expect(applied.map((o) => o.kind).sort()).toEqual(["Gateway", "GatewayClass", "HTTPRoute", "HTTPRoute", "ServiceExport", "ServiceImport"]);
    expect(applied.flatMap(objectProblems)).toEqual([]);
    for (const o of applied) expect([o.kind, customValidators.has(`${o.apiVersion}/${o.kind}`)]).toEqual([o.kind, true]);
  });

  it("binds the GatewayClass to the controller and names the Gateway after the service network", () => {
    const gc = one(applied, "GatewayClass");
    expect(obj(gc.spec, "spec").controllerName).toBe("application-networking.k8s.aws/gateway-api-controller");
    const gw = one(applied, "Gateway");
    expect(obj(gw.metadata, "metadata").name).toBe(onlyOf(json, "aws_vpclattice_service_network")[1].name);
    expect(obj(gw.metadata, "metadata").name).toBe(net.serviceNetworkName);
    expect(obj(gw.spec, "spec").gatewayClassName).toBe(obj(gc.metadata, "metadata").name);
  });

  it("listens on HTTP 80 and HTTPS 443 with the ACM certificate in the controller's listener option", () => {
    const listeners = list(obj(one(applied, "Gateway").spec, "spec").listeners, "listeners").map((l) => obj(l, "listener"));
    expect(listeners.map((l) => [l.name, l.protocol, l.port])).toEqual([
      ["http", "HTTP", 80],
      ["https", "HTTPS", 443],
    ]);
    const tls = obj(listeners[1]?.tls, "tls");
    expect(tls).toEqual({ mode: "Terminate", options: { [CERTIFICATE_ARN_OPTION]: "arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" } });
    // The association's group admits clients on exactly the listener ports.
    const sgId = onlyOf(json, "aws_security_group")[0];
    const ports = Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id === `\${aws_security_group.${sgId}.id}`).map((r) => r.from_port);
    expect([...new Set(ports)].sort()).toEqual(listeners.map((l) => l.port).sort());
  });

  it("without a certificate ARN, uses the controller's documented placeholder (Gateway API CEL: certificateRefs or options)", () => {
    const objects = awsGatewayControllerObjects({ clusterName: "c", clusterVpcId: "v", awsRegion: "eu-west-1", awsAccountId: "123456789012", serviceNetworkName: "mesh", identity: { mode: "pod-identity" }, https: {} });
    const https = obj(list(obj(objects.find((o) => o.kind === "Gateway")?.spec, "spec").listeners, "listeners")[1], "https");
    expect(https.tls).toEqual({ mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "unused" }] });
    expect(objects.flatMap((o) => objectProblems(o as unknown as KubeObject))).toEqual([]);
    const plain = awsGatewayControllerObjects({ clusterName: "c", clusterVpcId: "v", awsRegion: "eu-west-1", awsAccountId: "123456789012", serviceNetworkName: "mesh", identity: { mode: "pod-identity" } });
    expect(list(obj(plain.find((o) => o.kind === "Gateway")?.spec, "spec").listeners, "listeners")).toHaveLength(1);
  });

  it("attaches the routes to the Gateway from their backends' namespace, weighted", () => {
    const gw = obj(one(applied, "Gateway").metadata, "metadata");
    for (const r of ofKind(applied, "HTTPRoute")) {
      const spec = obj(r.spec, "spec");
      expect(spec.parentRefs).toEqual([{ name: gw.name, namespace: gw.namespace }]);
      expect(obj(r.metadata, "metadata").namespace).toBe("shop");
    }
    const checkout = ofKind(applied, "HTTPRoute").find((r) => obj(r.metadata, "m").name === "checkout") as Json;
    const refs = list(obj(list(obj(checkout.spec, "spec").rules, "rules")[0], "rule").backendRefs, "backendRefs");
    expect(refs).toEqual([
      { name: "checkout-v1", port: 8080, weight: 90 },
      { name: "checkout-v2", port: 8080, weight: 10 },
    ]);
  });

  it("exports and imports shared services", () => {
    expect(one(applied, "ServiceExport")).toMatchObject({ apiVersion: "application-networking.k8s.aws/v1alpha1", metadata: { name: "inventory", namespace: "shop" }, spec: { exportedPorts: [{ port: 8080, routeType: "HTTP" }] } });
    expect(one(applied, "ServiceImport")).toMatchObject({
      metadata: { name: "billing", namespace: "shop", annotations: { "application-networking.k8s.aws/aws-eks-cluster-name": "billing-eks" } },
      spec: { type: "ClusterSetIP", ports: [{ port: 80, protocol: "TCP" }] },
    });
  });
});

describe("the vendored controller chart", () => {
  it("is the upstream helm/ directory of v2.1.3: chart, values schema, templates and CRDs", () => {
    expect(readdirSync(CHART_DIR).sort()).toEqual(["Chart.yaml", "crds", "templates", "values.schema.json", "values.yaml"]);
    expect(readdirSync(join(CHART_DIR, "crds"))).toEqual(expect.arrayContaining(["application-networking.k8s.aws_serviceexports.yaml", "application-networking.k8s.aws_serviceimports.yaml"]));
    expect(parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"))).toMatchObject({ image: { tag: "v2.1.3" }, serviceAccount: { name: LATTICE_CONTROLLER.serviceAccount } });
  });
});
