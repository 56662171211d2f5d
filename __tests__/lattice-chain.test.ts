/**
 * VPC Lattice in the shipped example, followed by value across the two stacks: the association's
 * security group and the prefix-list rules on the worker nodes' and the cluster security groups
 * (the rule the source post forgot), the controller's role ↔ pod identity association ↔ service account, the GatewayClass
 * controller name and the Gateway named after the service network (rendered through the chart
 * that applies them), and the routes on it.
 */
import { join } from "node:path";
import { loadEnvironments } from "../modules/config/loader";
import { LATTICE_CONTROLLER } from "../modules/model/lattice";
import { renderChart, terraformStringValue } from "./helpers/helm";
import { awsEnv, patch } from "./helpers/fixtures";
import { planProblems } from "../modules/plan";
import { dataSources, parseEnv, refId, resources, synthEnvs, type TfJson } from "./helpers/synth";
import { loadProblems } from "./helpers/problems";

const [example] = loadEnvironments({ builtins: [], files: [join(__dirname, "../envs/examples/lattice.yaml")] }).map((l) => l.env);
if (!example) throw new Error("no example env");
const stacks = synthEnvs([example]);
const lattice = stacks["example-lattice-aws-lattice"] as TfJson;
const cluster = stacks["example-lattice-aws-cluster"] as TfJson;

const problems = loadProblems;

