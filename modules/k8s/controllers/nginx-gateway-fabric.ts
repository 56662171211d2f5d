/**
 * NGINX Gateway Fabric, the maintained NGINX-based Gateway API implementation, behind the same
 * load balancers as ingress-nginx.
 *
 * Chart 2.6.7 (released 2026-07-15), the latest 2.x release; it requires Gateway API v1.5.1
 * (standard channel, modules/k8s/gateway-api.ts). One cluster gets, in order:
 * 1. the Gateway API CRDs (GatewayApiCrds: gatehouse's release, or the cluster's own with
 *    `controller.gatewayApiCrds: cluster-managed`, checked at plan time either way);
 * 2. the NGF release (control plane, GatewayClass `nginx`, and the NginxProxy the class refers
 *    to, whose `spec.kubernetes` is the chart's `nginx.*` values);
 * 3. the Gateway (one listener per entry point), the https redirect route when TLS ends at the
 *    load balancer, and a PodDisruptionBudget for the data plane, applied through Helm (Manifests).
 * The control plane then provisions the data plane for the Gateway: a Deployment and a Service
 * named `<gateway>-nginx` (nginx-gateway-fabric-identity.ts), built from the NginxProxy:
 * - `nginx.service.type` → the Service type; `nginx.service.nodePorts` ([{port, listenerPort}]) →
 *   the nodePort of the Service port whose number is that listener port (objects.go
 *   buildServicePorts); `externalTrafficPolicy` → the Service, except on a ClusterIP Service;
 * - `nginx.service.patches` → patches applied to the built Service (objects.go applyPatches); the
 *   NginxProxy has no annotations field, so the GKE NEG annotation goes in a StrategicMerge patch;
 * - `nginx.config.rewriteClientIP` → every listener's `listen … proxy_protocol` (mode
 *   ProxyProtocol) or `real_ip_header X-Forwarded-For` (mode XForwardedFor), with
 *   `set_real_ip_from` per trusted address (nginx servers template).
 * Values are a typed object rendered to YAML; every key exists in the chart (a test checks them
 * against its key index, and helm enforces the chart's values.schema.json).
 */
import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "../../core/cdktf";
import { failIfAny, type FieldProblem } from "../../core/errors";
import { GOOGLE_FRONT_END_RANGES } from "../../model/front-end-ranges";
import { controllerBaseProblems, negAnnotation, type Controller, type ControllerPlugin, type ControllerProps } from "./plugin";
import { NGF_CONFIG_KEYS, unreadOptionProblems } from "./options";
import { contractGateway, GatewayApiCrds, gatewayEntryProblems } from "../gateway-api";
import { helmValues, Manifests, type KubeManifest } from "../manifests";
import { companionReleaseName, SAFE_RELEASE, spreadOverZonesAndNodes, type TopologySpread } from "../release-defaults";
import { NGF_GATEWAY_CLASS, nginxGatewayFabricIdentity, ngfGatewayName } from "./nginx-gateway-fabric-identity";

export const NGINX_GATEWAY_FABRIC_CHART = {
  repository: "oci://ghcr.io/nginx/charts",
  chart: "nginx-gateway-fabric",
  /** Latest 2.x release (tag v2.6.7, 2026-07-15); built against Gateway API v1.5.1. */
  version: "2.6.7",
} as const;

/** The settings' defaults for this controller (the names NGF's own documentation uses). */
export const NGINX_GATEWAY_FABRIC_DEFAULTS = { releaseName: "nginx-gateway", namespace: "nginx-gateway" } as const;

/** `controller.config` keys this plug-in reads (controller-options.ts); any other key is refused. */
export { NGF_CONFIG_KEYS };

/** NginxProxy `rewriteClientIP` (gateway.nginx.org/v1alpha2). */
export interface RewriteClientIp {
  mode: "ProxyProtocol" | "XForwardedFor";
  trustedAddresses: Array<{ type: "CIDR" | "IPAddress"; value: string }>;
  setIPRecursively: boolean;
}

/** NginxProxy service patch (`nginx.service.patches`). */
export interface ServicePatch {
  type: "StrategicMerge";
  value: { metadata: { annotations: Record<string, string> } };
}

