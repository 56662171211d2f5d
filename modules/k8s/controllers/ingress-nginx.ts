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
import type { PortContract } from "../../model/contract";
import { failIfAny, type FieldProblem } from "../../core/errors";
import { GOOGLE_FRONT_END_RANGES } from "../../model/front-end-ranges";
import { controllerBaseProblems, negAnnotation, type Controller, type ControllerPlugin, type ControllerProps } from "./plugin";
import { closestNames, equalFoldAscii, INGRESS_NGINX_CONFIG_KEYS, INGRESS_NGINX_CONFIG_REFERENCE, ingressNginxKeyReadAs, otherKindsReading } from "./options";
import { escapeTemplatedValues, type TemplatedValue } from "../helm-tpl";
import { ingressNginxIdentity } from "./ingress-nginx-identity";
import { helmValues } from "../manifests";
import { SAFE_RELEASE, spreadOverZonesAndNodes, type TopologySpread } from "../release-defaults";

export const INGRESS_NGINX_CHART = {
  repository: "https://kubernetes.github.io/ingress-nginx",
  chart: "ingress-nginx",
  /** The final release of the retired project. */
  version: "4.15.1",
} as const;

/** ingress-nginx takes the common controller props. */
export type IngressNginxProps = ControllerProps;

/** The subset of the chart's values gatehouse sets, typed. */
export interface IngressNginxValues {
  controller: {
    replicaCount: number;
    minAvailable: number;
    resources: { requests: { cpu: string; memory: string } };
    topologySpreadConstraints: TopologySpread[];
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

export { negAnnotation };

/**
 * The values chart 4.15.1 renders with `tpl` (templates/*.yaml): text there is a Go template, so
 * ingressNginxValues escapes every one of them that it sets (helm-tpl.ts). A test reads the
 * chart's templates and renders the chart to check that this list is complete.
 */
export const INGRESS_NGINX_TEMPLATED_VALUES: readonly TemplatedValue[] = [
  { path: "controller.config", rendering: "each-value", template: "controller-configmap.yaml" },
  { path: "controller.service.annotations", rendering: "each-value", template: "controller-service.yaml" },
  { path: "controller.service.internal.annotations", rendering: "each-value", template: "controller-service-internal.yaml" },
  { path: "controller.hostAliases", rendering: "as-yaml", template: "controller-deployment.yaml, controller-daemonset.yaml" },
  { path: "controller.extraInitContainers", rendering: "as-yaml", template: "controller-deployment.yaml, controller-daemonset.yaml" },
  { path: "controller.affinity", rendering: "as-yaml", template: "controller-deployment.yaml, controller-daemonset.yaml" },
  { path: "controller.topologySpreadConstraints", rendering: "as-yaml", template: "controller-deployment.yaml, controller-daemonset.yaml" },
  { path: "tcp", rendering: "as-yaml", template: "controller-configmap-tcp.yaml" },
  { path: "udp", rendering: "as-yaml", template: "controller-configmap-udp.yaml" },
  { path: "defaultBackend.affinity", rendering: "as-yaml", template: "default-backend-deployment.yaml" },
  { path: "defaultBackend.topologySpreadConstraints", rendering: "as-yaml", template: "default-backend-deployment.yaml" },
  { path: "defaultBackend.extraVolumes", rendering: "as-yaml", template: "default-backend-deployment.yaml" },
];

/**
 * ConfigMap keys gatehouse decides from the contract; a user value would contradict it. On GKE
 * that includes `forwarded-for-header`, which gatehouse leaves at the controller's default
 * (X-Forwarded-For, the header Google's front ends append the client to): with any other header,
 * the trusted front-end ranges would make nginx take the client address from a header the client
 * wrote itself.
 */
export function ownedConfigKeys(props: Pick<ControllerProps, "contract" | "exposure">): string[] {
  const keys = ["use-proxy-protocol"];
  if (props.exposure === "gke-neg") keys.push("use-forwarded-headers", "proxy-real-ip-cidr", "forwarded-for-header");
  if (props.contract.entry("http").redirectsToHttps) keys.push("http-snippet", "ssl-redirect", "force-ssl-redirect");
  return keys;
}

/** The named container port the Service sends an entry point's traffic to. */
function targetPortName(c: PortContract, port: number): string {
  const cp = c.containerPorts;
  if (port === cp.redirect) return "tohttps";
  return port === cp.https ? "https" : "http";
}

/**
 * The chart's values for these props, as Helm receives them: configuration text in the values the
 * chart renders with `tpl` (INGRESS_NGINX_TEMPLATED_VALUES) is escaped so that it comes out as
 * written.
 */
export function ingressNginxValues(props: ControllerProps): IngressNginxValues {
  const c = props.contract;
  const replicas = props.settings.replicas;
  const http = c.entry("http");
  const https = c.entry("https");
  const tcpEntries = c.entryPoints.filter((e) => e.kind === "tcp");
  const config: Record<string, string> = { ...props.settings.config };
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
  const values: IngressNginxValues = {
    controller: {
      replicaCount: replicas,
      // The chart renders the PDB only with more than one replica.
      minAvailable: replicas - 1,
      resources: { requests: { cpu: props.settings.resources.cpu, memory: props.settings.resources.memory } },
      topologySpreadConstraints: spreadOverZonesAndNodes(c.podSelector),
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
  return escapeTemplatedValues(values, INGRESS_NGINX_TEMPLATED_VALUES);
}

const FROM_CONTRACT = "from the port contract (PROXY protocol, forwarded headers, the https redirect); remove it";

/**
 * What ingress-nginx cannot do with these props: `controller.config` keys compared the way the
 * controller reads them (controller-options.ts). A key that the controller would decode into a
 * key gatehouse sets, in any letter case, is refused; so is every key it would not read as
 * written: another kind's option or a key it does not know (both ignored without a word), and a
 * case variant of a ConfigMap key (read under the other name: gatehouse takes each key as the
 * controller spells it, so the keys it compares are the keys the controller reads).
 */
export function ingressNginxProblems(props: ControllerProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const owned = ownedConfigKeys(props);
  const config = props.settings.config;
  for (const key of Object.keys(config).sort()) {
    const path = `controller.config.${key}`;
    const value = config[key];
    const ownedKey = owned.find((o) => equalFoldAscii(key, o));
    if (ownedKey === key) problems.push({ path, value, message: `is set by gatehouse ${FROM_CONTRACT}` });
    else if (ownedKey !== undefined)
      problems.push({ path, value, message: `is read by the controller as "${ownedKey}" (it matches ConfigMap keys whatever their letter case), which gatehouse sets ${FROM_CONTRACT}` });
    else problems.push(...unreadKeyProblems(path, key, value, owned));
  }
  return problems;
}

function unreadKeyProblems(path: string, key: string, value: unknown, owned: readonly string[]): FieldProblem[] {
  if (INGRESS_NGINX_CONFIG_KEYS.includes(key)) return [];
  const others = otherKindsReading(key, "ingress-nginx");
  if (others.length)
    return [{ path, value, message: `is an option of ${others.join(" and ")}, which ingress-nginx does not read; ingress-nginx takes the keys of its ConfigMap (${INGRESS_NGINX_CONFIG_REFERENCE}); remove it` }];
  const readAs = ingressNginxKeyReadAs(key);
  if (readAs !== undefined)
    return [{ path, value, message: `is read by the controller as "${readAs}" (it matches ConfigMap keys whatever their letter case); write it as "${readAs}"` }];
  const closest = closestNames(key, INGRESS_NGINX_CONFIG_KEYS.filter((k) => !owned.includes(k)));
  const hint = closest.length ? `did you mean ${closest.map((k) => `"${k}"`).join(" or ")}? ` : "";
  return [{ path, value, message: `is not a ConfigMap key ingress-nginx reads (controller v1.15.1), so it would be ignored; ${hint}the keys it reads: ${INGRESS_NGINX_CONFIG_REFERENCE}` }];
}

export class IngressNginx extends Construct implements Controller {
  public readonly release: Release;
  public readonly values: IngressNginxValues;
  public readonly dependables: readonly Release[];

  constructor(scope: Construct, id: string, props: ControllerProps) {
    super(scope, id);
    failIfAny(this.node.path, [...controllerBaseProblems(props), ...ingressNginxProblems(props)]);
    this.values = ingressNginxValues(props);
    this.release = new Release(this, "release", {
      name: props.settings.releaseName,
      repository: INGRESS_NGINX_CHART.repository,
      chart: INGRESS_NGINX_CHART.chart,
      version: props.settings.chartVersion ?? INGRESS_NGINX_CHART.version,
      namespace: props.contract.namespace,
      createNamespace: true,
      ...SAFE_RELEASE,
      // Terraform evaluates ${…} and %{…} in every string: configuration text is escaped so it
      // reaches Helm literally; only gatehouse's own references are evaluated.
      values: [helmValues(this.values)],
    });
    this.dependables = [this.release];
  }
}

export const ingressNginxPlugin: ControllerPlugin = {
  kind: "ingress-nginx",
  defaults: { releaseName: "ingress-nginx", namespace: "ingress-nginx" },
  chart: INGRESS_NGINX_CHART,
  identity: (settings) => ingressNginxIdentity(settings.releaseName),
  problems: ingressNginxProblems,
  create: (scope, id, props) => new IngressNginx(scope, id, props),
};
