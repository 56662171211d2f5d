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
import { isToken } from "../cdktf";
import type { Problem } from "../errors";
import { failIfAny } from "../errors";
import { GOOGLE_FRONT_END_RANGES } from "../gcp/front-end-ranges";
import { escapeTerraform } from "../literal";

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
  /**
   * Extra ConfigMap options (controller.config). Keys that gatehouse sets from the contract
   * (PROXY protocol, forwarded headers, the redirect server) are refused here.
   */
  readonly config?: Readonly<Record<string, string>>;
  /**
   * gke-neg: the load balancer's own addresses (the global forwarding rules' IPs, literals or
   * references). Google's front ends append the forwarding rule's address as the last
   * X-Forwarded-For hop; trusting it lets the controller walk back to the real client.
   */
  readonly loadBalancerAddresses?: readonly string[];
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
    containerPort?: { http: number; https: number; tohttps: number };
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

/** ConfigMap keys gatehouse decides from the contract; a user value would contradict it. */
export function ownedConfigKeys(props: Pick<IngressNginxProps, "contract" | "exposure">): string[] {
  const keys = ["use-proxy-protocol"];
  if (props.exposure === "gke-neg") keys.push("use-forwarded-headers", "proxy-real-ip-cidr");
  if (props.contract.entry("http").redirectsToHttps) keys.push("http-snippet", "ssl-redirect", "force-ssl-redirect");
  return keys;
}

/** The named container port the Service sends an entry point's traffic to. */
function targetPortName(c: PortContract, port: number): string {
  const cp = c.containerPorts;
  if (port === cp.redirect) return "tohttps";
  return port === cp.https ? "https" : "http";
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
    // Behind Google's front ends: X-Forwarded-For is "<client-supplied…>, <client>, <forwarding
    // rule address>". Trusting Google's front-end ranges and the forwarding rules' own
    // addresses, real_ip_recursive walks back past both to the client.
    config["use-forwarded-headers"] = "true";
    config["proxy-real-ip-cidr"] = [...GOOGLE_FRONT_END_RANGES, ...(props.loadBalancerAddresses ?? [])].join(",");
  }
  if (http.redirectsToHttps) {
    // TLS ends at the load balancer and https arrives on the plain HTTP port, where the
    // controller cannot tell it from plain HTTP: plain-HTTP clients get a port of their own that
    // answers every request with 308 to https (the chart's NLB-TLS-termination recipe), and the
    // controller's own scheme-based redirects stay off so they cannot loop.
    const listen = `${c.containerPorts.redirect}${c.proxyProtocol ? " proxy_protocol" : ""}`;
    config["http-snippet"] = `server {\n  listen ${listen};\n  return 308 https://$host$request_uri;\n}\n`;
    config["ssl-redirect"] = "false";
    config["force-ssl-redirect"] = "false";
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
        targetPorts: { http: targetPortName(c, http.containerPort), https: targetPortName(c, https.containerPort) },
      },
    },
  };
  if (http.redirectsToHttps) values.controller.containerPort = { http: c.containerPorts.http, https: c.containerPorts.https, tohttps: c.containerPorts.redirect };
  const svc = values.controller.service;
  if (props.exposure === "node-ports") {
    // Local: a node only accepts traffic for a controller pod it runs, which is what the
    // health-check Service (also Local) reports to the NLB.
    svc.externalTrafficPolicy = "Local";
    svc.nodePorts = { http: http.nodePort, https: https.nodePort, tcp: Object.fromEntries(tcpEntries.map((e) => [String(e.servicePort), e.nodePort])) };
  } else {
    svc.annotations = { "cloud.google.com/neg": negAnnotation(c) };
  }
  // tcp-services: "<namespace>/<service>:<port>[:PROXY decode[:PROXY encode]]". The third field
  // makes the stream server decode the PROXY header the load balancer sends; `use-proxy-protocol`
  // covers only the http and https servers.
  if (tcpEntries.length) values.tcp = Object.fromEntries(tcpEntries.map((e) => [String(e.servicePort), `${e.backend ?? ""}${c.proxyProtocol ? ":PROXY" : ""}`]));
  return values;
}

/** Escapes every string that came from configuration; Terraform references pass unchanged. */
function literalValues<T>(value: T): T {
  if (typeof value === "string") return (isToken(value) ? value : escapeTerraform(value)) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => literalValues(v)) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeTerraform(k), literalValues(v)])) as T;
  return value;
}

export class IngressNginx extends Construct {
  public readonly release: Release;
  public readonly values: IngressNginxValues;

  constructor(scope: Construct, id: string, props: IngressNginxProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    const problems: Array<Omit<Problem, "env">> = [];
    if (!(Number.isInteger(replicas) && replicas >= 2)) problems.push({ path: "replicas", value: replicas, message: "must be a whole number of at least 2 (one replica means an outage on every node drain)" });
    if (props.exposure === "gke-neg" && props.contract.proxyProtocol)
      problems.push({ path: "contract.proxyProtocol", value: true, message: "Google's Application Load Balancer sends no PROXY header; it must be off behind NEGs" });
    for (const key of ownedConfigKeys(props))
      if (props.config?.[key] !== undefined)
        problems.push({ path: `config.${key}`, value: props.config[key], message: "is set by gatehouse from the port contract (PROXY protocol, forwarded headers, the https redirect); remove it" });
    failIfAny(this.node.path, problems);
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
      // Terraform evaluates ${…} and %{…} in every string: configuration text is escaped so it
      // reaches Helm literally; only gatehouse's own references are evaluated.
      values: [stringify(literalValues(this.values), { sortMapEntries: true, lineWidth: 0 })],
    });
  }
}
