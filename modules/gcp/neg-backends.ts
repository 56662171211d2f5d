/**
 * Backend services over the zonal NEGs that GKE creates from the controller Service's
 * `cloud.google.com/neg` annotation, looked up by name in every zone of every cluster.
 *
 * - HTTPS backend (Application LB): HTTPS to the controller's TLS port when the https entry
 *   point passes TLS through (Google's front end re-encrypts), HTTP to its plain port when TLS
 *   ends at the load balancer; `RATE` balancing with `max_rate_per_endpoint`;
 * - one backend per tcp entry point (proxy Network LB): TCP (the SSL proxy has already ended
 *   TLS, or the TCP proxy passes it through), `CONNECTION` balancing with
 *   `max_connections_per_endpoint`, the entry point's idle timeout as `timeout_sec`.
 * The provider's default balancing mode (UTILIZATION) is rejected for NEGs, so it is always set.
 * The HTTPS backend optionally carries custom request/response headers, a Cloud Armor backend
 * and edge policy, session affinity, outlier detection, Identity-Aware Proxy or Cloud CDN
 * (CACHE_ALL_STATIC); every backend drains removed endpoints for 60 s unless told otherwise.
 * Each cluster's `capacity` becomes its backends' `capacity_scaler`: 0 drains a cluster while
 * the global IP stays put (node upgrades, failover).
 *
 * The NEG data sources fail at plan time until the controller Service exists and GKE has made
 * the NEGs: the stack holding this construct depends on the cluster stacks. GKE makes a NEG only
 * in the zones the cluster has nodes in, so each lookup carries a precondition on the cluster's
 * node locations, and the cluster lookup a postcondition that every node zone is listed: a wrong
 * `zones` list fails the plan with a message saying which zone and what to change, instead of
 * "not found" (or, for a missing zone, silently sending that zone no traffic).
 */
import { Construct } from "constructs";
import { ComputeBackendService, type ComputeBackendServiceBackend, type ComputeBackendServiceConfig } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeHealthCheck } from "@cdktf/provider-google/lib/compute-health-check";
import { DataGoogleComputeNetworkEndpointGroup } from "@cdktf/provider-google/lib/data-google-compute-network-endpoint-group";
import { DataGoogleContainerCluster } from "@cdktf/provider-google/lib/data-google-container-cluster";
import { Fn, isToken } from "../core/cdktf";
import { negEntryPoints, type EntryPoint, type PortContract } from "../model/contract";
import { failIfAny, type FieldProblem } from "../core/errors";
import { gcpChildName } from "../core/naming";
import * as rules from "../core/rules";
import { DEFAULT_IDLE_TIMEOUT, GCP_BACKEND_DEFAULTS } from "../model/defaults";

export interface NegCluster {
  /** GKE cluster name. */
  readonly name: string;
  /** GKE cluster location: a region, or a zone for a zonal cluster. */
  readonly location: string;
  /** Zones the cluster has nodes in (GKE makes one NEG per node zone). */
  readonly zones: readonly string[];
  /** 0-1; 0 drains the cluster. */
  readonly capacity: number;
  /** The cluster's contract: its NEG names and ports. */
  readonly contract: PortContract;
}

