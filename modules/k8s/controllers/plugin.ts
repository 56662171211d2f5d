/**
 * Ingress controllers as plug-ins behind the same load balancers.
 *
 * The port contract (modules/model/contract.ts) is controller-neutral: listener ports, NodePorts, the
 * health NodePort, NEG names, where TLS ends, PROXY protocol. A controller plug-in maps it onto
 * its own chart and says what it is called and where it listens, so the load balancer side never
 * guesses:
 * - `identity`: the data-plane Service and pod labels, the pod ports the Service sends each
 *   entry point to, and the readiness endpoint the load balancers' health checks probe;
 * - `problems`: what this controller cannot do with a contract (a TLS choice, PROXY protocol on
 *   some port, a route feature), as problems with environment field paths;
 * - `create`: the Helm releases (and whatever else the controller needs) for one cluster.
 *
 * On AWS the data plane is a NodePort Service with exactly the contract's NodePorts and
 * `externalTrafficPolicy: Local`; on GKE a ClusterIP Service annotated `cloud.google.com/neg`
 * with the contract's NEG names (negAnnotation). The health-check NodePort Service
 * (healthcheck-service.ts) and TargetGroupBindings are common to every controller.
 */
import type { Construct } from "constructs";
import type { ITerraformDependable } from "../../core/cdktf";
import type { PortContract, TlsChoice } from "../../model/contract";
import { negEntryPoints } from "../../model/contract";
import type { FieldProblem } from "../../core/errors";
import type { Route, RouteAttachment, RouteFeatures } from "../../model/route-types";

export { CONTROLLER_KINDS, type ControllerKind } from "../../model/defaults";
import { CONTROLLER_LIMITS, type ControllerKind } from "../../model/defaults";

export type Exposure =
  /** NodePort Service at the contract's NodePorts (AWS NLB with node or pod targets). */
  | "node-ports"
  /** ClusterIP Service with the GKE standalone NEG annotation (GCP global LB). */
  | "gke-neg";

/** What an environment says about its controller, whatever the kind. */
export interface ControllerSettings {
  /** Helm release name (the data-plane Service name derives from it). */
  readonly releaseName: string;
  /** Namespace of the controller and its data plane. */
  readonly namespace: string;
  /** Exact chart version; each plug-in pins a tested default. */
  readonly chartVersion?: string;
  /** Data-plane replicas; a PodDisruptionBudget keeps all but one up. */
  readonly replicas: number;
  /** Requests of each data-plane pod. */
  readonly resources: { readonly cpu: string; readonly memory: string };
  /**
   * Controller-specific options (ingress-nginx: keys of its ConfigMap; the Gateway API plug-ins:
   * httpsCertificateSecret). Each plug-in refuses a key it would not read (controller-options.ts).
   */
  readonly config: Readonly<Record<string, string>>;
}

/** What the port contract needs from a controller, derived from its chart. */
export interface ControllerIdentity {
  /** The data-plane Service the load balancer's traffic goes through. */
  readonly serviceName: string;
  /** The health-check NodePort Service gatehouse adds (AWS, node targets). */
  readonly healthServiceName: string;
  /** Labels that select the data-plane pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The data plane's readiness endpoint on each pod: what every load balancer health check probes. */
  readonly health: { readonly podPort: number; readonly path: string };
  /**
   * Pod ports the data-plane Service sends traffic to: plain HTTP, TLS (when it ends in the
   * controller) and the port that only redirects to https (when TLS ends at the load balancer).
   */
  readonly containerPorts: { readonly http: number; readonly https: number; readonly redirect: number };
  /** Pod ports the controller keeps for itself; a tcp entry point cannot take them. */
  readonly reservedPodPorts: readonly number[];
  /** How routes attach (an IngressClass, or a Gateway) and which route features it carries out. */
  readonly routes: RouteAttachment;
  readonly routeFeatures: RouteFeatures;
}

export interface ControllerProps {
  readonly contract: PortContract;
  readonly exposure: Exposure;
  readonly settings: ControllerSettings;
  /**
   * gke-neg: the load balancer's own addresses (literals or references). Google's front ends
   * append the forwarding rule's address as the last X-Forwarded-For hop; a controller that
   * derives the client address from that header must trust it.
   */
  readonly loadBalancerAddresses?: readonly string[];
  /** The environment's routes (modules/model/route-types.ts). @default none */
  readonly routes?: readonly Route[];
}

/** The construct a plug-in creates for one cluster. */
export interface Controller extends Construct {
  /** What the health Service, TargetGroupBindings and routes wait for (namespace, CRDs, data plane). */
  readonly dependables: readonly ITerraformDependable[];
}

export interface ControllerPlugin {
  readonly kind: ControllerKind;
  /** Release name and namespace when the environment names none. */
  readonly defaults: { readonly releaseName: string; readonly namespace: string };
  /** The pinned default chart (the data plane's, for controllers with several). */
  readonly chart: { readonly repository: string; readonly chart: string; readonly version: string };
  /**
   * The controller's names and ports. `httpsTls` is where the https entry point's TLS ends: a
   * controller whose pod ports follow its listeners (Gateway API data planes) serves https on
   * another pod port when the load balancer has already ended TLS.
   */
  identity(settings: ControllerSettings, httpsTls?: TlsChoice): ControllerIdentity;
  /** What this controller in particular cannot do with these props (beyond controllerBaseProblems); empty when it can. */
  problems(props: ControllerProps): FieldProblem[];
  /** Creates the controller for one cluster; refuses (ConfigError) what `problems` and controllerBaseProblems report. */
  create(scope: Construct, id: string, props: ControllerProps): Controller;
}

/**
 * What no controller can do, whatever its kind: fewer than two data-plane replicas, or PROXY
 * protocol behind Google's load balancer (which never sends the header). Environments get these
 * rules from the schema and the plan; every controller construct checks them too, for code that
 * builds one directly. A plug-in's `problems` reports only what is particular to it.
 */
export function controllerBaseProblems(props: ControllerProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const replicas = props.settings.replicas;
  const { min, max } = CONTROLLER_LIMITS.replicas;
  if (!(Number.isInteger(replicas) && replicas >= min && replicas <= max))
    problems.push({ path: "controller.replicas", value: replicas, message: `must be a whole number from ${min} to ${max} (one replica means an outage on every node drain)` });
  if (props.exposure === "gke-neg" && props.contract.proxyProtocol)
    problems.push({ path: "ports.proxyProtocol", value: true, message: "must be false behind NEGs: Google's Application Load Balancer never sends PROXY headers, so the controller would reject every request" });
  return problems;
}

/** The `cloud.google.com/neg` annotation: Service port → NEG name, for each NEG entry point. */
export function negAnnotation(contract: PortContract): string {
  const exposed: Record<string, { name: string }> = {};
  for (const e of negEntryPoints(contract)) exposed[String(e.servicePort)] = { name: e.negName };
  return JSON.stringify({ exposed_ports: exposed });
}
