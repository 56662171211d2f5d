/**
 * The Kubernetes Gateway API for any controller that implements it (NGINX Gateway Fabric, Istio,
 * the AWS Gateway API controller):
 * - `GatewayApiCrds`: the CRDs of one release channel, one per stack whoever asks for it: a
 *   `helm_release` of the chart shipped with gatehouse (modules/k8s/charts/gateway-api-crds), or,
 *   where the cluster provides them (GKE, EKS Auto Mode, another installation), only plan-time
 *   checks that they are there and new enough;
 * - `kubernetesVersionCheck`: the plan-time check that a cluster runs the Kubernetes these CRDs
 *   need, one function for every stack and controller that checks it;
 * - `contractGateway`: the Gateway for a port contract (a listener per entry point) and, when TLS
 *   ends at the load balancer, the HTTPRoute that answers plain-HTTP clients with 308 to https;
 * - `gatewayEntryProblems`: what a Gateway API controller cannot do with a contract.
 *
 * Gateway API v1.5.1 (released 2026-03-14): the version NGINX Gateway Fabric 2.6.x builds and
 * tests against (its go.mod and config/crd/gateway-api/standard at v2.6.7). v1.6 exists
 * (2026-06-29), but a cluster holds one set of these CRDs, so they follow the oldest controller
 * gatehouse ships that needs them. TCPRoute is experimental-channel only; TLSRoute is standard
 * since v1.5 but routes by SNI hostname (at least one required). The v1.5 CRDs validate with
 * CEL's `isIP` (TLSRoute), which Kubernetes has from 1.31: an older API server refuses them.
 *
 * The channel is the environment's choice too (`controller.gatewayApiChannel`): `standard`
 * (default) carries everything gatehouse renders but HTTPRoute's `retry` (GEP-1731), which v1.5.1
 * has in the experimental channel only (config/crd/experimental/gateway.networking.k8s.io_httproutes.yaml
 * at v1.5.1; the standard CRD's schema lacks it, so the API server prunes it). Istio 1.30.3 reads
 * it (pilot/pkg/config/kube/gateway/conversion.go; its go.mod pins sigs.k8s.io/gateway-api
 * v1.5.1). `experimental` is a superset of `standard`: the same CRDs with more fields and served
 * versions, plus TCPRoute, UDPRoute, XBackendTrafficPolicy and XMesh. Switching an installed
 * cluster either way is a reviewed step, never a side effect of a plan: towards experimental,
 * upstream's safe-upgrades admission policy refuses the apply until its binding is deleted; back
 * to standard, fields and versions in use would disappear. The plan fails with the steps instead
 * (the chart's README has them). The release gets a copy of the chart with the chosen channel's
 * files only: Helm keeps a chart whole, every file of it, in each release record, a Secret of at
 * most 1 MiB (the release as JSON with the files base64-encoded, gzipped, and base64-encoded
 * again: encodeRelease in pkg/storage/driver/util.go at helm v3.18.6). With both channels' files
 * that record comes to about 0.97 MB for a standard release and 1.02 MB for an experimental one;
 * with one channel's, to 0.54 MB and 0.69 MB.
 *
 * Who owns the CRDs is the environment's choice (`controller.gatewayApiCrds`), never inferred:
 * - `install` (default): gatehouse's release owns them. At plan time each CRD the chart ships for
 *   the channel is read (`data "kubernetes_resources"`, by name) and must be absent or carry the
 *   Helm ownership metadata of this release; one that belongs to anything else (GKE, EKS Auto Mode,
 *   `kubectl apply`, another chart) fails the plan with what to do, where Helm would fail the apply
 *   with "invalid ownership metadata". The release's own CRDs must be of the chosen channel, or the
 *   plan fails as said above (experimental over standard only while the safe-upgrades binding is
 *   there, read as well). On GKE the release also refuses a cluster whose Gateway API channel is
 *   on (GKE installs the CRDs and puts its own back over anyone else's), and the experimental
 *   channel where GKE's own standard-channel policy is bound. Every CRD is read, not
 *   one representative, so a partial installation by someone else is caught as well; the price is
 *   the CRDs (about 1 MB of schema, 1.3 MB in the experimental channel) in each plan and in the
 *   stack's state.
 * - `cluster-managed`: no release; each standard-channel CRD must be on the cluster at plan time,
 *   at Gateway API v1.5 or later (its `gateway.networking.k8s.io/bundle-version` annotation, the one
 *   NGINX Gateway Fabric itself checks), or the plan fails naming the fix. With `experimental`, the
 *   HTTPRoute CRD must be of that channel as well (its `gateway.networking.k8s.io/channel`
 *   annotation); GKE provides the standard channel only (its API deprecates CHANNEL_EXPERIMENTAL).
 * Why not install "only where the cluster does not manage them" with `count` from the GKE data
 * source: the address would stay put (the construct id does not change; Terraform moves the
 * instance to `[0]` by itself), but whether the release exists would follow a setting read at
 * plan time, so toggling GKE's Gateway API would
 * make a routine plan uninstall (or install over) the CRDs every Gateway and route of the cluster
 * lives in. That hand-over deserves a reviewed change of the environment, and EKS could not be
 * detected anyway (aws provider 6.25 exposes no setting for Auto Mode's Gateway API CRDs), so one
 * explicit choice, checked against the cluster at plan time, serves both clouds.
 */
