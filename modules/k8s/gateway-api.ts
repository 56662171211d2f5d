/**
 * The Kubernetes Gateway API for any controller that implements it (NGINX Gateway Fabric, Istio):
 * - `GatewayApiCrds`: the standard-channel CRDs, a `helm_release` of the chart shipped with
 *   gatehouse (modules/k8s/charts/gateway-api-crds), one per stack whoever asks for it;
 * - `contractGateway`: the Gateway for a port contract (a listener per entry point) and, when TLS
 *   ends at the load balancer, the HTTPRoute that answers plain-HTTP clients with 308 to https;
 * - `gatewayEntryProblems`: what a Gateway API controller cannot do with a contract.
 *
 * Gateway API v1.5.1 (released 2026-03-14), standard channel: the version NGINX Gateway Fabric
 * 2.6.x builds and tests against (its go.mod and config/crd/gateway-api/standard at v2.6.7).
 * v1.6 exists (2026-06-29), but a cluster holds one set of these CRDs, so they follow the oldest
 * controller gatehouse ships that needs them. TCPRoute is experimental-channel only; TLSRoute is
 * standard since v1.5 but routes by SNI hostname (at least one required).
 */
import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "../cdktf";
import { TerraformStack } from "../cdktf";
import type { EntryPoint, PortContract } from "../contract";
import type { EnvProblem } from "./controller";
import { localChart } from "./local-chart";
import type { KubeManifest } from "./manifests";

export const GATEWAY_API = {
  version: "v1.5.1",
  channel: "standard",
  /** The shipped chart (its version is the Gateway API version). */
  chart: "gateway-api-crds",
} as const;

/** The Gateway API group and the apiVersion gatehouse writes. */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_API_VERSION = `${GATEWAY_API_GROUP}/v1`;

export interface GatewayApiCrdsProps {
  /**
   * Helm release name. Keep the default: the CRDs are kept when a release is uninstalled, and a
   * later release adopts them only under the same name and namespace.
   * @default "gateway-api-crds"
   */
  readonly releaseName?: string;
  /** Namespace of the release (the CRDs are cluster-scoped). @default "kube-system" */
  readonly namespace?: string;
  readonly dependsOn?: readonly ITerraformDependable[];
}

const CRDS_ID = "gateway-api-crds";

/**
 * The Gateway API CRDs (standard channel), applied as templates so `helm upgrade` updates them,
 * and kept when the release is uninstalled (they hold every Gateway and route of the cluster).
 */
export class GatewayApiCrds extends Construct {
  /** The stack's one GatewayApiCrds, made at the stack's root on first use. */
  public static of(scope: Construct, props: GatewayApiCrdsProps = {}): GatewayApiCrds {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(CRDS_ID);
    if (existing instanceof GatewayApiCrds) return existing;
    return new GatewayApiCrds(stack, CRDS_ID, props);
  }

  public readonly release: Release;
  /** What objects of Gateway API kinds wait for. */
  public readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: GatewayApiCrdsProps = {}) {
    super(scope, id);
    const chart = localChart(this, "chart", GATEWAY_API.chart);
    this.release = new Release(this, "release", {
      name: props.releaseName ?? "gateway-api-crds",
      chart: chart.path,
      namespace: props.namespace ?? "kube-system",
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      maxHistory: 10,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
    this.dependables = [this.release];
  }
}

export interface ContractGatewayOptions {
  readonly name: string;
  readonly namespace: string;
  readonly gatewayClassName: string;
  readonly contract: PortContract;
  /**
   * The Secret (in the Gateway's namespace) with the https listener's certificate, when TLS ends
   * in the controller (`ports.https.tls: passthrough`).
   */
  readonly httpsCertificateSecret?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The name of the HTTPRoute that redirects the http listener to https. */
export function redirectRouteName(gateway: string): string {
  return `${gateway.slice(0, 253 - "-https-redirect".length)}-https-redirect`;
}

/**
 * One listener per entry point, on the entry point's Service port (Gateway API controllers that
 * provision their own data plane publish each listener port as a Service port):
 * - http: plain HTTP. When TLS ends at the load balancer it only redirects, so it admits routes
 *   from its own namespace only (gatehouse's redirect route); app routes attach to https alone.
 * - https: HTTPS with the certificate Secret when TLS ends in the controller; plain HTTP when the
 *   load balancer ended it.
 * Routes from every namespace attach (`allowedRoutes.namespaces.from: All`).
 */
export function contractListeners(contract: PortContract, httpsCertificateSecret?: string): Array<Record<string, unknown>> {
  const all = { namespaces: { from: "All" } };
  return contract.entryPoints
    .filter((e) => e.kind !== "tcp")
    .map((e) => {
      if (e.kind === "http") return { name: e.name, port: e.servicePort, protocol: "HTTP", allowedRoutes: e.redirectsToHttps ? { namespaces: { from: "Same" } } : all };
      if (e.tls === "terminate") return { name: e.name, port: e.servicePort, protocol: "HTTP", allowedRoutes: all };
      return {
        name: e.name,
        port: e.servicePort,
        protocol: "HTTPS",
        tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: httpsCertificateSecret ?? "" }] },
        allowedRoutes: all,
      };
    });
}

