/**
 * The ingress-nginx controller release, its values built from the port contract.
 *
 * Values are a typed object rendered to YAML, never concatenated strings. Every key set here
 * exists in the chart's values.yaml (a test checks them against the chart's key index): Helm
 * ignores a misspelt key silently.
 *
 * ingress-nginx was retired in March 2026; chart 4.15.1 (controller v1.15.1) is the final
 * release. The contract is controller-neutral, so a maintained controller can replace this
 * construct behind the same load balancer.
 */
import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import { stringify } from "yaml";
import type { PortContract } from "../contract";
import { negEntryPoints } from "../contract";
import { failIfAny } from "../errors";
import { GOOGLE_FRONT_END_RANGES } from "../gcp/front-end-ranges";

export const INGRESS_NGINX_CHART = {
  repository: "https://kubernetes.github.io/ingress-nginx",
  chart: "ingress-nginx",
  /** The final release of the retired project. */
  version: "4.15.1",
} as const;

export type Exposure =
  /** NodePort Service at the contract's NodePorts (AWS NLB with node or pod targets). */
  | "node-ports"
  /** ClusterIP Service with the GKE standalone NEG annotation (GCP global LB). */
  | "gke-neg";

export interface IngressNginxProps {
  readonly contract: PortContract;
  readonly exposure: Exposure;
  /** Helm release name; the contract's service name derives from it. */
  readonly releaseName: string;
  /** @default "4.15.1" */
  readonly chartVersion?: string;
  /** Controller replicas; a PodDisruptionBudget keeps all but one up. @default 2 */
  readonly replicas?: number;
  /** @default { cpu: "100m", memory: "90Mi" } (the chart's own requests) */
  readonly resources?: { readonly cpu: string; readonly memory: string };
  /** Extra ConfigMap options (controller.config); gatehouse's own keys win. */
  readonly config?: Readonly<Record<string, string>>;
}

/** The subset of the chart's values gatehouse sets, typed. */
export interface IngressNginxValues {
  controller: {
    replicaCount: number;
    minAvailable: number;
    resources: { requests: { cpu: string; memory: string } };
    topologySpreadConstraints: Array<{
      labelSelector: { matchLabels: Record<string, string> };
      matchLabelKeys: string[];
      topologyKey: string;
      maxSkew: number;
      whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
    }>;
    config: Record<string, string>;
    admissionWebhooks: { enabled: boolean };
    service: {
      type: "NodePort" | "ClusterIP";
      externalTrafficPolicy?: "Local" | "Cluster";
      annotations?: Record<string, string>;
      ports: { http: number; https: number };
      targetPorts: { http: string; https: string };
      nodePorts?: { http: number; https: number; tcp: Record<string, number> };
    };
  };
  tcp?: Record<string, string>;
}

/** The `cloud.google.com/neg` annotation: Service port → NEG name, for each NEG entry point. */
export function negAnnotation(contract: PortContract): string {
  const exposed: Record<string, { name: string }> = {};
  for (const e of negEntryPoints(contract)) exposed[String(e.servicePort)] = { name: e.negName };
  return JSON.stringify({ exposed_ports: exposed });
}

export function ingressNginxValues(props: IngressNginxProps): IngressNginxValues {
  const c = props.contract;
  const replicas = props.replicas ?? 2;
  const http = c.entry("http");
  const https = c.entry("https");
  const tcpEntries = c.entryPoints.filter((e) => e.kind === "tcp");
  const config: Record<string, string> = { ...props.config };
  config["use-proxy-protocol"] = String(c.proxyProtocol);
  if (props.exposure === "gke-neg") {
    // Behind Google's L7 proxies: trust X-Forwarded-For only from Google's front ends.
    config["use-forwarded-headers"] = "true";
    config["proxy-real-ip-cidr"] = GOOGLE_FRONT_END_RANGES.join(",");
  }
  const spread = (topologyKey: string) => ({
    labelSelector: { matchLabels: { ...c.podSelector } },
    matchLabelKeys: ["pod-template-hash"],
    topologyKey,
    maxSkew: 1,
    whenUnsatisfiable: "ScheduleAnyway" as const,
  });
  const values: IngressNginxValues = {
    controller: {
      replicaCount: replicas,
      // The chart renders the PDB only with more than one replica.
      minAvailable: replicas - 1,
      resources: { requests: { cpu: props.resources?.cpu ?? "100m", memory: props.resources?.memory ?? "90Mi" } },
      topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
      config,
      admissionWebhooks: { enabled: true },
      service: {
        type: props.exposure === "node-ports" ? "NodePort" : "ClusterIP",
        ports: { http: http.servicePort, https: https.servicePort },
        // TLS ended at the NLB: the https Service port carries plain HTTP to the http pod port.
        targetPorts: { http: "http", https: c.tlsAtLoadBalancer ? "http" : "https" },
      },
    },
  };
  const svc = values.controller.service;
  if (props.exposure === "node-ports") {
    // Local: a node only accepts traffic for a controller pod it runs, which is what the
    // health-check Service (also Local) reports to the NLB.
    svc.externalTrafficPolicy = "Local";
    svc.nodePorts = { http: http.nodePort, https: https.nodePort, tcp: Object.fromEntries(tcpEntries.map((e) => [String(e.servicePort), e.nodePort])) };
  } else {
    svc.annotations = { "cloud.google.com/neg": negAnnotation(c) };
  }
  if (tcpEntries.length) values.tcp = Object.fromEntries(tcpEntries.map((e) => [String(e.servicePort), e.backend ?? ""]));
  return values;
}

export class IngressNginx extends Construct {
  public readonly release: Release;
  public readonly values: IngressNginxValues;

  constructor(scope: Construct, id: string, props: IngressNginxProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    failIfAny(this.node.path, [
      ...(Number.isInteger(replicas) && replicas >= 2 ? [] : [{ path: "replicas", value: replicas, message: "must be a whole number of at least 2 (one replica means an outage on every node drain)" }]),
      ...(props.exposure === "gke-neg" && props.contract.proxyProtocol
        ? [{ path: "contract.proxyProtocol", value: true, message: "Google's Application Load Balancer sends no PROXY header; it must be off behind NEGs" }]
        : []),
    ]);
    this.values = ingressNginxValues(props);
    this.release = new Release(this, "release", {
      name: props.releaseName,
      repository: INGRESS_NGINX_CHART.repository,
      chart: INGRESS_NGINX_CHART.chart,
      version: props.chartVersion ?? INGRESS_NGINX_CHART.version,
      namespace: props.contract.namespace,
      createNamespace: true,
      // Roll back a failed upgrade instead of leaving a half-applied controller behind.
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      timeout: 600,
      maxHistory: 10,
      values: [stringify(this.values, { sortMapEntries: true })],
    });
  }
}