import { Construct } from "constructs";
import { DataKubernetesResources } from "@cdktf/provider-kubernetes/lib/data-kubernetes-resources";
import { DataKubernetesServerVersion } from "@cdktf/provider-kubernetes/lib/data-kubernetes-server-version";
import { Release, type ReleaseConfig } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "../core/cdktf";
import { Fn, isToken, type TerraformAsset, TerraformStack, Token } from "../core/cdktf";
import type { EntryPoint, PortContract } from "../model/contract";
import { failIfAny, type FieldProblem } from "../core/errors";
import { kubernetesAtLeast, kubernetesMinimumPattern } from "../model/lattice";
import * as rules from "../core/rules";
import { GATEWAY_API_CHANNELS, GATEWAY_API_CRD_SOURCES, GATEWAY_API_CRDS_DEFAULTS, type GatewayApiChannel, type GatewayApiCrdSource } from "../model/defaults";

import { localChart } from "./local-chart";
import type { KubeManifest } from "./manifests";

const STANDARD_CRDS = [
  "backendtlspolicies.gateway.networking.k8s.io",
  "gatewayclasses.gateway.networking.k8s.io",
  "gateways.gateway.networking.k8s.io",
  "grpcroutes.gateway.networking.k8s.io",
  "httproutes.gateway.networking.k8s.io",
  "listenersets.gateway.networking.k8s.io",
  "referencegrants.gateway.networking.k8s.io",
  "tlsroutes.gateway.networking.k8s.io",
] as const;
const EXPERIMENTAL_ONLY_CRDS = [
  "tcproutes.gateway.networking.k8s.io",
  "udproutes.gateway.networking.k8s.io",
  "xbackendtrafficpolicies.gateway.networking.x-k8s.io",
  "xmeshes.gateway.networking.x-k8s.io",
] as const;

export const GATEWAY_API = {
  version: "v1.5.1",
  /** The default channel (`controller.gatewayApiChannel`), the one every controller gatehouse ships works with. */
  channel: GATEWAY_API_CRDS_DEFAULTS.channel,
  /** The shipped chart (its version is the Gateway API version). */
  chart: "gateway-api-crds",
  /** The CRDs of the chart's standard channel, by `metadata.name`: every channel has them. */
  crds: STANDARD_CRDS,
  /**
   * The CRDs of the chart's experimental channel (config/crd/experimental at v1.5.1): the standard
   * ones, TCPRoute and UDPRoute, and two kinds of the separate group gateway.networking.x-k8s.io.
   */
  experimentalCrds: [...STANDARD_CRDS, ...EXPERIMENTAL_ONLY_CRDS].sort(),
  /**
   * The oldest Gateway API whose CRDs gatehouse's controllers accept when the cluster provides
   * them: NGINX Gateway Fabric 2.6 and the AWS Gateway API controller v2.1 state v1.5.
   */
  minimum: "v1.5",
  /** What the v1.5 CRDs need: CEL `isIP` came with Kubernetes 1.31 (the chart's kubeVersion says the same). */
  minKubernetes: "1.31",
} as const;

/** The Gateway API group and the apiVersion gatehouse writes. */
export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const GATEWAY_API_VERSION = `${GATEWAY_API_GROUP}/v1`;

/** The CRDs the chart renders for a channel, by `metadata.name`. */
export function gatewayApiCrdNames(channel: GatewayApiChannel): readonly string[] {
  return channel === "experimental" ? GATEWAY_API.experimentalCrds : GATEWAY_API.crds;
}

/** The environment field that chooses the source, as plan-time messages name it. */
export const GATEWAY_API_CRDS_SETTING = "controller.gatewayApiCrds";
/** The environment field that chooses the channel, as plan-time messages name it. */
export const GATEWAY_API_CHANNEL_SETTING = "controller.gatewayApiChannel";

/** What Helm looks for on an existing object before it takes it into a release (pkg/action/validate.go checkOwnership). */
export const HELM_OWNERSHIP = {
  managedByLabel: "app.kubernetes.io/managed-by",
  managedBy: "Helm",
  releaseNameAnnotation: "meta.helm.sh/release-name",
  releaseNamespaceAnnotation: "meta.helm.sh/release-namespace",
} as const;

/**
 * The annotation upstream's CRDs carry their Gateway API version in, and what NGINX Gateway Fabric
 * reads to check the installed CRDs (BundleVersionAnnotation). A CRD without it is refused as of
 * unknown version.
 */
