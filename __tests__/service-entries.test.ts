/** Services the NLB reaches directly on fixed NodePorts of their own (API Gateway's VPC link design). */
import type { EnvInput } from "../modules/config/schema";
import { buildContract } from "../modules/model/contract";
import { NlbEdge } from "../modules/aws/nlb-edge";
import { ServiceEntries } from "../modules/k8s/service-entries";
import { contractInput } from "./helpers/fixtures";
import { awsEnv, gcpEnv, patch } from "./helpers/fixtures";
import { dataSources, parseEnv, resources, synthConstruct, synthEnvs } from "./helpers/synth";
import { loadProblems } from "./helpers/problems";

const orders = { listenerPort: 8081, nodePort: 31081, namespace: "shop", serviceName: "orders-nodeport", selector: { app: "orders" }, targetPort: 8080, healthCheck: { protocol: "HTTP" as const, path: "/health" } };
const stock = { listenerPort: 8082, nodePort: 31082, namespace: "shop", serviceName: "stock-nodeport", existingService: "stock", targetPort: 9090, healthCheck: { protocol: "TCP" as const } };
const contract = buildContract(contractInput({ services: { orders, stock } }));

const envWithServices = (change: Record<string, unknown> = {}): EnvInput =>
  awsEnv({
    ports: {
      services: {
        orders: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "orders" }, targetPort: 8080, healthCheck: { protocol: "HTTP", path: "/health" } },
        stock: { listenerPort: 8082, nodePort: 31082, namespace: "shop", existingService: "stock", targetPort: 9090 },
        ...change,
      },
    },
  });

const problems = loadProblems;

describe("service entries in the contract", () => {
  it("are load-balanced targets of their own, health-checked on their traffic port", () => {
    expect(contract.entryPoints.map((e) => e.name)).toEqual(["http", "https"]);
    const node = contract.targets("node").filter((t) => t.entry.kind === "service");
    expect(node.map((t) => [t.entry.name, t.trafficPort, t.healthPort, t.healthProtocol, t.healthPath])).toEqual([
      ["orders", 31081, 31081, "HTTP", "/health"],
      ["stock", 31082, 31082, "TCP", undefined],
    ]);
    expect(contract.targets("pod").filter((t) => t.entry.kind === "service").map((t) => [t.trafficPort, t.healthPort])).toEqual([[8080, 8080], [9090, 9090]]);
  });

  it("give an NLB listener and target group each; a TCP check carries no path or matcher (the provider refuses them)", () => {
    const json = synthConstruct((s) => void new NlbEdge(s, "edge", { contract, targetKind: "node", name: "t", targetGroupNames: { http: "a", https: "b", orders: "c", stock: "d" }, vpcId: "vpc-1", subnets: ["subnet-1"] }));
    const groups = Object.values(resources(json, "aws_lb_target_group"));
    expect(groups.find((g) => g.name === "c")).toMatchObject({ port: 31081, health_check: { protocol: "HTTP", port: "31081", path: "/health", matcher: "200" } });
    const tcp = groups.find((g) => g.name === "d") as { port: number; health_check: Record<string, unknown> };
    expect(tcp.port).toBe(31082);
    expect(tcp.health_check).toMatchObject({ protocol: "TCP", port: "31082" });
    expect(tcp.health_check.path).toBeUndefined();
    expect(tcp.health_check.matcher).toBeUndefined();
    expect(Object.values(resources(json, "aws_lb_listener")).map((l) => l.port).sort()).toEqual([443, 80, 8081, 8082].sort());
  });

  it("get a NodePort Service at the fixed NodePort, Local, with the given selector or an existing Service's", () => {
    const json = synthConstruct((s) => void new ServiceEntries(s, "services", { contract }));
    const svc = Object.values(resources(json, "kubernetes_service_v1")) as Array<{ metadata: { name: string; namespace: string }; spec: { type: string; external_traffic_policy: string; selector: unknown; port: Array<Record<string, unknown>> } }>;
    expect(svc.map((s) => [s.metadata.namespace, s.metadata.name, s.spec.type, s.spec.external_traffic_policy, s.spec.port[0]?.node_port, s.spec.port[0]?.target_port])).toEqual([
      ["shop", "orders-nodeport", "NodePort", "Local", 31081, "8080"],
      ["shop", "stock-nodeport", "NodePort", "Local", 31082, "9090"],
    ]);
    expect(svc[0]?.spec.selector).toEqual({ app: "orders" });
    const [lookupId, lookup] = Object.entries(dataSources(json, "kubernetes_service_v1"))[0] ?? [];
    expect(lookup).toMatchObject({ metadata: { name: "stock", namespace: "shop" } });
    expect(String(svc[1]?.spec.selector)).toContain(`data.kubernetes_service_v1.${lookupId}.spec[0].selector`);
  });
});