/** The subset of the chart's values gatehouse sets, typed. */
export interface NginxGatewayFabricValues {
  nginxGateway: {
    gatewayClassName: string;
    replicas: number;
    topologySpreadConstraints: TopologySpread[];
  };
  nginx: {
    kind: "deployment";
    replicas: number;
    config: { rewriteClientIP?: RewriteClientIp };
    pod: { topologySpreadConstraints: TopologySpread[] };
    container: { resources: { requests: { cpu: string; memory: string } } };
    service: {
      type: "NodePort" | "ClusterIP";
      externalTrafficPolicy: "Local";
      nodePorts: Array<{ port: number; listenerPort: number }>;
      patches: ServicePatch[];
    };
  };
}

function spread(labels: Readonly<Record<string, string>>, topologyKey: string): TopologySpread {
  const [zone, node] = spreadOverZonesAndNodes(labels) as [TopologySpread, TopologySpread];
  return topologyKey === "kubernetes.io/hostname" ? node : zone;
}

export function nginxGatewayFabricValues(props: ControllerProps): NginxGatewayFabricValues {
  const c = props.contract;
  const replicas = props.settings.replicas;
  const listeners = c.entryPoints.filter((e) => e.kind !== "tcp");
  const values: NginxGatewayFabricValues = {
    nginxGateway: {
      gatewayClassName: NGF_GATEWAY_CLASS,
      // The control plane only configures; two replicas (leader election) keep it up on drains.
      replicas: 2,
      topologySpreadConstraints: [spread({ "app.kubernetes.io/name": "nginx-gateway-fabric", "app.kubernetes.io/instance": props.settings.releaseName }, "kubernetes.io/hostname")],
    },
    nginx: {
      kind: "deployment",
      replicas,
      config: {},
      pod: { topologySpreadConstraints: [spread(c.podSelector, "topology.kubernetes.io/zone"), spread(c.podSelector, "kubernetes.io/hostname")] },
      container: { resources: { requests: { cpu: props.settings.resources.cpu, memory: props.settings.resources.memory } } },
      service: {
        type: props.exposure === "node-ports" ? "NodePort" : "ClusterIP",
        // Local: a node accepts traffic only for a data-plane pod it runs, which is what the
        // health-check Service (also Local) reports to the NLB. NGF ignores it on ClusterIP.
        externalTrafficPolicy: "Local",
        // NodePorts map to Gateway listener ports, which are the entry points' Service ports.
        nodePorts: props.exposure === "node-ports" ? listeners.map((e) => ({ port: e.nodePort, listenerPort: e.servicePort })) : [],
        patches: props.exposure === "gke-neg" ? [{ type: "StrategicMerge", value: { metadata: { annotations: { "cloud.google.com/neg": negAnnotation(c) } } } }] : [],
      },
    },
  };
  if (c.proxyProtocol) {
    // Every listener then expects the PROXY header (`listen … proxy_protocol`). The NLB's
    // addresses are not known here; whoever reaches the port must speak PROXY anyway, and the
    // node rules admit only the NLB (ingress-nginx trusts 0.0.0.0/0 for the same reason).
    values.nginx.config.rewriteClientIP = {
      mode: "ProxyProtocol",
      trustedAddresses: [
        { type: "CIDR", value: "0.0.0.0/0" },
        { type: "CIDR", value: "::/0" },
      ],
      setIPRecursively: false,
    };
  } else if (props.exposure === "gke-neg") {
    // Behind Google's front ends: X-Forwarded-For is "<client-supplied…>, <client>, <forwarding
    // rule address>". Trusting the front-end ranges and the forwarding rules' own addresses,
    // the recursive search walks back past both to the client.
    values.nginx.config.rewriteClientIP = {
      mode: "XForwardedFor",
      trustedAddresses: [...GOOGLE_FRONT_END_RANGES.map((value) => ({ type: "CIDR" as const, value })), ...(props.loadBalancerAddresses ?? []).map((value) => ({ type: "IPAddress" as const, value }))],
      setIPRecursively: true,
    };
  }
  return values;
}