export const BUNDLE_VERSION_ANNOTATION = "gateway.networking.k8s.io/bundle-version";

/** The annotation upstream's CRDs carry their release channel in: "standard" or "experimental". */
export const CHANNEL_ANNOTATION = "gateway.networking.k8s.io/channel";

/**
 * Upstream's ValidatingAdmissionPolicy and its binding, in both channels' files
 * (gateway.networking.k8s.io_vap_safeupgrades.yaml at v1.5.1): for CRDs of group
 * gateway.networking.k8s.io, it refuses an update to a CRD that is not of the standard channel
 * unless the CRD it replaces carries `gateway.networking.k8s.io/channel: experimental` (so
 * experimental over standard, or over a CRD without the annotation), and any CRD older than v1.5.0.
 */
export const SAFE_UPGRADES_POLICY = "safe-upgrades.gateway.networking.k8s.io";

/** The HTTPRoute CRD: its experimental channel has `retry`, which the routes of an Istio environment use. */
const HTTPROUTES_CRD = "httproutes.gateway.networking.k8s.io";

/** GKE `gateway_api_config.channel` values with which GKE does not install the CRDs (none set: ""). */
export const GKE_GATEWAY_API_OFF = ["CHANNEL_DISABLED", "CHANNEL_UNSPECIFIED", ""] as const;

/** The cluster the CRDs go on, as far as the stack knows it: for the plan-time checks and their messages. */
export interface GatewayApiCluster {
  /** How messages name it: "EKS cluster prod-eks". @default "the cluster" */
  readonly description?: string;
  /**
   * Its Kubernetes version: a reference (`data.aws_eks_cluster.x.version`), checked at plan time,
   * or a literal, checked at synth. @default the API server's own (`data "kubernetes_server_version"`)
   */
  readonly kubernetesVersion?: string;
  /** A GKE cluster: its Gateway API channel (a reference to `gateway_api_config[0].channel`) and what the fix commands need. */
  readonly gke?: { readonly name: string; readonly location: string; readonly project: string; readonly gatewayApiChannel: string };
}