describe("service entries in an environment", () => {
  it("build the Services in the cluster stack and open their NodePorts to the NLB", () => {
    const stacks = synthEnvs([envWithServices()]);
    const cluster = stacks["t-aws-cluster"];
    const edge = stacks["t-aws-edge"];
    expect(Object.values(resources(cluster ?? {}, "kubernetes_service_v1")).map((s) => (s.metadata as { name: string }).name).sort()).toEqual(["ingress-nginx-healthcheck", "orders-nodeport", "stock-nodeport"]);
    const opened = new Set(Object.values(resources(edge ?? {}, "aws_vpc_security_group_ingress_rule")).map((r) => r.from_port));
    expect(opened).toEqual(new Set([30080, 30443, 30200, 31081, 31082]));
  });

  it("bind with TargetGroupBindings to their own Service when the controller manages targets", () => {
    const env = envWithServices();
    const stacks = synthEnvs([{ ...env, aws: env.aws && { ...env.aws, targets: { mode: "controller" } } }]);
    const bindings = Object.values(resources(stacks["t-aws-cluster"] ?? {}, "kubernetes_manifest")).map((m) => (m.manifest as { metadata: { namespace: string }; spec: { serviceRef: { name: string; port: number } } }));
    expect(bindings.map((b) => [b.metadata.namespace, b.spec.serviceRef.name, b.spec.serviceRef.port])).toContainEqual(["shop", "orders-nodeport", 8081]);
  });

  it("refuses a selector and an existing Service together, or neither", () => {
    expect(problems(envWithServices({ stock: { listenerPort: 8082, nodePort: 31082, namespace: "shop", targetPort: 9090 } }))).toEqual([
      "ports.services.stock.selector: give exactly one of ports.services.stock.selector and ports.services.stock.existingService",
    ]);
  });

  it("keeps NodePorts and listener ports unique across the controller and the services", () => {
    expect(problems(envWithServices({ stock: { listenerPort: 443, nodePort: 30080, namespace: "shop", existingService: "stock", targetPort: 9090 } }))).toEqual([
      "ports.services.stock.listenerPort: is already the listener port of ports.https; each entry point needs its own listener port",
      "ports.services.stock.nodePort: is already used by ports.http; every NodePort (traffic and health) must be distinct",
    ]);
  });

  it("refuses a name an entry point already has, and services with a gcp section", () => {
    expect(problems(awsEnv({ ports: { tcp: { api: { listenerPort: 9000, nodePort: 30999, backend: "a/b:1" } }, services: { api: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "api" }, targetPort: 8080 } } } }))).toEqual([
      "ports.services.api: is also the name of an entry point; service and entry point names must be distinct (they name the target groups)",
    ]);
    expect(problems(patch(gcpEnv(), { ports: { services: { orders: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "orders" }, targetPort: 8080 } } } }))).toEqual([
      'ports.services: services are reached through the AWS NLB only (API Gateway\'s VPC link); an environment with a gcp section cannot have them',
    ]);
  });

  it("refuses more than 50 listeners on one NLB", () => {
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`s${i}`, { listenerPort: 10000 + i, nodePort: 31000 + i, namespace: "shop", selector: { app: "x" }, targetPort: 8080 }]));
    expect(problems(awsEnv({ ports: { services: many } }))).toEqual([
      "aws.nlb: an NLB takes at most 50 listeners (an AWS quota that cannot be raised); 51 entry points and services would need 51",
    ]);
  });

  it("parse from YAML-like input with defaults (TCP health check)", () => {
    const env = parseEnv(envWithServices());
    expect(env.ports.services.stock?.healthCheck).toEqual({ protocol: "TCP" });
  });
});