/** What NGF cannot do with these props. */
export function nginxGatewayFabricProblems(props: ControllerProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const c = props.contract;
  const config = props.settings.config;
  problems.push(...unreadOptionProblems("nginx-gateway-fabric", config));
  problems.push(...gatewayEntryProblems(c, "NGINX Gateway Fabric", { path: `controller.config.${NGF_CONFIG_KEYS.httpsCertificateSecret}`, value: config[NGF_CONFIG_KEYS.httpsCertificateSecret] }));
  if ((props.loadBalancerAddresses?.length ?? 0) + GOOGLE_FRONT_END_RANGES.length > 64)
    problems.push({ path: "gcp", value: props.loadBalancerAddresses, message: "NGF trusts at most 64 addresses (NginxProxy rewriteClientIP.trustedAddresses)" });
  // The data plane publishes each listener on its own port number: each entry point's pod port
  // is its Service port. A contract built with other container ports would open and probe the
  // wrong pod ports.
  const identity = nginxGatewayFabricIdentity(props.settings, c.entry("https").tls === "terminate" ? "terminate" : "passthrough");
  for (const e of c.entryPoints.filter((x) => x.kind !== "tcp"))
    if (e.containerPort !== e.servicePort)
      problems.push({
        path: e.kind === "http" ? "ports.http" : "ports.https.tls",
        value: e.containerPort,
        message: `NGINX Gateway Fabric serves entry point ${e.name} on pod port ${e.servicePort} (its listener port), but the contract sends it to ${e.containerPort}: build the contract with the identity for ports.https.tls (container ports ${JSON.stringify(identity.containerPorts)})`,
      });
  if (c.namespace !== props.settings.namespace)
    problems.push({ path: "controller.namespace", value: c.namespace, message: `the contract's namespace differs from the controller's (${props.settings.namespace}); the data plane runs in the Gateway's namespace` });
  return problems;
}

/** The data plane's PodDisruptionBudget: NGF provisions none. */
function dataPlaneBudget(props: ControllerProps): KubeManifest {
  const c = props.contract;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: c.serviceName, namespace: c.namespace },
    spec: { maxUnavailable: 1, selector: { matchLabels: { ...c.podSelector } } },
  };
}

export class NginxGatewayFabric extends Construct implements Controller {
  public readonly crds: GatewayApiCrds;
  public readonly release: Release;
  public readonly values: NginxGatewayFabricValues;
  /** The Gateway, the redirect route and the data plane's PodDisruptionBudget. */
  public readonly objects: readonly KubeManifest[];
  public readonly manifests: Manifests;
  public readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ControllerProps) {
    super(scope, id);
    failIfAny(this.node.path, [...controllerBaseProblems(props), ...nginxGatewayFabricProblems(props)]);
    const c = props.contract;
    this.crds = GatewayApiCrds.of(this);
    this.values = nginxGatewayFabricValues(props);
    this.release = new Release(this, "release", {
      name: props.settings.releaseName,
      repository: NGINX_GATEWAY_FABRIC_CHART.repository,
      chart: NGINX_GATEWAY_FABRIC_CHART.chart,
      version: props.settings.chartVersion ?? NGINX_GATEWAY_FABRIC_CHART.version,
      namespace: c.namespace,
      createNamespace: true,
      ...SAFE_RELEASE,
      values: [helmValues(this.values)],
      // The chart's GatewayClass is a Gateway API kind.
      dependsOn: [...this.crds.dependables],
    });
    const { gateway, routes } = contractGateway({
      name: ngfGatewayName(props.settings),
      namespace: c.namespace,
      gatewayClassName: NGF_GATEWAY_CLASS,
      contract: c,
      httpsCertificateSecret: props.settings.config[NGF_CONFIG_KEYS.httpsCertificateSecret],
    });
    this.objects = [gateway, ...routes, dataPlaneBudget(props)];
    this.manifests = new Manifests(this, "gateway", {
      releaseName: companionReleaseName(props.settings.releaseName, "gateway"),
      namespace: c.namespace,
      objects: this.objects,
      dependsOn: [...this.crds.dependables, this.release],
    });
    this.dependables = [this.release, this.manifests.release];
  }
}

export const nginxGatewayFabricPlugin: ControllerPlugin = {
  kind: "nginx-gateway-fabric",
  defaults: NGINX_GATEWAY_FABRIC_DEFAULTS,
  chart: NGINX_GATEWAY_FABRIC_CHART,
  // The optional TLS choice is what the contract needs: NGF's container ports follow it.
  identity: (settings, httpsTls?: "passthrough" | "terminate") => nginxGatewayFabricIdentity(settings, httpsTls),
  problems: nginxGatewayFabricProblems,
  create: (scope, id, props) => new NginxGatewayFabric(scope, id, props),
};