export interface GatewayApiCrdsProps {
  /** Who puts the CRDs on the cluster (see the file comment). @default "install" */
  readonly source?: GatewayApiCrdSource;
  /**
   * The release channel: the one the release installs (`install`), or the one the cluster's
   * HTTPRoute CRD must be of when it is `experimental` (`cluster-managed`). @default "standard"
   */
  readonly channel?: GatewayApiChannel;
  readonly cluster?: GatewayApiCluster;
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

/** A Terraform lifecycle condition: the condition expression and the message when it is false. */
export interface LifecycleCheck {
  readonly condition: string;
  readonly errorMessage: string;
}

/** What is wrong with these props; empty when nothing is. Paths are relative to the props. */
export function gatewayApiCrdsProblems(props: GatewayApiCrdsProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const source: string = props.source ?? GATEWAY_API_CRDS_DEFAULTS.source;
  if (!(GATEWAY_API_CRD_SOURCES as readonly string[]).includes(source))
    problems.push({ path: "source", value: source, message: `must be one of ${GATEWAY_API_CRD_SOURCES.map((s) => `"${s}"`).join(", ")}` });
  const channel: string = props.channel ?? GATEWAY_API_CRDS_DEFAULTS.channel;
  if (!(GATEWAY_API_CHANNELS as readonly string[]).includes(channel))
    problems.push({ path: "channel", value: channel, message: `must be one of ${GATEWAY_API_CHANNELS.map((c) => `"${c}"`).join(", ")} (the Gateway API release channels gatehouse ships)` });
  const release = rules.helmReleaseName(props.releaseName ?? GATEWAY_API_CRDS_DEFAULTS.releaseName);
  if (release) problems.push({ path: "releaseName", value: props.releaseName, message: release });
  const ns = rules.k8sLabelName(props.namespace ?? GATEWAY_API_CRDS_DEFAULTS.namespace);
  if (ns) problems.push({ path: "namespace", value: props.namespace, message: ns });
  const version = props.cluster?.kubernetesVersion;
  if (version !== undefined) {
    const k = kubernetesAtLeast(version, GATEWAY_API.minKubernetes);
    if (k) problems.push({ path: "cluster.kubernetesVersion", value: version, message: `${k}: Gateway API ${GATEWAY_API.version} CRDs use CEL rules that need Kubernetes ${GATEWAY_API.minKubernetes}` });
  }
  return problems;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export interface KubernetesVersionCheckOptions {
  /**
   * The cluster's version: a Terraform reference (a token such as `data.aws_eks_cluster.x.version`)
   * for a precondition, or `self.<attribute>` for a postcondition of the data source reading it.
   */
  readonly version: string;
  /** How the message names the cluster: "EKS cluster prod-eks". */
  readonly cluster: string;
  /** Who needs the version: "the AWS Gateway API controller v2.1.3". */
  readonly requiredBy: string;
  /** @default GATEWAY_API.minKubernetes */
  readonly minimum?: string;
}

/**
 * The plan-time check that a cluster runs Kubernetes `minimum` or later: the one home of this
 * rule for every cluster stack that installs the Gateway API CRDs and every controller that
 * needs them. The version may carry a vendor suffix ("1.31.5-gke.1023000", "v1.32.2-eks-…").
 */
export function kubernetesVersionCheck(opts: KubernetesVersionCheckOptions): LifecycleCheck {
  const minimum = opts.minimum ?? GATEWAY_API.minKubernetes;
  const pattern = kubernetesMinimumPattern(minimum);
  let condition: string;
  if (isToken(opts.version)) condition = Token.asString(Fn.can(Fn.regex(pattern, opts.version)));
  else if (/^self\.[a-z_]+$/.test(opts.version)) condition = `\${can(regex("${pattern}", ${opts.version}))}`;
  else throw new Error(`gatehouse: kubernetesVersionCheck takes a reference or self.<attribute>, not ${JSON.stringify(opts.version)}; check a literal version at synth (kubernetesAtLeast)`);
  const reason = minimum === GATEWAY_API.minKubernetes ? "that need it" : `that need Kubernetes ${GATEWAY_API.minKubernetes}`;
  return {
    condition,
    errorMessage: `${capitalized(opts.cluster)} runs Kubernetes older than ${minimum}, which ${opts.requiredBy} requires (Gateway API ${GATEWAY_API.minimum} CRDs use CEL rules ${reason}); upgrade the cluster first.`,
  };
}

/** HCL: the value of a label or annotation of `object`, "" when it has none. */
function metadataValue(object: string, field: "labels" | "annotations", key: string): string {
  return `try(${object}.metadata.${field}["${key}"], "")`;
}

/** HCL: GKE installs the Gateway API CRDs on this cluster (its channel is on). */
function gkeManagesCrds(channel: string): string {
  return `!${Token.asString(Fn.contains([...GKE_GATEWAY_API_OFF], Fn.try([channel, ""])))}`;
}

/** HCL: `o` carries the ownership metadata of this release (what Helm checks before it updates an object). */
function ownedBy(o: string, releaseName: string, namespace: string): string {
  return [
    `${metadataValue(o, "labels", HELM_OWNERSHIP.managedByLabel)} == "${HELM_OWNERSHIP.managedBy}"`,
    `${metadataValue(o, "annotations", HELM_OWNERSHIP.releaseNameAnnotation)} == "${releaseName}"`,
    `${metadataValue(o, "annotations", HELM_OWNERSHIP.releaseNamespaceAnnotation)} == "${namespace}"`,
  ].join(" && ");
}

/** Message text (a template): the channel of the CRD a lookup found, as "is of the Gateway API standard channel". */
const FOUND_CHANNEL = `\${${metadataValue("self.objects[0]", "annotations", CHANNEL_ANNOTATION)} == "" ? "has no ${CHANNEL_ANNOTATION} annotation" : format("is of the Gateway API %s channel", ${metadataValue("self.objects[0]", "annotations", CHANNEL_ANNOTATION)})}`;

const CRDS_ID = "gateway-api-crds";
/** The stack-wide props of GatewayApiCrds, set by the stack before any construct asks for it. */
const stackProps = new WeakMap<TerraformStack, GatewayApiCrdsProps>();

/**
 * The Gateway API CRDs of one channel, applied as templates so `helm upgrade` updates them, and
 * kept when the release is uninstalled (they hold every Gateway and route of the cluster); or,
 * with `source: "cluster-managed"`, the plan-time checks of the CRDs the cluster provides.
 */
export class GatewayApiCrds extends Construct {
  /**
   * Says how this stack's cluster gets the CRDs, before anything asks for them: a stack knows its
   * cluster and the environment's choice; the controllers that need the CRDs only ask `of`.
   */
  public static configure(stack: TerraformStack, props: GatewayApiCrdsProps): void {
    if (stack.node.tryFindChild(CRDS_ID)) throw new Error(`gatehouse: ${stack.node.path} configures the Gateway API CRDs after they were made; configure them first`);
    if (stackProps.has(stack)) throw new Error(`gatehouse: ${stack.node.path} configures the Gateway API CRDs twice`);
    stackProps.set(stack, props);
  }

  /** The stack's one GatewayApiCrds, made at the stack's root on first use (with the stack's configured props, then these). */
  public static of(scope: Construct, props: GatewayApiCrdsProps = {}): GatewayApiCrds {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild(CRDS_ID);
    if (existing instanceof GatewayApiCrds) return existing;
    return new GatewayApiCrds(stack, CRDS_ID, { ...stackProps.get(stack), ...props });
  }

  public readonly source: GatewayApiCrdSource;
  public readonly channel: GatewayApiChannel;
  /** The release of the shipped chart (`source: "install"`). */
  public readonly release?: Release;
  /** The chart as the release gets it: the shipped chart with the chosen channel's files only (`source: "install"`). */
  public readonly chart?: TerraformAsset;
  /** Each CRD the checks read, as it is on the cluster at plan time, by CRD name, with its checks. */
  public readonly lookups: Readonly<Record<string, DataKubernetesResources>>;
  /** Upstream's safe-upgrades ValidatingAdmissionPolicyBinding as it is on the cluster (`install` of the experimental channel). */
  public readonly safeUpgradesBinding?: DataKubernetesResources;
  /** The cluster's ValidatingAdmissionPolicyBindings, checked for GKE's standard-channel policy (`install` of the experimental channel on GKE). */
  public readonly gkeStandardOnly?: DataKubernetesResources;
  /** The API server's version, when the cluster's was not given (`source: "install"`). */
  public readonly serverVersion?: DataKubernetesServerVersion;
  /** What objects of Gateway API kinds wait for: the release, or the checks of the cluster's CRDs. */
  public readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: GatewayApiCrdsProps = {}) {
    super(scope, id);
    failIfAny(this.node.path, gatewayApiCrdsProblems(props));
    this.source = props.source ?? GATEWAY_API_CRDS_DEFAULTS.source;
    this.channel = props.channel ?? GATEWAY_API_CRDS_DEFAULTS.channel;
    const releaseName = props.releaseName ?? GATEWAY_API_CRDS_DEFAULTS.releaseName;
    const namespace = props.namespace ?? GATEWAY_API_CRDS_DEFAULTS.namespace;
    const cluster = props.cluster ?? {};
    const description = cluster.description ?? "the cluster";
    const install = this.source === "install";

    // The policy admits experimental CRDs over standard ones only without its binding: read it
    // where that matters, so the plan says so before Helm's upgrade fails halfway.
    if (install && this.channel === "experimental")
      this.safeUpgradesBinding = new DataKubernetesResources(this, "safe-upgrades-binding", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        fieldSelector: `metadata.name=${SAFE_UPGRADES_POLICY}`,
      });
    const binding = this.safeUpgradesBinding;
    // GKE's own policy against experimental Gateway API CRDs, where it is bound (see gkeStandardOnlyCheck).
    if (install && this.channel === "experimental" && cluster.gke)
      this.gkeStandardOnly = new DataKubernetesResources(this, "gke-standard-channel-bindings", {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        lifecycle: { postcondition: [gkeStandardOnlyCheck(cluster.gke)] },
      });

    const lookups: Record<string, DataKubernetesResources> = {};
    // `install` reads every CRD the release applies; `cluster-managed` the ones every channel has.
    for (const crd of install ? gatewayApiCrdNames(this.channel) : GATEWAY_API.crds) {
      const checks: LifecycleCheck[] = [];
      if (install) {
        const owner = { cluster: description, releaseName, namespace, gke: cluster.gke };
        checks.push(ownershipCheck(crd, description, releaseName, namespace, cluster.gke));
        if (this.channel === "standard") checks.push(keepExperimentalCheck(crd, owner));
        // The policy only looks at CRDs of group gateway.networking.k8s.io (a CRD's name ends in its group).
        else if (binding && crd.endsWith(`.${GATEWAY_API_GROUP}`)) checks.push(safeUpgradesCheck(crd, owner, binding));
      } else {
        checks.push(providedCheck(crd, description, cluster.gke));
        if (this.channel === "experimental" && crd === HTTPROUTES_CRD) checks.push(providedChannelCheck(crd, description, cluster.gke));
      }
      // A list by name: empty when the CRD is absent (the singular data source fails the plan then).
      lookups[crd] = new DataKubernetesResources(this, `crd-${crd.split(".")[0] ?? crd}`, {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        fieldSelector: `metadata.name=${crd}`,
        lifecycle: { postcondition: checks },
      });
    }
    this.lookups = lookups;

    if (this.source === "cluster-managed") {
      // The Kubernetes version needs no check of its own here: an API server older than 1.31
      // refuses the v1.5 CRDs (their CEL does not compile), so CRDs at v1.5 or later prove it.
      this.dependables = Object.values(lookups);
      return;
    }

    const preconditions: LifecycleCheck[] = [];
    let version = cluster.kubernetesVersion;
    if (version === undefined) {
      this.serverVersion = new DataKubernetesServerVersion(this, "kubernetes-version");
      version = this.serverVersion.version;
    }
    // A literal was checked above.
    if (isToken(version)) preconditions.push(kubernetesVersionCheck({ version, cluster: description, requiredBy: `the Gateway API ${GATEWAY_API.version} CRD chart` }));
    if (cluster.gke) preconditions.push(gkeChannelCheck(cluster.gke));

    // The other channel's files stay out of the release (see the file comment on its size).
    const chart = localChart(this, "chart", GATEWAY_API.chart, { leaveOut: GATEWAY_API_CHANNELS.filter((c) => c !== this.channel) });
    this.chart = chart.asset;
    const config: ReleaseConfig = {
      name: releaseName,
      chart: chart.path,
      namespace,
      // The chart's one value. Its values.yaml says `channel: standard`, so a standard release sets
      // nothing and its Terraform stays as it was; the chart refuses any channel but its two.
      set: this.channel === GATEWAY_API_CRDS_DEFAULTS.channel ? undefined : [{ name: "channel", value: this.channel, type: "string" }],
      atomic: true,
      cleanupOnFail: true,
      wait: true,
      maxHistory: 10,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      lifecycle: preconditions.length ? { precondition: preconditions } : undefined,
    };
    this.release = new Release(this, "release", config);
    this.dependables = [this.release];
  }
}