/** The Gateway for a contract, and the redirect route when TLS ends at the load balancer. */
export function contractGateway(opts: ContractGatewayOptions): { readonly gateway: KubeManifest; readonly routes: readonly KubeManifest[] } {
  const c = opts.contract;
  const labels = opts.labels ? { labels: { ...opts.labels } } : {};
  const gateway: KubeManifest = {
    apiVersion: GATEWAY_API_VERSION,
    kind: "Gateway",
    metadata: { name: opts.name, namespace: opts.namespace, ...labels },
    spec: { gatewayClassName: opts.gatewayClassName, listeners: contractListeners(c, opts.httpsCertificateSecret) },
  };
  const http = c.entry("http");
  if (!http.redirectsToHttps) return { gateway, routes: [] };
  // The public https port: the redirect goes to the load balancer, not to the listener.
  const httpsPort = c.entry("https").listenerPort;
  const route: KubeManifest = {
    apiVersion: GATEWAY_API_VERSION,
    kind: "HTTPRoute",
    metadata: { name: redirectRouteName(opts.name), namespace: opts.namespace, ...labels },
    spec: {
      parentRefs: [{ group: GATEWAY_API_GROUP, kind: "Gateway", name: opts.name, sectionName: http.name }],
      rules: [
        {
          filters: [
            {
              type: "RequestRedirect",
              // 308 keeps the method and body; without a port, https means 443.
              requestRedirect: { scheme: "https", statusCode: 308, ...(httpsPort === 443 ? {} : { port: httpsPort }) },
            },
          ],
        },
      ],
    },
  };
  return { gateway, routes: [route] };
}

/** DNS-1123 subdomain: what a Secret name must be. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What a Gateway API controller cannot do with a contract: tcp entry points (TCPRoute is not in
 * the standard channel), and TLS ending in the controller without a certificate.
 * `certificate` is the setting that names the https listener's Secret.
 */
export function gatewayEntryProblems(contract: PortContract, controller: string, certificate: { readonly path: string; readonly value: string | undefined }): EnvProblem[] {
  const problems: EnvProblem[] = [];
  for (const e of contract.entryPoints.filter((x: EntryPoint) => x.kind === "tcp"))
    problems.push({
      path: `ports.tcp.${e.name}`,
      value: e.backend,
      message: `${controller} routes TCP with TCPRoute, which Gateway API ${GATEWAY_API.version} has only in the experimental channel (gatehouse installs the standard channel; TLSRoute is standard but needs the clients' SNI hostnames); remove the entry point or keep ingress-nginx for it`,
    });
  const https = contract.entry("https");
  if (https.tls === "passthrough") {
    if (certificate.value === undefined)
      problems.push({ path: certificate.path, value: undefined, message: `is required: ports.https.tls is "passthrough", so TLS ends in ${controller}, whose HTTPS listener needs the name of a kubernetes.io/tls Secret in ${contract.namespace}; or end TLS at the load balancer (tls: terminate)` });
    else if (!(certificate.value.length <= 253 && SUBDOMAIN.test(certificate.value)))
      problems.push({ path: certificate.path, value: certificate.value, message: `must be the name of a Secret in ${contract.namespace} (lowercase letters, digits, "-" and ".", at most 253 characters)` });
  } else if (certificate.value !== undefined) {
    problems.push({ path: certificate.path, value: certificate.value, message: 'is unused: ports.https.tls is "terminate", so the load balancer ends TLS and the https listener is plain HTTP; remove it' });
  }
  return problems;
}