describe("VPC Lattice example", () => {
  it("associates the service network with the cluster's VPC through a security group admitting the VPC", () => {
    const network = Object.entries(resources(lattice, "aws_vpclattice_service_network"));
    expect(network.map(([, n]) => [n.name, n.auth_type])).toEqual([["example-lattice-network", "AWS_IAM"]]);
    const association = Object.values(resources(lattice, "aws_vpclattice_service_network_vpc_association"))[0] as Record<string, unknown>;
    expect(association.vpc_identifier).toBe("vpc-0aaaaaaaaaaaaaae1");
    expect(refId(association.service_network_identifier)).toBe(`aws_vpclattice_service_network.${network[0]?.[0]}`);
    const sg = refId((association.security_group_ids as string[])[0]);
    const admits = Object.values(resources(lattice, "aws_vpc_security_group_ingress_rule")).filter((r) => r.cidr_ipv4 !== undefined);
    for (const r of admits) expect(refId(r.security_group_id)).toBe(sg);
    expect(admits.map((r) => [r.cidr_ipv4, r.from_port])).toEqual([["10.60.0.0/16", 80]]);
  });

  it("admits both Lattice prefix lists on the pods' ports on the worker nodes' group and the cluster security group (the rule the source post forgot)", () => {
    const lists = dataSources(lattice, "aws_ec2_managed_prefix_list");
    expect(Object.values(lists).map((l) => l.name).sort()).toEqual(["com.amazonaws.eu-west-1.ipv6.vpc-lattice", "com.amazonaws.eu-west-1.vpc-lattice"]);
    const rules = Object.values(resources(lattice, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined);
    const clusterSg = /^\$\{data\.aws_eks_cluster\.[^.]+\.vpc_config\[0\]\.cluster_security_group_id\}$/;
    const group = (r: Record<string, unknown>) => (clusterSg.test(String(r.security_group_id)) ? "cluster" : String(r.security_group_id));
    expect(rules.map((r) => `${group(r)} ${String(lists[refId(r.prefix_list_id).split(".")[2] as string]?.name)} ${String(r.ip_protocol)} ${String(r.from_port)}-${String(r.to_port)}`).sort()).toEqual(
      ["cluster", "sg-0aaaaaaaaaaaaaae1"].flatMap((sg) => ["com.amazonaws.eu-west-1.ipv6.vpc-lattice", "com.amazonaws.eu-west-1.vpc-lattice"].flatMap((l) => [8080, 8090].map((p) => `${sg} ${l} tcp ${p}-${p}`))).sort(),
    );
  });

  it("names the controller's role and policy after the environment, region and cluster: IAM names are global to the account", () => {
    const name = "example-lattice--eu-west-1--example-lattice-eks--lattice";
    expect(Object.values(resources(lattice, "aws_iam_role")).map((r) => r.name)).toEqual([name]);
    expect(Object.values(resources(lattice, "aws_iam_policy")).map((r) => r.name)).toEqual([name]);
    // IRSA: the cluster stack reads the role's ARN by that name.
    const irsa = synthEnvs([patch(example, { aws: { lattice: { identity: "irsa" } } })])["example-lattice-aws-cluster"] as TfJson;
    expect(Object.values(dataSources(irsa, "aws_iam_role")).map((r) => r.name)).toEqual([name]);
  });

  it("gives the controller's service account the role through a pod identity association", () => {
    const role = Object.entries(resources(lattice, "aws_iam_role"))[0] as [string, { assume_role_policy: string; name: string }];
    const trust = JSON.parse(role[1].assume_role_policy) as { Statement: Array<{ Principal: { Service: string }; Action: string[] }> };
    expect(trust.Statement[0]).toMatchObject({ Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
    const association = Object.values(resources(lattice, "aws_eks_pod_identity_association"))[0] as Record<string, unknown>;
    expect(association).toMatchObject({ cluster_name: "example-lattice-eks", namespace: LATTICE_CONTROLLER.namespace, service_account: LATTICE_CONTROLLER.serviceAccount, role_arn: `\${aws_iam_role.${role[0]}.arn}` });
    const release = Object.values(resources(cluster, "helm_release")).find((r) => r.chart === "aws-gateway-controller-chart") as Record<string, unknown>;
    expect(release.namespace).toBe(LATTICE_CONTROLLER.namespace);
    expect(String((release.values as string[])[0])).toContain(`name: ${LATTICE_CONTROLLER.serviceAccount}`);
  });

  it("applies the GatewayClass, a Gateway named after the service network, and the routes on it", () => {
    const release = Object.values(resources(cluster, "helm_release")).find((r) => r.name === "gateway-api-controller-objects") as { name: string; namespace: string; values: string[] };
    const objects = renderChart({ release: release.name, namespace: release.namespace, values: terraformStringValue(release.values[0] ?? ""), chartDir: join(__dirname, "../modules/k8s/charts/gatehouse-manifests") });
    const cls = objects.find((o) => o.kind === "GatewayClass") as unknown as { metadata: { name: string }; spec: { controllerName: string } };
    expect(cls).toMatchObject({ metadata: { name: "amazon-vpc-lattice" }, spec: { controllerName: LATTICE_CONTROLLER.controllerName } });
    const gateway = objects.find((o) => o.kind === "Gateway") as unknown as { metadata: { name: string }; spec: { gatewayClassName: string } };
    expect(gateway.metadata.name).toBe("example-lattice-network");
    expect(gateway.spec.gatewayClassName).toBe("amazon-vpc-lattice");
    const routes = objects.filter((o) => o.kind === "HTTPRoute") as unknown as Array<{ spec: { parentRefs: Array<{ name: string }> } }>;
    expect(routes).toHaveLength(2);
    for (const r of routes) expect(r.spec.parentRefs[0]?.name).toBe("example-lattice-network");
    expect(objects.filter((o) => o.kind === "ServiceExport").map((o) => o.metadata.name)).toEqual(["inventory"]);
  });

  it("applies the Lattice stack before the cluster stack", () => {
    expect(Object.keys(stacks).sort()).toEqual(["example-lattice-aws-cluster", "example-lattice-aws-edge", "example-lattice-aws-lattice"]);
  });
});

describe("VPC Lattice rules", () => {
  const withLattice = (lattice: Record<string, unknown>) => patch(awsEnv(), { aws: { lattice } });

  it("refuses a service network name Lattice would reject, and a policy that is not JSON", () => {
    expect(problems(withLattice({ serviceNetworkName: "Bad_Name" }))[0]).toMatch(/^aws\.lattice\.serviceNetworkName: /);
    expect(problems(withLattice({ authType: "AWS_IAM", authPolicy: "{not json" }))[0]).toMatch(/^aws\.lattice\.authPolicy: /);
  });

  it("refuses a route feature the Lattice controller does not carry out", () => {
    expect(problems(withLattice({ routes: { a: { backend: "store/a:80", timeout: 10 } } }))).toEqual([expect.stringMatching(/^aws\.lattice\.routes\.a\.timeout: /)]);
  });

  it("admits Lattice on every worker security group of the env, each prefix list and pod port, keyed by the group id", () => {
    const workers = ["sg-0123456789abcdef0", "sg-0aaaaaaaaaaaaaaa1", "sg-0bbbbbbbbbbbbbbb2"];
    const env = patch(awsEnv(), { aws: { workerSecurityGroupIds: workers, lattice: { podPorts: [8080, 9443] } } });
    expect(problems(env)).toEqual([]);
    const json = synthEnvs([env])["t-aws-lattice"] as TfJson;
    const lists = dataSources(json, "aws_ec2_managed_prefix_list");
    const onNodes = Object.entries(resources(json, "aws_vpc_security_group_ingress_rule")).filter(([, r]) => r.prefix_list_id !== undefined && !String(r.security_group_id).startsWith("${"));
    const row = ([id, r]: [string, Record<string, unknown>]) => {
      const family = String(lists[refId(r.prefix_list_id).split(".")[2] as string]?.name) === "com.amazonaws.eu-west-1.ipv6.vpc-lattice" ? "ipv6" : "ipv4";
      // The address is made of the group id, the family and the port: config names, never references.
      expect(id).toMatch(new RegExp(`^lattice_nodes-${String(r.security_group_id)}_${family}_${String(r.from_port)}_[0-9A-F]{8}$`));
      return `${String(r.security_group_id)} ${family} ${String(r.ip_protocol)} ${String(r.from_port)}-${String(r.to_port)}`;
    };
    expect(onNodes.map(row).sort()).toEqual(workers.flatMap((sg) => ["ipv4", "ipv6"].flatMap((f) => [8080, 9443].map((p) => `${sg} ${f} tcp ${p}-${p}`))).sort());
    // The cluster security group keeps its rules, unless at plan time it is one of the workers'.
    const onCluster = Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined && String(r.security_group_id).startsWith("${"));
    expect(onCluster).toHaveLength(4);
    for (const r of onCluster) expect(r.count).toBe(`\${contains(${JSON.stringify(workers).replace(/,/g, ", ")}, ${String(r.security_group_id).slice(2, -1)}) ? 0 : 1}`);
  });

  it('"all" (the default) opens every protocol from both prefix lists on the worker groups, as the deploy guide does', () => {
    const json = synthEnvs([patch(awsEnv(), { aws: { lattice: {} } })])["t-aws-lattice"] as TfJson;
    const rules = Object.values(resources(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.prefix_list_id !== undefined && r.security_group_id === "sg-0123456789abcdef0");
    expect(rules.map((r) => [r.ip_protocol, r.from_port, r.to_port])).toEqual([
      ["-1", undefined, undefined],
      ["-1", undefined, undefined],
    ]);
    expect(new Set(rules.map((r) => refId(r.prefix_list_id))).size).toBe(2);
  });

  it("reports a worker group the rules cannot be keyed by at aws.workerSecurityGroupIds", () => {
    const env = parseEnv(patch(awsEnv(), { aws: { lattice: {} } }));
    const bad = { ...env, aws: { ...(env.aws as NonNullable<typeof env.aws>), workerSecurityGroupIds: ["sg-0123456789abcdef0", "sg 1"] } };
    // The NLB's worker rules are keyed by the same ids, and say so too.
    expect(planProblems(bad).filter((p) => p.path.startsWith("aws.workerSecurityGroupIds")).map((p) => `${p.path}: ${p.message}`)).toEqual([
      "aws.workerSecurityGroupIds.1: keys name Terraform addresses: 1-63 letters, digits, '.', '_' or '-'",
      "aws.workerSecurityGroupIds.1: must be a security group id such as sg-0123456789abcdef0: it names the rules' Terraform addresses",
    ]);
  });

  it("keeps an IAM policy variable in the auth policy literal for Terraform", () => {
    const env = withLattice({ authType: "AWS_IAM", authPolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"${aws:PrincipalOrgID}"}}}]}' });
    expect(problems(env)).toEqual([]);
    const json = synthEnvs([env])["t-aws-lattice"] as TfJson;
    expect(String(Object.values(resources(json, "aws_vpclattice_auth_policy"))[0]?.policy)).toContain("$${aws:PrincipalOrgID}");
  });
});