/**
 * `install`: a CRD of the chart is absent, or Helm would take it into this release (it carries
 * the release's ownership metadata, as everything the release applied does). On GKE with its
 * Gateway API on, the release's channel check says what to do instead, once.
 */
function ownershipCheck(crd: string, cluster: string, releaseName: string, namespace: string, gke: GatewayApiCluster["gke"]): LifecycleCheck {
  const ours = `alltrue([for o in self.objects : ${ownedBy("o", releaseName, namespace)}])`;
  const found = `\${format("%s %q, %s %q, %s %q", "${HELM_OWNERSHIP.managedByLabel}", ${metadataValue("self.objects[0]", "labels", HELM_OWNERSHIP.managedByLabel)}, "${HELM_OWNERSHIP.releaseNameAnnotation}", ${metadataValue("self.objects[0]", "annotations", HELM_OWNERSHIP.releaseNameAnnotation)}, "${HELM_OWNERSHIP.releaseNamespaceAnnotation}", ${metadataValue("self.objects[0]", "annotations", HELM_OWNERSHIP.releaseNamespaceAnnotation)})}`;
  return {
    condition: gke ? `\${${gkeManagesCrds(gke.gatewayApiChannel)} || ${ours}}` : `\${${ours}}`,
    errorMessage:
      `CustomResourceDefinition ${crd} is on ${cluster} already, and not from gatehouse's Helm release ${releaseName} in ${namespace} (it has ${found}): ` +
      `Helm would refuse to install over it ("invalid ownership metadata"). If GKE, EKS Auto Mode or another installation provides the Gateway API CRDs, set ${GATEWAY_API_CRDS_SETTING}: cluster-managed. ` +
      `To hand them to gatehouse instead, stop that installation managing them, then mark each Gateway API CRD for the release: ` +
      `kubectl label crd <name> ${HELM_OWNERSHIP.managedByLabel}=${HELM_OWNERSHIP.managedBy} --overwrite; ` +
      `kubectl annotate crd <name> ${HELM_OWNERSHIP.releaseNameAnnotation}=${releaseName} ${HELM_OWNERSHIP.releaseNamespaceAnnotation}=${namespace} --overwrite.`,
  };
}