export interface NegBackendsProps {
  readonly namePrefix: string;
  readonly project: string;
  readonly clusters: readonly NegCluster[];
  /** @default 100 */
  readonly maxRatePerEndpoint?: number;
  /** @default 100 */
  readonly maxConnectionsPerEndpoint?: number;
  /** HTTPS backend timeout, seconds (tcp entries use their idle timeout). @default 30 */
  readonly timeoutSec?: number;
  /** Share of requests logged. @default 0.1 */
  readonly logSampleRate?: number;
  /** Cloud Armor policy on the HTTPS backend. */
  readonly securityPolicy?: string;
  /** Cloud Armor edge security policy on the HTTPS backend (at Google's edge, before Cloud CDN). */
  readonly edgeSecurityPolicy?: string;
  /** Seconds a removed backend keeps its connections, on every backend (0-3600). @default 60 */
  readonly connectionDrainingTimeoutSec?: number;
  /** Headers added to requests to the HTTPS backend, `Name:value`. @default none */
  readonly customRequestHeaders?: readonly string[];
  /** Headers added to responses of the HTTPS backend, `Name:value`. @default none */
  readonly customResponseHeaders?: readonly string[];
  /** @default none (Google's NONE) */
  readonly sessionAffinity?: "NONE" | "CLIENT_IP" | "GENERATED_COOKIE";
  /** GENERATED_COOKIE lifetime, seconds (0-86400). */
  readonly affinityCookieTtlSec?: number;
  /** Eject failing pods from the HTTPS backend for a while; Google's default per unset field. @default off */
  readonly outlierDetection?: { readonly consecutiveErrors?: number; readonly intervalSec?: number; readonly baseEjectionTimeSec?: number; readonly maxEjectionPercent?: number };
  /**
   * Identity-Aware Proxy on the HTTPS backend. Without a client id Google's managed OAuth client
   * is used; with one, the secret must be a Terraform reference (a sensitive variable), never a
   * literal. Not with `cdn`. @default off
   */
  readonly iap?: { readonly oauth2ClientId?: string; readonly oauth2ClientSecret?: string };
  /** Cloud CDN on the HTTPS backend, caching static content. Not with `iap`. @default off */
  readonly cdn?: { readonly cacheMode?: "CACHE_ALL_STATIC"; readonly defaultTtl?: number; readonly maxTtl?: number; readonly clientTtl?: number };
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function negBackendsProblems(props: NegBackendsProps): FieldProblem[] {
  const first = props.clusters[0];
  const problems: FieldProblem[] = [];
  if (!first) problems.push({ path: "clusters", value: [], message: "at least one cluster is needed behind the load balancer" });
  const names = new Map<string, string>();
  for (const c of props.clusters) {
    for (const e of negEntryPoints(c.contract)) {
      for (const z of c.zones) {
        const other = names.get(`${z}/${e.negName}`);
        if (other) problems.push({ path: `clusters.${c.name}`, value: e.negName, message: `NEG name is also used by ${other} in ${z}; NEG names must be unique per project and zone` });
        names.set(`${z}/${e.negName}`, `${c.name}/${e.name}`);
      }
    }
    if (first && JSON.stringify(c.contract.targets("pod").map((t) => [t.entry.name, t.trafficPort])) !== JSON.stringify(first.contract.targets("pod").map((t) => [t.entry.name, t.trafficPort])))
      problems.push({ path: `clusters.${c.name}`, value: c.name, message: `exposes other ports than ${first.name}; every cluster behind one load balancer must serve the same entry points` });
  }
  for (const p of rules.gcpBackendProblems(props)) problems.push({ path: p.field, value: p.value, message: p.message });
  const iap = props.iap;
  if (iap && (iap.oauth2ClientId === undefined) !== (iap.oauth2ClientSecret === undefined))
    problems.push({ path: "iap", value: iap.oauth2ClientId, message: "give both oauth2ClientId and oauth2ClientSecret, or neither (Google's managed OAuth client)" });
  if (iap?.oauth2ClientSecret !== undefined && !isToken(iap.oauth2ClientSecret))
    problems.push({ path: "iap.oauth2ClientSecret", value: "(hidden)", message: "must be a Terraform reference such as a sensitive variable, never a literal: a literal ends up in the synthesized JSON" });
  return problems;
}

export class NegBackends extends Construct {
  public readonly healthCheck: ComputeHealthCheck;
  /** Backend service per NEG entry point name ("https" and each tcp entry). */
  public readonly services: Readonly<Record<string, ComputeBackendService>>;
  /** NEG lookups keyed `<cluster>/<entry>/<zone>`. */
  public readonly negs: Readonly<Record<string, DataGoogleComputeNetworkEndpointGroup>>;
  /** Cluster lookups (node locations), keyed by cluster name. */
  public readonly clusters: Readonly<Record<string, DataGoogleContainerCluster>>;

  constructor(scope: Construct, id: string, props: NegBackendsProps) {
    super(scope, id);
    failIfAny(this.node.path, negBackendsProblems(props));
    const first = props.clusters[0];
    const contract = (first as NegCluster).contract;

    // The controller's own health endpoint, probed on each pod (NEG endpoints are pods).
    this.healthCheck = new ComputeHealthCheck(this, "health", {
      name: gcpChildName(props.namePrefix, ["healthz"]),
      checkIntervalSec: 5,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port: contract.health.podPort, requestPath: contract.health.path },
      logConfig: { enable: true },
    });

    const clusters: Record<string, DataGoogleContainerCluster> = {};
    for (const c of props.clusters) {
      // A zonal cluster's node_locations leaves out the cluster's own zone.
      const own = /-[a-z]$/.test(c.location) ? [c.location] : [];
      const listed = JSON.stringify([...c.zones]);
      clusters[c.name] = new DataGoogleContainerCluster(this, `cluster-${c.name}`, {
        name: c.name,
        location: c.location,
        project: props.project,
        lifecycle: {
          postcondition: [
            {
              condition: `\${alltrue([for z in setunion(self.node_locations, ${JSON.stringify(own)}) : contains(${listed}, z)])}`,
              errorMessage: `GKE cluster ${c.name} has nodes in a zone that gcp.clusters[name=${c.name}].zones (${c.zones.join(", ")}) does not list; GKE makes a NEG there that the load balancer would never use. List every node zone.`,
            },
          ],
        },
      });
    }
    const zoneCheck = (c: NegCluster, zone: string) => {
      const own = /-[a-z]$/.test(c.location) ? [c.location] : [];
      const locations = Fn.concat([(clusters[c.name] as DataGoogleContainerCluster).nodeLocations, own]);
      return {
        precondition: [
          {
            condition: Fn.contains(locations, zone),
            errorMessage: `Zone ${zone} in gcp.clusters[name=${c.name}].zones has no nodes of GKE cluster ${c.name}, so GKE made no NEG there; remove it from the list (or add nodes in it).`,
          },
        ],
      };
    };

