/**
 * The GCP stacks of an environment, in apply order, wiring only (each takes its part of the plan):
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
import { AuthorizationRecords } from "../aws/authorization-records";
import { HostedZone } from "../aws/route53";
import { CertMap } from "../gcp/cert-map";
import { FrontEndFirewall } from "../gcp/firewall";
import { GlobalFrontends } from "../gcp/frontends";
import { NegBackends } from "../gcp/neg-backends";
import { ClusterAccess } from "../k8s/cluster-access";
import type { Controller } from "../k8s/controllers/plugin";
import { GatewayApiCrds } from "../k8s/gateway-api";
import { Routes } from "../k8s/route-objects";
import { IAP_SECRET_VARIABLE, type GcpAddressPlan, type GcpEdgePlan, type GcpStackSettings, type GkeClusterPlan } from "../plan";
import { awsProvider } from "./aws";
import { configureState } from "./state";

/** GCP labels from tags (rules.ts, where the plan checks that no two tags become one label). */
export { gcpLabels } from "../core/rules";

/** A GCP stack's provider (the env's project, its labels on everything) and state backend. */
function gcpStackBase(stack: TerraformStack, id: string, settings: GcpStackSettings): GoogleProvider {
  const provider = new GoogleProvider(stack, "google", { project: settings.project });
  // cdktf snake-cases every key under a provider block except `tags`, map keys included, so
  // `defaultLabels: {"cost-center": ...}` would come out as `cost_center`. Overrides are merged
  // after that step and keep the keys as written.
  provider.addOverride("default_labels", { ...settings.labels });
  configureState(stack, id, settings.state);
  return provider;
}

export class GcpAddressStack extends TerraformStack {
  public readonly addresses: GlobalAddresses;

  constructor(scope: Construct, id: string, plan: GcpAddressPlan) {
    super(scope, id);
    gcpStackBase(this, id, plan.settings);
    this.addresses = new GlobalAddresses(this, "address", plan.addresses);
    const v4 = this.addresses.addresses.v4;
    if (v4) new TerraformOutput(this, "global_ip", { value: v4.address, description: "The global IPv4 address the hostnames resolve to." });
    const v6 = this.addresses.addresses.v6;
    if (v6) new TerraformOutput(this, "global_ipv6", { value: v6.address });
  }
}

export interface GkeClusterStackProps {
  readonly plan: GkeClusterPlan;
  readonly addressStack: GcpAddressStack;
}

export class GkeClusterStack extends TerraformStack {
  public readonly cluster: GkeClusterPlan;
  public readonly controller: Controller;
  public readonly routes?: Routes;

  constructor(scope: Construct, id: string, props: GkeClusterStackProps) {
    super(scope, id);
    const plan = props.plan;
    this.cluster = plan;
    gcpStackBase(this, id, plan.settings);
    this.addDependency(props.addressStack);
    const access = new ClusterAccess(this, "cluster", plan.access);
    const gke = access.gke;
    if (!gke) throw new Error(`${id}: GKE access without a cluster lookup`);
    // Before the controller, which only asks for the CRDs: whether they are installed is the
    // environment's choice, checked against GKE's own Gateway API setting and the master version.
    GatewayApiCrds.configure(this, {
      source: plan.gatewayApiCrds,
      channel: plan.gatewayApiChannel,
      cluster: {
        description: access.description,
        kubernetesVersion: gke.masterVersion,
        gke: { name: plan.access.clusterName, location: plan.access.location, project: plan.access.project, gatewayApiChannel: gke.gatewayApiConfig.get(0).channel },
      },
    });
    const lb = new GlobalAddressLookup(this, "lb-address", plan.addresses);
    const controller = plan.controller;
    this.controller = controller.plugin.create(this, controller.plugin.kind, {
      contract: plan.contract,
      exposure: plan.exposure,
      settings: controller.settings,
      loadBalancerAddresses: Object.values(lb.addresses).map((a) => a.address),
    });
    if (plan.routes) this.routes = new Routes(this, "routes", { ...plan.routes, dependsOn: this.controller.dependables });
  }
}

export interface GcpEdgeStackProps {
  readonly plan: GcpEdgePlan;
  readonly addressStack: GcpAddressStack;
  readonly clusterStacks: readonly GkeClusterStack[];
}

export class GcpEdgeStack extends TerraformStack {
  public readonly addresses: GlobalAddressLookup;
  public readonly records?: AddressRecords;
  /** Google's DNS authorizations in Route 53, when the hostnames' zone is there. */
  public readonly authorizationRecords?: AuthorizationRecords;
  public readonly certMap: CertMap;
  public readonly backends: NegBackends;
  public readonly frontends: GlobalFrontends;
  public readonly firewall: FrontEndFirewall;

  constructor(scope: Construct, id: string, props: GcpEdgeStackProps) {
    super(scope, id);
    const plan = props.plan;
    gcpStackBase(this, id, plan.settings);
    this.addDependency(props.addressStack);
    for (const s of props.clusterStacks) this.addDependency(s);

    this.addresses = new GlobalAddressLookup(this, "address", plan.addresses);
    const v4 = this.addresses.addresses.v4?.address ?? "";
    const v6 = this.addresses.addresses.v6?.address;
    if (plan.records) this.records = new AddressRecords(this, "dns", { ...plan.records, addresses: { v4, v6 } });
    this.certMap = new CertMap(this, "certs", plan.certMap);
    if (plan.route53) {
      awsProvider(this, plan.route53.settings);
      const zone = new HostedZone(this, "route53-zone", { zone: plan.route53.zone });
      this.authorizationRecords = new AuthorizationRecords(this, "route53-auth", { zoneId: zone.zoneId, records: this.certMap.authorizationRecords });
    }
    // The IAP OAuth client secret never appears in the environment or this JSON: a sensitive
    // variable, set as TF_VAR_iap_oauth2_client_secret or a workspace variable.
    const iap = plan.iap;
    const iapSecret =
      iap?.oauth2ClientId !== undefined
        ? new TerraformVariable(this, IAP_SECRET_VARIABLE, { type: "string", sensitive: true, nullable: false, description: `OAuth client secret of the IAP client ${iap.oauth2ClientId}` })
        : undefined;
    this.backends = new NegBackends(this, "backends", { ...plan.backends, iap: iap ? { oauth2ClientId: iap.oauth2ClientId, oauth2ClientSecret: iapSecret?.stringValue } : undefined });
    const addresses = [{ key: "v4", address: v4 }];
    if (v6 !== undefined) addresses.push({ key: "v6", address: v6 });
    this.frontends = new GlobalFrontends(this, "frontends", { ...plan.frontends, addresses, certificateMap: this.certMap.mapReference, backends: this.backends.services });
    this.firewall = new FrontEndFirewall(this, "firewall", plan.firewall);

    new TerraformOutput(this, "dns_authorization_records", {
      value: Object.values(this.certMap.authorizations).map((a) => ({ name: a.dnsResourceRecord.get(0).name, type: a.dnsResourceRecord.get(0).type, data: a.dnsResourceRecord.get(0).data })),
      description: "CNAME records that prove domain control to Certificate Manager (written into the zone).",
    });
    new TerraformOutput(this, "url_map", { value: this.frontends.urlMap.id });
    new TerraformOutput(this, "certificate_map", { value: this.certMap.map.id });
  }
}