/** Where an `install` channel check looks: the release whose CRDs it judges, and the cluster. */
interface ReleaseCrds {
  readonly cluster: string;
  readonly releaseName: string;
  readonly namespace: string;
  readonly gke: GatewayApiCluster["gke"];
}

/**
 * HCL: every CRD a lookup found that belongs to this release passes `test` (one of anyone else is
 * the ownership check's to report). Left to GKE's channel check where GKE installs the CRDs.
 */
function releaseCrdsPass(owner: ReleaseCrds, test: string, alsoPasses?: string): string {
  const each = `alltrue([for o in self.objects : !(${ownedBy("o", owner.releaseName, owner.namespace)}) || ${test}])`;
  const passes = [...(owner.gke ? [gkeManagesCrds(owner.gke.gatewayApiChannel)] : []), ...(alsoPasses ? [alsoPasses] : []), each];
  return `\${${passes.join(" || ")}}`;
}

/**
 * `install` of the standard channel: no CRD of the release is of the experimental channel. The
 * standard chart would apply over it without complaint (the safe-upgrades policy admits standard
 * CRDs always), and the cluster would lose what experimental routes and controllers use.
 */
function keepExperimentalCheck(crd: string, owner: ReleaseCrds): LifecycleCheck {
  return {
    condition: releaseCrdsPass(owner, `${metadataValue("o", "annotations", CHANNEL_ANNOTATION)} != "experimental"`),
    errorMessage:
      `CustomResourceDefinition ${crd} on ${owner.cluster} is of the Gateway API experimental channel (${CHANNEL_ANNOTATION}: experimental), and ${GATEWAY_API_CHANNEL_SETTING} is "standard": ` +
      `gatehouse does not move a cluster back to the standard channel by itself. The standard CRDs would stop serving the versions only the experimental channel serves and drop its fields (HTTPRoute's retry among them) from every object that sets them, ` +
      `the experimental-only CRDs (TCPRoute, UDPRoute, XBackendTrafficPolicy, XMesh) would stay behind outside the release, and the API server refuses a CRD update that leaves out a version still in the CRD's status.storedVersions. ` +
      `Keep ${GATEWAY_API_CHANNEL_SETTING}: experimental, or first follow "Back to the standard channel" in gatehouse's modules/k8s/charts/gateway-api-crds/README.md.`,
  };
}

