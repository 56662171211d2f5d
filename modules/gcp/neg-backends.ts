/**
 * Backend services over the zonal NEGs that GKE creates from the controller Service's
 * `cloud.google.com/neg` annotation, looked up by name in every zone of every cluster.
 *
 * - HTTPS backend (Application LB): protocol HTTPS to the controller's https pod port,
 *   `RATE` balancing with `max_rate_per_endpoint`;
 * - one backend per tcp entry point (proxy Network LB): TCP or SSL, `CONNECTION` balancing
 *   with `max_connections_per_endpoint`.
 * The provider's default balancing mode (UTILIZATION) is rejected for NEGs, so it is always set.
 * Each cluster's `capacity` becomes its backends' `capacity_scaler`: 0 drains a cluster while
 * the global IP stays put (node upgrades, failover).
 *
 * The NEG data sources fail at plan time until the controller Service exists and GKE has made
 * the NEGs: the stack holding this construct depends on the cluster stacks.
 */
import { Construct } from "constructs";
import { ComputeBackendService, type ComputeBackendServiceBackend } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeHealthCheck } from "@cdktf/provider-google/lib/compute-health-check";
import { DataGoogleComputeNetworkEndpointGroup } from "@cdktf/provider-google/lib/data-google-compute-network-endpoint-group";
import { negEntryPoints, type EntryPoint, type PortContract } from "../contract";
import { failIfAny } from "../errors";
import { gcpName } from "../naming";

export interface NegCluster {
  readonly name: string;
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
  /** Protocol from the front end to the controller per tcp entry point. @default "TCP" */
  readonly tcpProtocols?: Readonly<Record<string, "TCP" | "SSL">>;
  /** @default 100 */
  readonly maxRatePerEndpoint?: number;
  /** @default 100 */
  readonly maxConnectionsPerEndpoint?: number;
  /** Backend timeout (HTTPS) / idle timeout (proxy LB), seconds. @default 30 */
  readonly timeoutSec?: number;
  /** @default 1 */
  readonly logSampleRate?: number;
  /** Cloud Armor policy on the HTTPS backend. */
  readonly securityPolicy?: string;
}

export class NegBackends extends Construct {
  public readonly healthCheck: ComputeHealthCheck;
  /** Backend service per NEG entry point name ("https" and each tcp entry). */
  public readonly services: Readonly<Record<string, ComputeBackendService>>;
  /** NEG lookups keyed `<cluster>/<entry>/<zone>`. */
  public readonly negs: Readonly<Record<string, DataGoogleComputeNetworkEndpointGroup>>;

  constructor(scope: Construct, id: string, props: NegBackendsProps) {
    super(scope, id);
    const first = props.clusters[0];
    const problems = [];
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
    failIfAny(this.node.path, problems);
    const contract = (first as NegCluster).contract;

    // The controller's own health endpoint, probed on each pod (NEG endpoints are pods).
    this.healthCheck = new ComputeHealthCheck(this, "health", {
      name: gcpName([props.namePrefix, "healthz"]),
      checkIntervalSec: 5,
      timeoutSec: 5,
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port: contract.health.podPort, requestPath: contract.health.path },
      logConfig: { enable: true },
    });

    const negs: Record<string, DataGoogleComputeNetworkEndpointGroup> = {};
    const backendsFor = (entry: EntryPoint, mode: (capacity: number) => Omit<ComputeBackendServiceBackend, "group">): ComputeBackendServiceBackend[] =>
      props.clusters.flatMap((c) =>
        c.zones.map((zone) => {
          const negName = c.contract.entry(entry.name).negName;
          const neg = new DataGoogleComputeNetworkEndpointGroup(this, `neg-${c.name}-${entry.name}-${zone}`, { name: negName, zone, project: props.project });
          negs[`${c.name}/${entry.name}/${zone}`] = neg;
          // `group` must be the fully-qualified URL: the NEG's self link.
          return { group: neg.selfLink, ...mode(c.capacity) };
        }),
      );

    const services: Record<string, ComputeBackendService> = {};
    const log = { enable: true, sampleRate: props.logSampleRate ?? 1 };
    for (const entry of negEntryPoints(contract)) {
      const isHttps = entry.kind === "https";
      services[entry.name] = new ComputeBackendService(this, `backend-${entry.name}`, {
        name: gcpName([props.namePrefix, entry.name]),
        loadBalancingScheme: "EXTERNAL_MANAGED",
        protocol: isHttps ? "HTTPS" : (props.tcpProtocols?.[entry.name] ?? "TCP"),
        healthChecks: [this.healthCheck.id],
        timeoutSec: props.timeoutSec ?? 30,
        connectionDrainingTimeoutSec: 60,
        logConfig: log,
        securityPolicy: isHttps ? props.securityPolicy : undefined,
        backend: backendsFor(entry, (capacity) =>
          isHttps
            ? { balancingMode: "RATE", maxRatePerEndpoint: props.maxRatePerEndpoint ?? 100, capacityScaler: capacity }
            : { balancingMode: "CONNECTION", maxConnectionsPerEndpoint: props.maxConnectionsPerEndpoint ?? 100, capacityScaler: capacity },
        ),
      });
    }
    this.services = services;
    this.negs = negs;
  }
}
