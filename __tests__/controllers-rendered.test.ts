/**
 * The other controller kinds, as whole environments: every shipped example that runs NGINX Gateway
 * Fabric or Istio is synthesized, its data-plane chart is rendered by the real helm binary with
 * the values the Terraform carries, and what the chart makes is checked against the load
 * balancers: NodePorts per entry point equal the target groups' ports, the health Service reaches
 * the data plane's readiness port, the NEG annotation names what the edge looks up, and the routes
 * attach to the controller's Gateway. (ingress-nginx: rendered.test.ts.)
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadEnvironments } from "../modules/config/loader";
import type { Env } from "../modules/config/schema";
import { planEnvironment, type ClusterPlan } from "../modules/plan";
import { renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { dataSources, resources, synthEnvs, type TfJson } from "./helpers/synth";

const root = join(__dirname, "..");
const CHARTS = {
  "nginx-gateway-fabric": { chart: "nginx-gateway-fabric", dir: join(__dirname, "fixtures/charts/nginx-gateway-fabric-2.6.7") },
  istio: { chart: "gateway", dir: join(__dirname, "fixtures/charts/istio-1.30.3/gateway") },
} as const;
const MANIFESTS_CHART = join(root, "modules/k8s/charts/gatehouse-manifests");

const files = readdirSync(join(root, "envs/examples"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join(root, "envs/examples", f));
const examples: Env[] = loadEnvironments({ builtins: [], files }).map((l) => l.env);
const envs = examples.filter((e) => e.controller.kind !== "ingress-nginx");
/** ingress-nginx examples with routes: their data plane is checked in rendered.test.ts, their routes here. */
const nginxWithRoutes = examples.filter((e) => e.controller.kind === "ingress-nginx" && Object.keys(e.routes).length > 0);
const stacks = synthEnvs([...envs, ...nginxWithRoutes]);

type Release = Record<string, unknown> & { name: string; namespace: string; chart: string; values: string[] };

/** A stand-in address for the Terraform references the values hold (the global addresses). */
const standIn = (expression: string) => (/global_address/.test(expression) ? "203.0.113.10" : `unresolved-${expression}`);

/** The release of a chart (by chart name), or of the shipped manifests chart (by release name). */
function release(stack: TfJson, chart: string): Release {
  const found = Object.values(resources(stack, "helm_release")).filter((r) => r.chart === chart || r.name === chart);
  expect(found).toHaveLength(1);
  return found[0] as Release;
}

function render(r: Release, chartDir: string): KubeObject[] {
  return renderChart({ release: r.name, namespace: r.namespace, values: terraformStringValue(r.values[0] ?? "", standIn), chartDir });
}

/** Target group per entry point (its gatehouse/entry-point tag). */
function targetGroups(edge: TfJson): Map<string, Record<string, unknown>> {
  return new Map(Object.values(resources(edge, "aws_lb_target_group")).map((tg) => [(tg.tags as Record<string, string>)["gatehouse/entry-point"] as string, tg]));
}

/** NodePort per Service port the rendered data plane will have. */
function nodePortsByServicePort(kind: Env["controller"]["kind"], objects: readonly KubeObject[], cluster: ClusterPlan): Map<number, number | undefined> {
  if (kind === "nginx-gateway-fabric") {
    // The data-plane Service is built at run time from the NginxProxy (nginx.service.nodePorts).
    const proxy = objects.find((o) => o.kind === "NginxProxy") as { spec: { kubernetes: { service: { type: string; externalTrafficPolicy?: string; nodePorts?: Array<{ port: number; listenerPort: number }> } } } } | undefined;
    expect(proxy).toBeDefined();
    const svc = proxy?.spec.kubernetes.service;
    expect({ type: svc?.type, externalTrafficPolicy: svc?.externalTrafficPolicy }).toEqual({ type: "NodePort", externalTrafficPolicy: "Local" });
    return new Map((svc?.nodePorts ?? []).map((p) => [p.listenerPort, p.port]));
  }
  const svc = objects.find((o) => o.kind === "Service" && o.metadata.name === cluster.controller.identity.serviceName) as { spec: { type: string; externalTrafficPolicy?: string; ports: Array<{ port: number; nodePort?: number }> } } | undefined;
  expect(svc).toBeDefined();
  expect({ type: svc?.spec.type, externalTrafficPolicy: svc?.spec.externalTrafficPolicy }).toEqual({ type: "NodePort", externalTrafficPolicy: "Local" });
  return new Map((svc?.spec.ports ?? []).map((p) => [p.port, p.nodePort]));
}

/** The NEG annotation the data plane's Service will carry. */
function negAnnotation(kind: Env["controller"]["kind"], objects: readonly KubeObject[], cluster: ClusterPlan): { exposed_ports: Record<string, { name: string }> } {
  let text: string | undefined;
  if (kind === "nginx-gateway-fabric") {
    const proxy = objects.find((o) => o.kind === "NginxProxy") as { spec: { kubernetes: { service: { patches?: Array<{ value: { metadata?: { annotations?: Record<string, string> } } }> } } } } | undefined;
    text = proxy?.spec.kubernetes.service.patches?.map((p) => p.value.metadata?.annotations?.["cloud.google.com/neg"]).find((a) => a !== undefined);
  } else {
    text = objects.find((o) => o.kind === "Service" && o.metadata.name === cluster.controller.identity.serviceName)?.metadata.annotations?.["cloud.google.com/neg"];
  }
  expect(text).toBeDefined();
  return JSON.parse(text ?? "{}") as { exposed_ports: Record<string, { name: string }> };
}