/**
 * `install` of the experimental channel: no CRD of the release is of another channel (or of none)
 * while upstream's safe-upgrades binding is on the cluster, which would make Helm's upgrade fail
 * on it. Deleting the binding is the reviewed switch: the upgrade creates it again with the rest
 * of the chart (Helm creates a release's objects that are missing: Client.Update in
 * pkg/kube/client.go at helm v3.17.3 and v3.18.6), after the CRDs (kinds InstallOrder does not
 * name go last: pkg/releaseutil/kind_sorter.go), and from then on the policy admits experimental
 * over experimental.
 */
function safeUpgradesCheck(crd: string, owner: ReleaseCrds, binding: DataKubernetesResources): LifecycleCheck {
  const bindingAbsent = `${Token.asString(Fn.lengthOf(binding.interpolationForAttribute("objects")))} == 0`;
  return {
    condition: releaseCrdsPass(owner, `${metadataValue("o", "annotations", CHANNEL_ANNOTATION)} == "experimental"`, bindingAbsent),
    errorMessage:
      `CustomResourceDefinition ${crd} on ${owner.cluster} ${FOUND_CHANNEL}, and ${GATEWAY_API_CHANNEL_SETTING} is "experimental": ` +
      `the ValidatingAdmissionPolicy ${SAFE_UPGRADES_POLICY} (from the Gateway API's own files, bound on the cluster) refuses experimental CRDs over any other, so Helm's upgrade would fail on it. ` +
      `To move the cluster to the experimental channel, delete the policy's binding, then apply: kubectl delete validatingadmissionpolicybinding ${SAFE_UPGRADES_POLICY}. ` +
      `The upgrade creates the binding again with the rest of the chart (Helm creates the objects of a release that are missing), and the policy then admits experimental CRDs over experimental ones. ` +
      `Or keep ${GATEWAY_API_CHANNEL_SETTING}: standard.`,
  };
}

/** `cluster-managed`: a CRD of the chart is on the cluster, at the Gateway API the controllers need or later. */
function providedCheck(crd: string, cluster: string, gke: GatewayApiCluster["gke"]): LifecycleCheck {
  const version = `self.objects[0].metadata.annotations["${BUNDLE_VERSION_ANNOTATION}"]`;
  const state = `\${length(self.objects) == 0 ? "is not there" : format("is at Gateway API %s", try(${version}, "(unknown: no ${BUNDLE_VERSION_ANNOTATION} annotation)"))}`;
  const need = `gatehouse's Gateway API controllers need ${GATEWAY_API.minimum} or later, and ${GATEWAY_API_CRDS_SETTING} is "cluster-managed"`;
  const fix = gke
    ? `so they use the CRDs GKE installs (its Gateway API channel here: ${Fn.try([gke.gatewayApiChannel, ""])}). ` +
      `Upgrade the cluster to a GKE version whose Gateway API is ${GATEWAY_API.minimum} or later, with GKE's Gateway API on (gcloud container clusters update ${gke.name} --location ${gke.location} --project ${gke.project} --gateway-api=standard); ` +
      `or turn GKE's Gateway API off (Standard clusters: --gateway-api=disabled) and set ${GATEWAY_API_CRDS_SETTING}: install, so gatehouse installs ${GATEWAY_API.version}.`
    : `so they use the Gateway API CRDs the cluster provides (EKS Auto Mode or another installation). ` +
      `Update those to ${GATEWAY_API.minimum} or later, or remove them and set ${GATEWAY_API_CRDS_SETTING}: install, so gatehouse installs ${GATEWAY_API.version}.`;
  return {
    condition: `\${can(regex("${kubernetesMinimumPattern(GATEWAY_API.minimum.slice(1))}", ${version}))}`,
    errorMessage: `CustomResourceDefinition ${crd} on ${cluster} ${state}: ${need}, ${fix}`,
  };
}

/**
 * `cluster-managed` with the experimental channel: the cluster's HTTPRoute CRD is of it (a
 * standard one prunes `retry`, so retries would vanish without an error). An absent CRD is the
 * version check's to report. No check with `standard`: the experimental channel is a superset.
 */
