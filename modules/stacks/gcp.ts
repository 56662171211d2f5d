/**
 * The GCP stacks of an environment, in apply order:
 * - `<env>-gcp-address`: the global IP address(es). Reserved first, because both stacks below
 *   read them: the controllers trust the address in X-Forwarded-For, the edge listens on it;
 * - `<env>-gcp-cluster-<cluster>` per GKE cluster: the controller release, ClusterIP Service
 *   annotated for standalone NEGs (GKE creates the NEGs from it);
 * - `<env>-gcp-edge`: DNS, certificate map, frontends, NEG backends and firewall. It looks the
 *   NEGs up by name, which fails until they exist, so it depends on every cluster stack (cdktf
 *   deploy and run triggers follow the dependencies).
 */
import type { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { TerraformOutput, TerraformStack } from "../core/cdktf";
import { AddressRecords, GlobalAddresses, GlobalAddressLookup } from "../gcp/address-dns";
import { CertMap } from "../gcp/cert-map";
import { FrontEndFirewall } from "../gcp/firewall";
import { GlobalFrontends } from "../gcp/frontends";
import { NegBackends } from "../gcp/neg-backends";
import { ClusterAccess } from "../k8s/cluster-access";
import type { Controller } from "../k8s/controllers/plugin";
import { GatewayApiCrds } from "../k8s/gateway-api";
import { Routes } from "../k8s/route-objects";
import { routesProps } from "./routes";
import { gcpChildName } from "../core/naming";
import { gatehouseGcpLabels, IAP_SECRET_VARIABLE, type EnvPlan, type GcpPlan, type GkePlan } from "../plan";
import { gcpLabels } from "../core/rules";
import { configureState } from "./state";

/** GCP labels from tags (rules.ts, where the plan checks that no two tags become one label). */
export { gcpLabels } from "../core/rules";

function googleProvider(stack: Construct, plan: EnvPlan, gcp: GcpPlan): GoogleProvider {
  const env = plan.env;
  const provider = new GoogleProvider(stack, "google", { project: gcp.gcp.project });
  // cdktf snake-cases every key under a provider block except `tags`, map keys included, so
  // `defaultLabels: {"cost-center": ...}` would come out as `cost_center`. Overrides are merged
  // after that step and keep the keys as written.
  provider.addOverride("default_labels", gcpLabels({ ...env.tags, ...gatehouseGcpLabels(env.name) }));
  return provider;
}

export interface GcpStackProps {
  readonly plan: EnvPlan;
  readonly gcp: GcpPlan;
}

export class GcpAddressStack extends TerraformStack {
  public readonly addresses: GlobalAddresses;

  constructor(scope: Construct, id: string, props: GcpStackProps) {
    super(scope, id);
    googleProvider(this, props.plan, props.gcp);
    configureState(this, id, props.plan.env.state);
    this.addresses = new GlobalAddresses(this, "address", props.gcp.address);
    const v4 = this.addresses.addresses.v4;
    if (v4) new TerraformOutput(this, "global_ip", { value: v4.address, description: "The global IPv4 address the hostnames resolve to." });
    const v6 = this.addresses.addresses.v6;
    if (v6) new TerraformOutput(this, "global_ipv6", { value: v6.address });
  }
}

export interface GkeClusterStackProps extends GcpStackProps {
  readonly cluster: GkePlan;
  readonly addressStack: GcpAddressStack;
}

export class GkeClusterStack extends TerraformStack {
  public readonly cluster: GkePlan;
  public readonly controller: Controller;
  public readonly routes?: Routes;

  constructor(scope: Construct, id: string, props: GkeClusterStackProps) {
    super(scope, id);
    const { cluster } = props;
    this.cluster = cluster;
    googleProvider(this, props.plan, props.gcp);
    configureState(this, id, props.plan.env.state);
    this.addDependency(props.addressStack);
    const access = new ClusterAccess(this, "cluster", { type: "gke", clusterName: cluster.name, location: cluster.gke.location, project: props.gcp.gcp.project });
    const gke = access.gke;
    if (!gke) throw new Error(`${id}: GKE access without a cluster lookup`);
    // Before the controller, which only asks for the CRDs: whether they are installed is the
    // environment's choice, checked against GKE's own Gateway API setting and the master version.
    GatewayApiCrds.configure(this, {
      source: props.plan.env.controller.gatewayApiCrds,
      cluster: {
        description: access.description,
        kubernetesVersion: gke.masterVersion,
        gke: { name: cluster.name, location: cluster.gke.location, project: props.gcp.gcp.project, gatewayApiChannel: gke.gatewayApiConfig.get(0).channel },
      },
    });
    const lb = new GlobalAddressLookup(this, "lb-address", props.gcp.address);
    const controller = cluster.controller;
    this.controller = controller.plugin.create(this, controller.plugin.kind, {
      contract: cluster.contract,
      exposure: cluster.exposure,
      settings: controller.settings,
      loadBalancerAddresses: Object.values(lb.addresses).map((a) => a.address),
    });
    if (props.plan.routes.length) this.routes = new Routes(this, "routes", routesProps(props.plan, cluster, this.controller.dependables));
  }
}

export interface GcpEdgeStackProps extends GcpStackProps {
  readonly addressStack: GcpAddressStack;
  readonly clusterStacks: readonly GkeClusterStack[];
}

export class GcpEdgeStack extends TerraformStack {
  public readonly addresses: GlobalAddressLookup;
  public readonly records: AddressRecords;
  public readonly certMap: CertMap;
  public readonly backends: NegBackends;
  public readonly frontends: GlobalFrontends;
  public readonly firewall: FrontEndFirewall;

  constructor(scope: Construct, id: string, props: GcpEdgeStackProps) {
    super(scope, id);
    const gcp = props.gcp.gcp;
    googleProvider(this, props.plan, props.gcp);
    configureState(this, id, props.plan.env.state);
    this.addDependency(props.addressStack);
    for (const s of props.clusterStacks) this.addDependency(s);
    const first = props.gcp.clusters[0];
    if (!first) throw new Error(`${id}: a GCP edge needs at least one cluster`);
    const prefix = props.gcp.prefix;

    this.addresses = new GlobalAddressLookup(this, "address", props.gcp.address);
    const v4 = this.addresses.addresses.v4?.address ?? "";
    const v6 = this.addresses.addresses.v6?.address;
    this.records = new AddressRecords(this, "dns", { zone: gcp.dns.zone, hostnames: gcp.hostnames, addresses: { v4, v6 } });
    this.certMap = new CertMap(this, "certs", { namePrefix: prefix, hostnames: gcp.hostnames, zone: gcp.dns.zone });
    // The IAP OAuth client secret never appears in the environment or this JSON: a sensitive
    // variable, set as TF_VAR_iap_oauth2_client_secret or a workspace variable.
    const iap = gcp.backends.iap;
    const iapSecret =
      iap?.oauth2ClientId !== undefined
        ? new TerraformVariable(this, IAP_SECRET_VARIABLE, { type: "string", sensitive: true, nullable: false, description: `OAuth client secret of the IAP client ${iap.oauth2ClientId}` })
        : undefined;
    this.backends = new NegBackends(this, "backends", {
      namePrefix: prefix,
      project: gcp.project,
      clusters: props.gcp.clusters.map((c) => ({ name: c.name, location: c.gke.location, zones: c.gke.zones, capacity: c.gke.capacity, contract: c.contract })),
      maxRatePerEndpoint: gcp.backends.maxRatePerEndpoint,
      maxConnectionsPerEndpoint: gcp.backends.maxConnectionsPerEndpoint,
      timeoutSec: gcp.backends.timeoutSec,
      logSampleRate: gcp.backends.logSampleRate,
      securityPolicy: gcp.backends.securityPolicy,
      edgeSecurityPolicy: gcp.backends.edgeSecurityPolicy,
      connectionDrainingTimeoutSec: gcp.backends.connectionDrainingTimeoutSec,
      customRequestHeaders: gcp.backends.customRequestHeaders,
      customResponseHeaders: gcp.backends.customResponseHeaders,
      sessionAffinity: gcp.backends.sessionAffinity,
      affinityCookieTtlSec: gcp.backends.affinityCookieTtlSec,
      outlierDetection: gcp.backends.outlierDetection,
      iap: iap ? { oauth2ClientId: iap.oauth2ClientId, oauth2ClientSecret: iapSecret?.stringValue } : undefined,
      cdn: gcp.backends.cdn,
    });
    const addresses = [{ key: "v4", address: v4 }];
    if (v6 !== undefined) addresses.push({ key: "v6", address: v6 });
    this.frontends = new GlobalFrontends(this, "frontends", {
      namePrefix: prefix,
      contract: first.contract,
      addresses,
      certificateMap: this.certMap.mapReference,
      backends: this.backends.services,
      sslPolicy: gcp.sslPolicy,
    });
    this.firewall = new FrontEndFirewall(this, "firewall", {
      name: gcpChildName(prefix, ["allow-gfe"]),
      network: gcp.network,
      project: gcp.project,
      contract: first.contract,
      targets: gcp.nodeTargets.serviceAccounts ? { serviceAccounts: gcp.nodeTargets.serviceAccounts } : { tags: gcp.nodeTargets.tags ?? [] },
    });

    new TerraformOutput(this, "dns_authorization_records", {
      value: Object.values(this.certMap.authorizations).map((a) => ({ name: a.dnsResourceRecord.get(0).name, type: a.dnsResourceRecord.get(0).type, data: a.dnsResourceRecord.get(0).data })),
      description: "CNAME records that prove domain control to Certificate Manager (written into the zone).",
    });
    new TerraformOutput(this, "url_map", { value: this.frontends.urlMap.id });
    new TerraformOutput(this, "certificate_map", { value: this.certMap.map.id });
  }
}