    const negs: Record<string, DataGoogleComputeNetworkEndpointGroup> = {};
    const backendsFor = (entry: EntryPoint, mode: (capacity: number) => Omit<ComputeBackendServiceBackend, "group">): ComputeBackendServiceBackend[] =>
      props.clusters.flatMap((c) =>
        c.zones.map((zone) => {
          const negName = c.contract.entry(entry.name).negName;
          const neg = new DataGoogleComputeNetworkEndpointGroup(this, negLookupId(c.name, entry.name, zone), { name: negName, zone, project: props.project, lifecycle: zoneCheck(c, zone) });
          negs[`${c.name}/${entry.name}/${zone}`] = neg;
          // `group` must be the fully-qualified URL: the NEG's self link.
          return { group: neg.selfLink, ...mode(c.capacity) };
        }),
      );

    const services: Record<string, ComputeBackendService> = {};
    const log = { enable: true, sampleRate: props.logSampleRate ?? GCP_BACKEND_DEFAULTS.logSampleRate };
    for (const entry of negEntryPoints(contract)) {
      const isHttps = entry.kind === "https";
      services[entry.name] = new ComputeBackendService(this, `backend-${entry.name}`, {
        name: gcpChildName(props.namePrefix, [entry.name]),
        loadBalancingScheme: "EXTERNAL_MANAGED",
        protocol: backendProtocol(entry),
        healthChecks: [this.healthCheck.id],
        // For the proxy Network LB this is the idle timeout of a connection.
        timeoutSec: isHttps ? (props.timeoutSec ?? GCP_BACKEND_DEFAULTS.timeoutSec) : (entry.idleTimeout ?? DEFAULT_IDLE_TIMEOUT),
        connectionDrainingTimeoutSec: props.connectionDrainingTimeoutSec ?? GCP_BACKEND_DEFAULTS.connectionDrainingTimeoutSec,
        logConfig: log,
        securityPolicy: isHttps ? props.securityPolicy : undefined,
        ...(isHttps ? httpsOptions(props) : {}),
        backend: backendsFor(entry, (capacity) =>
          isHttps
            ? { balancingMode: "RATE", maxRatePerEndpoint: props.maxRatePerEndpoint ?? GCP_BACKEND_DEFAULTS.maxRatePerEndpoint, capacityScaler: capacity }
            : { balancingMode: "CONNECTION", maxConnectionsPerEndpoint: props.maxConnectionsPerEndpoint ?? GCP_BACKEND_DEFAULTS.maxConnectionsPerEndpoint, capacityScaler: capacity },
        ),
      });
    }
    this.services = services;
    this.negs = negs;
    this.clusters = clusters;
  }
}

/**
 * The construct id of one NEG lookup, `neg-<cluster>-<entry>-<zone>`. Cluster and entry names both
 * hold hyphens, so cluster `a` with entry `b-mqtt` and cluster `a-b` with entry `mqtt` would meet in
 * one id; the entry's hyphens are doubled instead. That is injective: a zone is always
 * `<region>-<letter>` (two hyphens), names never hold `--` and always start with a letter, so
 * reading from the right the zone ends where its two hyphens do, the entry at the first single
 * hyphen, and the cluster is the rest. Entry names without a hyphen (http, https, most tcp
 * entries) keep the ids they always had.
 */
export function negLookupId(cluster: string, entry: string, zone: string): string {
  return `neg-${cluster}-${entry.replace(/-/g, "--")}-${zone}`;
}

/** What Google's front end speaks to the controller for an entry point. */
export function backendProtocol(entry: EntryPoint): "HTTPS" | "HTTP" | "TCP" {
  if (entry.kind !== "https") return "TCP";
  return entry.tls === "terminate" ? "HTTP" : "HTTPS";
}

/** The HTTPS backend's optional features, as backend service arguments (absent when unset). */
function httpsOptions(props: NegBackendsProps): Partial<ComputeBackendServiceConfig> {
  const od = props.outlierDetection;
  const seconds = (v: number | undefined) => (v === undefined ? undefined : { seconds: v });
  const headers = (h: readonly string[] | undefined) => (h && h.length ? [...h] : undefined);
  return {
    edgeSecurityPolicy: props.edgeSecurityPolicy,
    customRequestHeaders: headers(props.customRequestHeaders),
    customResponseHeaders: headers(props.customResponseHeaders),
    sessionAffinity: props.sessionAffinity,
    affinityCookieTtlSec: props.affinityCookieTtlSec,
    outlierDetection: od
      ? { consecutiveErrors: od.consecutiveErrors, interval: seconds(od.intervalSec), baseEjectionTime: seconds(od.baseEjectionTimeSec), maxEjectionPercent: od.maxEjectionPercent }
      : undefined,
    iap: props.iap ? { enabled: true, oauth2ClientId: props.iap.oauth2ClientId, oauth2ClientSecret: props.iap.oauth2ClientSecret } : undefined,
    enableCdn: props.cdn ? true : undefined,
    cdnPolicy: props.cdn ? { cacheMode: props.cdn.cacheMode ?? GCP_BACKEND_DEFAULTS.cdnCacheMode, defaultTtl: props.cdn.defaultTtl, maxTtl: props.cdn.maxTtl, clientTtl: props.cdn.clientTtl } : undefined,
  };
}