function providedChannelCheck(crd: string, cluster: string, gke: GatewayApiCluster["gke"]): LifecycleCheck {
  const retries = `remove retries from the routes (routes.<name>.retries)`;
  // GKE's API deprecates CHANNEL_EXPERIMENTAL ("use CHANNEL_STANDARD instead", google.container.v1
  // GatewayAPIConfig.Channel), though the google provider still accepts the value.
  const fix = gke
    ? `GKE installs the Gateway API's standard channel (its Gateway API channel here: ${Fn.try([gke.gatewayApiChannel, ""])}; GKE's API deprecates CHANNEL_EXPERIMENTAL). ` +
      `Turn GKE's Gateway API off (Standard clusters: gcloud container clusters update ${gke.name} --location ${gke.location} --project ${gke.project} --gateway-api=disabled) and set ${GATEWAY_API_CRDS_SETTING}: install, so gatehouse installs the experimental channel of ${GATEWAY_API.version}; ` +
      `or set ${GATEWAY_API_CHANNEL_SETTING}: standard and ${retries}.`
    : `Install the experimental channel's CRDs (Gateway API ${GATEWAY_API.minimum} or later) where the cluster's CRDs come from, or remove those and set ${GATEWAY_API_CRDS_SETTING}: install, so gatehouse installs the experimental channel of ${GATEWAY_API.version}; ` +
      `or set ${GATEWAY_API_CHANNEL_SETTING}: standard and ${retries}.`;
  return {
    condition: `\${length(self.objects) == 0 || ${metadataValue("self.objects[0]", "annotations", CHANNEL_ANNOTATION)} == "experimental"}`,
    errorMessage:
      `CustomResourceDefinition ${crd} on ${cluster} ${FOUND_CHANNEL}, and ${GATEWAY_API_CHANNEL_SETTING} is "experimental" with ${GATEWAY_API_CRDS_SETTING} "cluster-managed": ` +
      `routes' retries need HTTPRoute's retry field, which only the experimental channel's CRD has (the API server drops it from routes under a standard one). ${fix}`,
  };
}

/**
 * GKE's ValidatingAdmissionPolicy that refuses Gateway API objects annotated
 * `gateway.networking.k8s.io/channel: experimental` (reported from GKE 1.35:
 * apache/apisix-helm-chart#958), by the policy's name.
 */
export const GKE_STANDARD_CHANNEL_POLICY = "enforce-gateway-standard-channel";

/**
 * `install` of the experimental channel on GKE: no binding of the cluster puts GKE's standard-only
 * policy in force, which would refuse every experimental CRD and fail Helm's upgrade halfway.
 * Every binding is read (they are few): a binding's name is not the policy's, `spec.policyName` is.
 */
function gkeStandardOnlyCheck(gke: NonNullable<GatewayApiCluster["gke"]>): LifecycleCheck {
  return {
    // While GKE's own Gateway API is on, its channel check says what to do instead, once.
    condition: `\${${gkeManagesCrds(gke.gatewayApiChannel)} || alltrue([for b in self.objects : try(b.spec.policyName, "") != "${GKE_STANDARD_CHANNEL_POLICY}"])}`,
    errorMessage:
      `GKE cluster ${gke.name} binds GKE's ValidatingAdmissionPolicy ${GKE_STANDARD_CHANNEL_POLICY}, which refuses Gateway API CRDs of the experimental channel, and ${GATEWAY_API_CHANNEL_SETTING} is "experimental": Helm's install of them would fail. ` +
      `Keep ${GATEWAY_API_CHANNEL_SETTING}: standard on this cluster (and remove retries from the routes of an Istio environment), or run the environment where experimental CRDs are allowed.`,
  };
}

/** `install` on GKE: GKE's Gateway API is off, so GKE neither installs the CRDs nor overwrites gatehouse's. */
function gkeChannelCheck(gke: NonNullable<GatewayApiCluster["gke"]>): LifecycleCheck {
  const channel = Fn.try([gke.gatewayApiChannel, ""]);
  return {
    condition: Token.asString(Fn.contains([...GKE_GATEWAY_API_OFF], channel)),
    errorMessage:
      `GKE installs the Gateway API CRDs on GKE cluster ${gke.name} (its Gateway API channel is ${channel}): a release of gatehouse's CRD chart would fail ("invalid ownership metadata"), and GKE would put its own CRDs back over it. ` +
      `Set ${GATEWAY_API_CRDS_SETTING}: cluster-managed to use GKE's (gatehouse then checks at plan time that they are Gateway API ${GATEWAY_API.minimum} or later), ` +
      `or turn GKE's Gateway API off to keep installing ${GATEWAY_API.version} (Standard clusters: gcloud container clusters update ${gke.name} --location ${gke.location} --project ${gke.project} --gateway-api=disabled, or gateway_api_config.channel = "CHANNEL_DISABLED" where Terraform manages the cluster).`,
  };
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
export function gatewayEntryProblems(contract: PortContract, controller: string, certificate: { readonly path: string; readonly value: string | undefined }): FieldProblem[] {
  const problems: FieldProblem[] = [];
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