describe.each(nginxWithRoutes.map((e) => [e.name, e] as const))("%s (ingress-nginx routes)", (_name, env) => {
  it("renders each route as an Ingress of the IngressClass the real chart creates", () => {
    const cluster = planEnvironment(env).aws?.cluster ?? planEnvironment(env).gcp?.clusters[0];
    if (!cluster) throw new Error(`${env.name} has no cluster`);
    const stack = stacks[cluster.stack] as TfJson;
    const chartObjects = render(release(stack, "ingress-nginx"), join(__dirname, "fixtures/charts/ingress-nginx-4.15.1"));
    const classes = chartObjects.filter((o) => o.kind === "IngressClass").map((o) => o.metadata.name);
    const ingresses = render(release(stack, "gatehouse-routes"), MANIFESTS_CHART).filter((o) => o.kind === "Ingress") as unknown as Array<{ metadata: { annotations?: Record<string, string> }; spec: { ingressClassName: string } }>;
    // A primary Ingress per route, and a canary Ingress per weighted second backend.
    expect(ingresses.filter((i) => i.metadata.annotations?.["nginx.ingress.kubernetes.io/canary"] !== "true")).toHaveLength(Object.keys(env.routes).length);
    for (const i of ingresses) expect(classes).toContain(i.spec.ingressClassName);
  });
});

test("the examples cover both other controller kinds, on AWS and on GKE, and routes for every kind", () => {
  expect(nginxWithRoutes.length).toBeGreaterThan(0);
  expect(new Set(envs.map((e) => e.controller.kind))).toEqual(new Set(["nginx-gateway-fabric", "istio"]));
  expect(envs.some((e) => e.aws) && envs.some((e) => e.gcp)).toBe(true);
  expect(envs.every((e) => Object.keys(e.routes).length > 0)).toBe(true);
});

describe.each(envs.map((e) => [e.name, e] as const))("%s", (_name, env) => {
  const plan = planEnvironment(env);
  const kind = env.controller.kind as keyof typeof CHARTS;

  if (plan.aws) {
    const aws = plan.aws;
    const cluster = stacks[aws.cluster.stack] as TfJson;
    const edge = stacks[aws.edge.stack] as TfJson;
    const objects = render(release(cluster, CHARTS[kind].chart), CHARTS[kind].dir);

    it("gives every entry point's target group the NodePort the rendered data plane has for it", () => {
      const nodePorts = nodePortsByServicePort(env.controller.kind, objects, aws.cluster);
      const groups = targetGroups(edge);
      expect(groups.size).toBe(aws.cluster.contract.entryPoints.length);
      for (const e of aws.cluster.contract.entryPoints) expect({ entry: e.name, nodePort: nodePorts.get(e.servicePort) }).toEqual({ entry: e.name, nodePort: groups.get(e.name)?.port });
    });

    it("health-checks every target group through a Service that reaches the data plane's readiness port", () => {
      const health = Object.values(resources(cluster, "kubernetes_service_v1"))[0] as { spec: { selector: Record<string, string>; port: Array<{ node_port: number; target_port: string }> } };
      const id = aws.cluster.controller.identity;
      expect(health.spec.selector).toEqual(id.podSelector);
      expect(health.spec.port[0]?.target_port).toBe(String(id.health.podPort));
      for (const tg of targetGroups(edge).values()) expect(tg.health_check).toMatchObject({ protocol: "HTTP", port: String(health.spec.port[0]?.node_port), path: id.health.path });
      if (kind === "istio") {
        // The gateway pods' readiness probe: the same port and path.
        const deployment = objects.find((o) => o.kind === "Deployment") as { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ readinessProbe?: { httpGet?: { port: number; path: string } } }> } } } } | undefined;
        expect(deployment?.spec.template.spec.containers[0]?.readinessProbe?.httpGet).toMatchObject({ port: id.health.podPort, path: id.health.path });
        expect(deployment?.spec.template.metadata.labels).toMatchObject(id.podSelector);
      }
    });

    it("attaches every route to the controller's Gateway, rendered through the shipped chart", () => {
      const routes = render(release(cluster, "gatehouse-routes"), MANIFESTS_CHART).filter((o) => o.kind === "HTTPRoute");
      expect(routes.length).toBe(Object.keys(env.routes).length);
      const attachment = aws.cluster.controller.identity.routes;
      expect(attachment.api).toBe("gateway");
      for (const r of routes) expect((r as unknown as { spec: { parentRefs: Array<{ name: string; namespace: string }> } }).spec.parentRefs).toEqual([expect.objectContaining(attachment.api === "gateway" ? attachment.gateway : {})]);
    });
  }

  for (const g of plan.gcp?.clusters ?? []) {
    it(`${g.name}: annotates the data-plane Service with exactly the NEG names the edge looks up`, () => {
      const objects = render(release(stacks[g.stack] as TfJson, CHARTS[kind].chart), CHARTS[kind].dir);
      const annotation = negAnnotation(env.controller.kind, objects, g);
      const looked = Object.values(dataSources(stacks[plan.gcp?.edge.stack ?? ""] as TfJson, "google_compute_network_endpoint_group")).map((n) => String(n.name));
      expect(new Set(Object.values(annotation.exposed_ports).map((p) => p.name))).toEqual(new Set(looked));
      for (const [port, neg] of Object.entries(annotation.exposed_ports)) expect(g.contract.entryPoints.find((e) => e.negName === neg.name)?.servicePort).toBe(Number(port));
    });
  }
});
