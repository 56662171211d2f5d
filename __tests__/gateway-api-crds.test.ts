/**
 * The Gateway API CRDs and the clusters they go on (modules/k8s/gateway-api.ts):
 * - the shipped chart's Kubernetes floor, refused and accepted by the real helm binary;
 * - the one plan-time Kubernetes version check, shared by the CRD release and the Lattice controller;
 * - `install`: every CRD of the chart read at plan time and required absent or this release's
 *   (Helm's ownership metadata), and on GKE a refusal while GKE's own Gateway API is on;
 * - `cluster-managed`: no release, every CRD required on the cluster at v1.5 or later;
 * - the channel (`controller.gatewayApiChannel`): the chart's experimental render, the release's
 *   copy of the chart with one channel's files, the lookups that follow the channel, and the
 *   checks that refuse to switch an installed cluster's channel by themselves (standard over the
 *   release's experimental CRDs; experimental over standard while upstream's safe-upgrades binding
 *   is there) or that want the cluster's HTTPRoute CRD experimental (`cluster-managed`);
 * - the environment fields, and what the EKS and GKE cluster stacks emit.
 * Conditions and messages are compared by value and evaluated (__tests__/helpers/hcl.ts) against
 * the objects a cluster would return: the CRDs the chart renders, with or without the metadata
 * Helm adds when it installs them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { parse, parseAllDocuments } from "yaml";
import { App, Testing, TerraformStack } from "cdktf";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataGoogleContainerCluster } from "@cdktf/provider-google/lib/data-google-container-cluster";
import { EnvSchema, type EnvInput } from "../modules/config/schema";
import { ConfigError } from "../modules/core/errors";
import { AwsGatewayController } from "../modules/k8s/aws-gateway-controller";
import type { ControllerSettings } from "../modules/k8s/controllers/plugin";
import { GATEWAY_API, GatewayApiCrds, GKE_STANDARD_CHANNEL_POLICY, gatewayApiCrdNames, gatewayApiCrdsProblems, kubernetesVersionCheck, type GatewayApiCrdsProps } from "../modules/k8s/gateway-api";
import { localChart, localChartDir } from "../modules/k8s/local-chart";
import { nginxGatewayFabricPlugin } from "../modules/k8s/controllers/nginx-gateway-fabric";
import { nginxGatewayFabricIdentity } from "../modules/k8s/controllers/nginx-gateway-fabric-identity";
import { kubernetesMinimumPattern } from "../modules/model/lattice";
import { identityContract } from "./helpers/fixtures";
import { renderChart, type KubeObject } from "./helpers/helm";
import { evaluateCondition, evaluateMessage, HclError, type HclValue } from "./helpers/hcl";
import { list, obj, type Json } from "./helpers/json";
import { loadProblems } from "./helpers/problems";
import { dataSources, resources, synthEnvs, type TfJson } from "./helpers/synth";
import { GATEWAY_API_CRDS_DEFAULTS, type GatewayApiChannel } from "../modules/model/defaults";

const CHART_DIR = localChartDir(GATEWAY_API.chart);
const K8S_PATTERN = kubernetesMinimumPattern("1.31");
const BUNDLE_PATTERN = kubernetesMinimumPattern("1.5");

// ---------------------------------------------------------------------------------------------
// Helpers

type Check = { condition: string; error_message: string };

function checks(block: unknown, kind: "precondition" | "postcondition"): Check[] {
  const lifecycle = obj(obj(block, "block").lifecycle, "lifecycle");
  return list(lifecycle[kind], kind).map((c) => obj(c, kind) as Check);
}

/** A test stack with an EKS or GKE cluster lookup whose references the CRDs' checks use. */
function build(kind: "eks" | "gke" | "none", props: GatewayApiCrdsProps = {}, extra?: (s: TerraformStack) => void): TfJson {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  let cluster: GatewayApiCrdsProps["cluster"];
  if (kind === "eks") {
    const eks = new DataAwsEksCluster(stack, "eks", { name: "prod-eks" });
    cluster = { description: "EKS cluster prod-eks", kubernetesVersion: eks.version };
  } else if (kind === "gke") {
    const gke = new DataGoogleContainerCluster(stack, "gke", { name: "euw1", location: "europe-west1", project: "acme-edge" });
    cluster = { description: "GKE cluster euw1", kubernetesVersion: gke.masterVersion, gke: { name: "euw1", location: "europe-west1", project: "acme-edge", gatewayApiChannel: gke.gatewayApiConfig.get(0).channel } };
  }
  GatewayApiCrds.configure(stack, { cluster, ...props });
  GatewayApiCrds.of(stack);
  extra?.(stack);
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

/** The CRD lookups, by the CRD each one selects. */
function lookups(json: TfJson): Map<string, Json> {
  return new Map(
    Object.values(dataSources(json, "kubernetes_resources"))
      .filter((d) => d.kind === "CustomResourceDefinition")
      .map((d) => [String(d.field_selector).replace(/^metadata\.name=/, ""), d as Json]),
  );
}

function crdRelease(json: TfJson): Json {
  const found = Object.values(resources(json, "helm_release")).filter((r) => r.name === GATEWAY_API_CRDS_DEFAULTS.releaseName);
  expect(found).toHaveLength(1);
  return found[0] as Json;
}

/** The chart's objects as `helm template` renders them for a cluster of this version. */
function renderCrds(kubeVersion = "1.31.0"): KubeObject[] {
  return renderChart({ release: "gateway-api-crds", namespace: "kube-system", values: "", chartDir: CHART_DIR, kubeVersion });
}

const rendered = renderCrds();
const renderedCrd = (name: string): Json => {
  const o = rendered.find((x) => x.kind === "CustomResourceDefinition" && x.metadata.name === name);
  if (!o) throw new Error(`the chart renders no CRD ${name}`);
  return JSON.parse(JSON.stringify(o)) as Json;
};

/** The chart's objects for a channel, as `helm template` renders them with the channel a release sets. */
function renderChannel(channel: string, chartDir = CHART_DIR): KubeObject[] {
  return renderChart({ release: "gateway-api-crds", namespace: "kube-system", values: `channel: ${channel}\n`, chartDir });
}

const renderedExperimental = renderChannel("experimental");
const experimentalCrd = (name: string): Json => {
  const o = renderedExperimental.find((x) => x.kind === "CustomResourceDefinition" && x.metadata.name === name);
  if (!o) throw new Error(`the chart's experimental channel renders no CRD ${name}`);
  return JSON.parse(JSON.stringify(o)) as Json;
};

/** Upstream's safe-upgrades binding as the chart renders it (and a cluster returns it). */
const safeUpgradesBinding = ((): Json => {
  const o = rendered.find((x) => x.kind === "ValidatingAdmissionPolicyBinding");
  if (!o) throw new Error("the chart renders no ValidatingAdmissionPolicyBinding");
  return JSON.parse(JSON.stringify(o)) as Json;
})();

/** A CRD with another channel annotation, or none. */
function onChannel(crd: Json, channel: string | undefined): Json {
  const meta = obj(crd.metadata, "metadata");
  const { ["gateway.networking.k8s.io/channel"]: _c, ...annotations } = obj(meta.annotations ?? {}, "annotations");
  return { ...crd, metadata: { ...meta, annotations: channel === undefined ? annotations : { ...annotations, "gateway.networking.k8s.io/channel": channel } } };
}

/** A CRD as the cluster returns it once Helm installed it: Helm adds this label and these annotations (pkg/action/install.go). */
function installedBy(crd: Json, release: string, namespace: string): Json {
  const meta = obj(crd.metadata, "metadata");
  return {
    ...crd,
    metadata: {
      ...meta,
      labels: { ...obj(meta.labels ?? {}, "labels"), "app.kubernetes.io/managed-by": "Helm" },
      annotations: { ...obj(meta.annotations ?? {}, "annotations"), "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace },
    },
  };
}

/** A CRD with another bundle version, or none. */
function atVersion(crd: Json, version: string | undefined): Json {
  const meta = obj(crd.metadata, "metadata");
  const { ["gateway.networking.k8s.io/bundle-version"]: _v, ...annotations } = obj(meta.annotations ?? {}, "annotations");
  return { ...crd, metadata: { ...meta, annotations: version === undefined ? annotations : { ...annotations, "gateway.networking.k8s.io/bundle-version": version } } };
}

/** The names a condition sees: `self` (the lookup's result) and the data sources of the stack. */
function scope(objects: Json[], data: Record<string, Record<string, Json>> = {}): Record<string, HclValue> {
  return { self: { objects } as unknown as HclValue, data: data as unknown as HclValue };
}

const eksData = (json: TfJson, version: string): HclValue => ({ aws_eks_cluster: { [Object.keys(dataSources(json, "aws_eks_cluster"))[0] as string]: { version } } });
const gkeData = (json: TfJson, cluster: Json): Record<string, Record<string, Json>> => ({ google_container_cluster: { [Object.keys(dataSources(json, "google_container_cluster"))[0] as string]: cluster } });

// ---------------------------------------------------------------------------------------------
// The evaluator itself, on cases whose Terraform result is known

describe("the condition evaluator", () => {
  it("follows Terraform where these checks depend on it", () => {
    const s = { self: { objects: [{ metadata: { labels: null } }] } };
    expect(evaluateCondition('${try(self.objects[0].metadata.labels["a"], "") == ""}', s)).toBe(true);
    expect(evaluateCondition("${can(self.objects[1])}", s)).toBe(false);
    expect(evaluateCondition('${can(regex("^v1[.]5", "v1.4.0"))}', s)).toBe(false);
    expect(evaluateCondition("${alltrue([for o in [] : false])}", s)).toBe(true);
    expect(evaluateMessage('a ${length(self.objects) == 0 ? "none" : format("%s %q", "x", "y")} $${literal}', s)).toBe('a x "y" ${literal}');
    // An error outside try/can fails the evaluation, as it fails the plan.
    expect(() => evaluateCondition("${self.objects[3].metadata}", s)).toThrow(HclError);
    expect(() => evaluateCondition("${unknownfn(1)}", s)).toThrow(/not supported/);
  });
});

// ---------------------------------------------------------------------------------------------
// §3: the Kubernetes floor

describe("the Gateway API CRD chart's Kubernetes floor", () => {
  it(`is ${GATEWAY_API.minKubernetes}, what the v1.5 CRDs' CEL (isIP) needs`, () => {
    const chart = parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8")) as { kubeVersion: string; version: string };
    expect(chart.kubeVersion).toBe(`>= ${GATEWAY_API.minKubernetes}.0-0`);
    expect(GATEWAY_API.minKubernetes).toBe("1.31");
  });

  it("helm refuses to render the chart for Kubernetes 1.30 and renders it for 1.31", () => {
    expect(() => renderCrds("1.30.0")).toThrow(/chart requires kubeVersion: >= 1\.31\.0-0 which is incompatible with Kubernetes v1\.30\.0/);
    expect(renderCrds("1.31.0").length).toBeGreaterThan(0);
  });

  it("lists, in GATEWAY_API.crds, exactly the CRDs the chart renders (the lookups follow the chart)", () => {
    expect(rendered.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name).sort()).toEqual([...GATEWAY_API.crds].sort());
  });
});

describe("kubernetesVersionCheck", () => {
  it("checks a reference at plan time with the shared pattern and message", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "v");
    const eks = new DataAwsEksCluster(stack, "eks", { name: "prod-eks" });
    const c = kubernetesVersionCheck({ version: eks.version, cluster: "EKS cluster prod-eks", requiredBy: "the Gateway API v1.5.1 CRD chart" });
    new DataAwsEksCluster(stack, "x", { name: "n", lifecycle: { postcondition: [c] } });
    const json = JSON.parse(Testing.synth(stack)) as TfJson;
    expect(checks(dataSources(json, "aws_eks_cluster").x, "postcondition")[0]?.condition).toBe(`\${can(regex("${K8S_PATTERN}", data.aws_eks_cluster.eks.version))}`);
    expect(c.errorMessage).toBe("EKS cluster prod-eks runs Kubernetes older than 1.31, which the Gateway API v1.5.1 CRD chart requires (Gateway API v1.5 CRDs use CEL rules that need it); upgrade the cluster first.");
  });

  it("checks self.<attribute> in a postcondition, and refuses a literal (checked at synth instead)", () => {
    expect(kubernetesVersionCheck({ version: "self.version", cluster: "the cluster", requiredBy: "x" }).condition).toBe(`\${can(regex("${K8S_PATTERN}", self.version))}`);
    expect(kubernetesVersionCheck({ version: "self.version", cluster: "the cluster", requiredBy: "x" }).errorMessage).toMatch(/^The cluster runs Kubernetes older than 1\.31/);
    expect(() => kubernetesVersionCheck({ version: "1.30", cluster: "c", requiredBy: "x" })).toThrow(/takes a reference or self/);
  });

  it.each([
    ["1.30", false],
    ["1.30.9-eks-1234567", false],
    ["v1.29.3", false],
    ["1.31", true],
    ["1.31.5-gke.1023000", true],
    ["v1.32.2-eks-7f9249a", true],
    ["1.100", true],
    ["2.0", true],
  ])("Kubernetes %s passes: %s", (version, ok) => {
    const c = kubernetesVersionCheck({ version: "self.version", cluster: "c", requiredBy: "x" });
    expect(evaluateCondition(c.condition, { self: { version } })).toBe(ok);
  });

  it("is what the Lattice controller's release checks (one rule, one message)", () => {
    const app2 = Testing.app();
    const s = new TerraformStack(app2, "l");
    const version = new DataAwsEksCluster(s, "eks", { name: "prod-eks" }).version;
    new AwsGatewayController(s, "ctl", { clusterName: "prod-eks", clusterVpcId: "vpc-1", awsRegion: "eu-west-1", awsAccountId: "123456789012", serviceNetworkName: "prod-net", identity: { mode: "pod-identity" }, kubernetesVersion: version });
    const json = JSON.parse(Testing.synth(s)) as TfJson;
    const controller = Object.values(resources(json, "helm_release")).find((r) => r.name === "gateway-api-controller");
    const [pre] = checks(controller, "precondition");
    expect(pre).toEqual({
      condition: `\${can(regex("${K8S_PATTERN}", data.aws_eks_cluster.eks.version))}`,
      error_message: "EKS cluster prod-eks runs Kubernetes older than 1.31, which the AWS Gateway API controller v2.1.3 requires (Gateway API v1.5 CRDs use CEL rules that need it); upgrade the cluster first.",
    });
    // And the CRD release beside it checks the cluster with the same rule (the API server's version: no cluster facts given).
    const server = Object.keys(dataSources(json, "kubernetes_server_version"))[0];
    expect(checks(crdRelease(json), "precondition")[0]?.condition).toBe(`\${can(regex("${K8S_PATTERN}", data.kubernetes_server_version.${server}.version))}`);
  });
});

// ---------------------------------------------------------------------------------------------
// §2: install (the default)

describe("install: the release, with the cluster checked at plan time", () => {
  const json = build("eks");
  const release = crdRelease(json);
  const byCrd = lookups(json);

  it("reads each CRD of the chart by name, as a list (empty when absent)", () => {
    expect([...byCrd.keys()].sort()).toEqual([...GATEWAY_API.crds].sort());
    for (const [crd, d] of byCrd) expect({ api_version: d.api_version, kind: d.kind, field_selector: d.field_selector }).toEqual({ api_version: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", field_selector: `metadata.name=${crd}` });
    expect(Object.keys(dataSources(json, "kubernetes_resources")).map((id) => id.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual(GATEWAY_API.crds.map((c) => `gateway-api-crds_crd-${c.split(".")[0]}`).sort());
  });

  it("requires each to be absent or this release's (Helm's ownership metadata), by value", () => {
    const [post] = checks(byCrd.get("gateways.gateway.networking.k8s.io"), "postcondition");
    expect(post).toEqual({
      condition:
        '${alltrue([for o in self.objects : try(o.metadata.labels["app.kubernetes.io/managed-by"], "") == "Helm" && try(o.metadata.annotations["meta.helm.sh/release-name"], "") == "gateway-api-crds" && try(o.metadata.annotations["meta.helm.sh/release-namespace"], "") == "kube-system"])}',
      error_message:
        'CustomResourceDefinition gateways.gateway.networking.k8s.io is on EKS cluster prod-eks already, and not from gatehouse\'s Helm release gateway-api-crds in kube-system (it has ${format("%s %q, %s %q, %s %q", "app.kubernetes.io/managed-by", try(self.objects[0].metadata.labels["app.kubernetes.io/managed-by"], ""), "meta.helm.sh/release-name", try(self.objects[0].metadata.annotations["meta.helm.sh/release-name"], ""), "meta.helm.sh/release-namespace", try(self.objects[0].metadata.annotations["meta.helm.sh/release-namespace"], ""))}): Helm would refuse to install over it ("invalid ownership metadata"). If GKE, EKS Auto Mode or another installation provides the Gateway API CRDs, set controller.gatewayApiCrds: cluster-managed. To hand them to gatehouse instead, stop that installation managing them, then mark each Gateway API CRD for the release: kubectl label crd <name> app.kubernetes.io/managed-by=Helm --overwrite; kubectl annotate crd <name> meta.helm.sh/release-name=gateway-api-crds meta.helm.sh/release-namespace=kube-system --overwrite.',
    });
    for (const [crd, d] of byCrd) expect(checks(d, "postcondition")[0]?.error_message).toContain(`CustomResourceDefinition ${crd} is on EKS cluster prod-eks already`);
  });

  it("passes a fresh cluster and the release's own CRDs, fails one installed otherwise (kubectl apply, another release)", () => {
    for (const crd of GATEWAY_API.crds) {
      const post = checks(byCrd.get(crd), "postcondition")[0] as Check;
      const upstream = renderedCrd(crd);
      expect(evaluateCondition(post.condition, scope([]))).toBe(true);
      expect(evaluateCondition(post.condition, scope([installedBy(upstream, "gateway-api-crds", "kube-system")]))).toBe(true);
      expect(evaluateCondition(post.condition, scope([upstream]))).toBe(false);
      expect(evaluateCondition(post.condition, scope([installedBy(upstream, "envoy-gateway-crds", "kube-system")]))).toBe(false);
      expect(evaluateCondition(post.condition, scope([installedBy(upstream, "gateway-api-crds", "default")]))).toBe(false);
    }
    const post = checks(byCrd.get("httproutes.gateway.networking.k8s.io"), "postcondition")[0] as Check;
    expect(evaluateMessage(post.error_message, scope([installedBy(renderedCrd("httproutes.gateway.networking.k8s.io"), "envoy-gateway-crds", "envoy-gateway-system")]))).toMatch(
      /^CustomResourceDefinition httproutes\.gateway\.networking\.k8s\.io is on EKS cluster prod-eks already, and not from gatehouse's Helm release gateway-api-crds in kube-system \(it has app\.kubernetes\.io\/managed-by "Helm", meta\.helm\.sh\/release-name "envoy-gateway-crds", meta\.helm\.sh\/release-namespace "envoy-gateway-system"\): Helm would refuse/,
    );
    expect(evaluateMessage(post.error_message, scope([renderedCrd("httproutes.gateway.networking.k8s.io")]))).toContain('(it has app.kubernetes.io/managed-by "", meta.helm.sh/release-name "", meta.helm.sh/release-namespace "")');
  });

  it("checks the cluster's Kubernetes version on the release, from the EKS cluster", () => {
    const [pre, ...rest] = checks(release, "precondition");
    const eks = Object.keys(dataSources(json, "aws_eks_cluster"))[0];
    expect(rest).toEqual([]);
    expect(pre).toEqual({
      condition: `\${can(regex("${K8S_PATTERN}", data.aws_eks_cluster.${eks}.version))}`,
      error_message: "EKS cluster prod-eks runs Kubernetes older than 1.31, which the Gateway API v1.5.1 CRD chart requires (Gateway API v1.5 CRDs use CEL rules that need it); upgrade the cluster first.",
    });
    expect(evaluateCondition(String(pre?.condition), { data: eksData(json, "1.30") })).toBe(false);
    expect(evaluateCondition(String(pre?.condition), { data: eksData(json, "1.31") })).toBe(true);
    expect(dataSources(json, "kubernetes_server_version")).toEqual({});
  });

  it("asks the API server for its version where the stack knows none (self-managed clusters)", () => {
    const j = build("none");
    const ids = Object.keys(dataSources(j, "kubernetes_server_version"));
    expect(ids).toHaveLength(1);
    const [pre] = checks(crdRelease(j), "precondition");
    expect(pre?.condition).toBe(`\${can(regex("${K8S_PATTERN}", data.kubernetes_server_version.${ids[0]}.version))}`);
    expect(pre?.error_message).toMatch(/^The cluster runs Kubernetes older than 1\.31, which the Gateway API v1\.5\.1 CRD chart requires/);
    // The provider reports "v1.30.4" as "1.30.4" (go-version).
    expect(evaluateCondition(String(pre?.condition), { data: { kubernetes_server_version: { [ids[0] as string]: { version: "1.30.4" } } } })).toBe(false);
  });

  it("refuses a literal version below the floor at synth", () => {
    expect(() => build("none", { cluster: { kubernetesVersion: "1.30" } })).toThrow(ConfigError);
    expect(() => build("none", { cluster: { kubernetesVersion: "1.30" } })).toThrow(/cluster\.kubernetesVersion.*must be at least 1\.31: Gateway API v1\.5\.1 CRDs use CEL rules that need Kubernetes 1\.31/);
    // A literal at the floor needs no plan-time check, and asks the API server nothing.
    const j = build("none", { cluster: { kubernetesVersion: "1.31" } });
    expect(crdRelease(j).lifecycle).toBeUndefined();
    expect(dataSources(j, "kubernetes_server_version")).toEqual({});
  });
});

describe("install on GKE: refused while GKE's own Gateway API is on", () => {
  const json = build("gke");
  const pres = checks(crdRelease(json), "precondition");
  const gke = Object.keys(dataSources(json, "google_container_cluster"))[0] as string;
  const channel = `try(data.google_container_cluster.${gke}.gateway_api_config[0].channel, "")`;
  const cluster = (channels: string[], version = "1.32.1-gke.100") => gkeData(json, { master_version: version, gateway_api_config: channels.map((c) => ({ channel: c })) } as unknown as Json);

  it("checks the master version and the Gateway API channel, by value", () => {
    expect(pres).toEqual([
      {
        condition: `\${can(regex("${K8S_PATTERN}", data.google_container_cluster.${gke}.master_version))}`,
        error_message: "GKE cluster euw1 runs Kubernetes older than 1.31, which the Gateway API v1.5.1 CRD chart requires (Gateway API v1.5 CRDs use CEL rules that need it); upgrade the cluster first.",
      },
      {
        condition: `\${contains(["CHANNEL_DISABLED", "CHANNEL_UNSPECIFIED", ""], ${channel})}`,
        error_message: `GKE installs the Gateway API CRDs on GKE cluster euw1 (its Gateway API channel is \${${channel}}): a release of gatehouse's CRD chart would fail ("invalid ownership metadata"), and GKE would put its own CRDs back over it. Set controller.gatewayApiCrds: cluster-managed to use GKE's (gatehouse then checks at plan time that they are Gateway API v1.5 or later), or turn GKE's Gateway API off to keep installing v1.5.1 (Standard clusters: gcloud container clusters update euw1 --location europe-west1 --project acme-edge --gateway-api=disabled, or gateway_api_config.channel = "CHANNEL_DISABLED" where Terraform manages the cluster).`,
      },
    ]);
  });

  it.each([
    [["CHANNEL_STANDARD"], false],
    [["CHANNEL_EXPERIMENTAL"], false],
    [["CHANNEL_DISABLED"], true],
    [[], true],
  ])("channel %j: install allowed %s", (channels, ok) => {
    const [version, gkeCheck] = pres as [Check, Check];
    expect(evaluateCondition(version.condition, scope([], cluster(channels)))).toBe(true);
    expect(evaluateCondition(gkeCheck.condition, scope([], cluster(channels)))).toBe(ok);
    if (!ok) expect(evaluateMessage(gkeCheck.error_message, scope([], cluster(channels)))).toContain(`(its Gateway API channel is ${channels[0]})`);
  });

  it("leaves GKE's CRDs to the channel check (one error, not nine), and checks ownership when GKE's Gateway API is off", () => {
    const post = checks(lookups(json).get("gateways.gateway.networking.k8s.io"), "postcondition")[0] as Check;
    expect(post.condition.startsWith(`\${!contains(["CHANNEL_DISABLED", "CHANNEL_UNSPECIFIED", ""], ${channel}) || alltrue([for o in self.objects : `)).toBe(true);
    const gkeOwned = [renderedCrd("gateways.gateway.networking.k8s.io")];
    expect(evaluateCondition(post.condition, { ...scope(gkeOwned, cluster(["CHANNEL_STANDARD"])) })).toBe(true);
    expect(evaluateCondition(post.condition, { ...scope(gkeOwned, cluster(["CHANNEL_DISABLED"])) })).toBe(false);
    expect(evaluateCondition(post.condition, { ...scope([], cluster([])) })).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// §2: cluster-managed

describe("cluster-managed: no release, the cluster's CRDs checked at plan time", () => {
  const settings: ControllerSettings = { releaseName: "nginx-gateway", namespace: "nginx-gateway", replicas: 2, resources: { cpu: "100m", memory: "128Mi" }, config: { httpsCertificateSecret: "edge-tls" } };
  const json = build("eks", { source: "cluster-managed" }, (s) =>
    void nginxGatewayFabricPlugin.create(s, "ngf", { contract: identityContract(nginxGatewayFabricIdentity(settings, "passthrough"), settings.namespace), exposure: "node-ports", settings }),
  );
  const byCrd = lookups(json);

  it("installs nothing and asks no version of the API server: v1.5 CRDs exist only where it is new enough", () => {
    expect(Object.values(resources(json, "helm_release")).map((r) => r.name).sort()).toEqual(["nginx-gateway", "nginx-gateway-gateway"]);
    expect(dataSources(json, "kubernetes_server_version")).toEqual({});
    expect([...byCrd.keys()].sort()).toEqual([...GATEWAY_API.crds].sort());
  });

  it("makes the controller wait for the checks of every CRD", () => {
    const ngf = Object.values(resources(json, "helm_release")).find((r) => r.name === "nginx-gateway");
    const ids = Object.keys(dataSources(json, "kubernetes_resources")).map((id) => `data.kubernetes_resources.${id}`);
    expect([...list(ngf?.depends_on, "depends_on")].sort()).toEqual(ids.sort());
  });

  it("requires each CRD at Gateway API v1.5 or later (its bundle-version annotation), by value", () => {
    const [post] = checks(byCrd.get("gateways.gateway.networking.k8s.io"), "postcondition");
    expect(post).toEqual({
      condition: `\${can(regex("${BUNDLE_PATTERN}", self.objects[0].metadata.annotations["gateway.networking.k8s.io/bundle-version"]))}`,
      error_message:
        'CustomResourceDefinition gateways.gateway.networking.k8s.io on EKS cluster prod-eks ${length(self.objects) == 0 ? "is not there" : format("is at Gateway API %s", try(self.objects[0].metadata.annotations["gateway.networking.k8s.io/bundle-version"], "(unknown: no gateway.networking.k8s.io/bundle-version annotation)"))}: gatehouse\'s Gateway API controllers need v1.5 or later, and controller.gatewayApiCrds is "cluster-managed", so they use the Gateway API CRDs the cluster provides (EKS Auto Mode or another installation). Update those to v1.5 or later, or remove them and set controller.gatewayApiCrds: install, so gatehouse installs v1.5.1.',
    });
  });

  it.each([
    ["v1.5.1", true],
    ["v1.5.0", true],
    ["v1.6.0", true],
    ["v1.10.2", true],
    ["v2.0.0", true],
    ["v1.4.1", false],
    ["v1.2.0", false],
    ["v0.8.1", false],
    [undefined, false],
  ])("bundle version %s passes: %s", (version, ok) => {
    for (const crd of GATEWAY_API.crds) {
      const post = checks(byCrd.get(crd), "postcondition")[0] as Check;
      expect(evaluateCondition(post.condition, scope([atVersion(renderedCrd(crd), version)]))).toBe(ok);
    }
  });

  it("fails a cluster without the CRDs, and says what it found", () => {
    const post = checks(byCrd.get("tlsroutes.gateway.networking.k8s.io"), "postcondition")[0] as Check;
    expect(evaluateCondition(post.condition, scope([]))).toBe(false);
    expect(evaluateMessage(post.error_message, scope([]))).toMatch(/^CustomResourceDefinition tlsroutes\.gateway\.networking\.k8s\.io on EKS cluster prod-eks is not there: /);
    expect(evaluateMessage(post.error_message, scope([atVersion(renderedCrd("tlsroutes.gateway.networking.k8s.io"), "v1.2.1")]))).toMatch(/ is at Gateway API v1\.2\.1: gatehouse's Gateway API controllers need v1\.5 or later/);
    expect(evaluateMessage(post.error_message, scope([atVersion(renderedCrd("tlsroutes.gateway.networking.k8s.io"), undefined)]))).toContain(" is at Gateway API (unknown: no gateway.networking.k8s.io/bundle-version annotation): ");
  });

  it("on GKE, names GKE's channel and the fixes", () => {
    const j = build("gke", { source: "cluster-managed" });
    const gke = Object.keys(dataSources(j, "google_container_cluster"))[0] as string;
    const post = checks(lookups(j).get("gateways.gateway.networking.k8s.io"), "postcondition")[0] as Check;
    const message = evaluateMessage(post.error_message, scope([atVersion(renderedCrd("gateways.gateway.networking.k8s.io"), "v1.3.0")], { google_container_cluster: { [gke]: { gateway_api_config: [{ channel: "CHANNEL_STANDARD" }] } as unknown as Json } }));
    expect(message).toBe(
      'CustomResourceDefinition gateways.gateway.networking.k8s.io on GKE cluster euw1 is at Gateway API v1.3.0: gatehouse\'s Gateway API controllers need v1.5 or later, and controller.gatewayApiCrds is "cluster-managed", so they use the CRDs GKE installs (its Gateway API channel here: CHANNEL_STANDARD). Upgrade the cluster to a GKE version whose Gateway API is v1.5 or later, with GKE\'s Gateway API on (gcloud container clusters update euw1 --location europe-west1 --project acme-edge --gateway-api=standard); or turn GKE\'s Gateway API off (Standard clusters: --gateway-api=disabled) and set controller.gatewayApiCrds: install, so gatehouse installs v1.5.1.',
    );
    expect(resources(j, "helm_release")).toEqual({});
    expect(checks(lookups(j).get("gateways.gateway.networking.k8s.io"), "postcondition")).toHaveLength(1);
  });
});

describe("GatewayApiCrds.configure", () => {
  it("is the stack's one setting: the construct made later uses it, whoever asks", () => {
    const app = Testing.app();
    const s = new TerraformStack(app, "c");
    GatewayApiCrds.configure(s, { source: "cluster-managed" });
    expect(GatewayApiCrds.of(s).source).toBe("cluster-managed");
    expect(() => GatewayApiCrds.configure(s, {})).toThrow(/after they were made/);
    const s2 = new TerraformStack(app, "d");
    GatewayApiCrds.configure(s2, {});
    expect(() => GatewayApiCrds.configure(s2, {})).toThrow(/twice/);
    expect(GatewayApiCrds.of(s2).source).toBe("install");
  });
});

// ---------------------------------------------------------------------------------------------
// The channel: standard (default) or experimental

const CHANNEL_ANNOTATION = "gateway.networking.k8s.io/channel";
const BINDING = "safe-upgrades.gateway.networking.k8s.io";

/** The id of the stack's safe-upgrades binding lookup, or undefined. */
const bindingId = (json: TfJson): string | undefined => Object.keys(dataSources(json, "kubernetes_resources")).find((id) => id.startsWith("gateway-api-crds_safe-upgrades-binding_"));

/** The data a condition sees: the binding lookup's result (present or not). */
const withBinding = (json: TfJson, present: boolean): Record<string, Record<string, Json>> => ({ kubernetes_resources: { [bindingId(json) as string]: { objects: present ? [safeUpgradesBinding] : [] } } });

/** Every file under `dir`, by its path relative to it. */
function filesOf(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesOf(join(dir, name), base) : [relative(base, join(dir, name))]));
}

/**
 * About the size of the Secret Helm keeps a release of this chart in: the release as JSON with the
 * chart's files base64-encoded, gzipped (best compression), base64-encoded again (encodeRelease in
 * helm's pkg/storage/driver/util.go); the manifest stands in as the rendered objects' YAML.
 */
function releaseRecordBytes(chartDir: string, objects: readonly KubeObject[]): number {
  const file = (name: string) => ({ name, data: readFileSync(join(chartDir, name)).toString("base64") });
  const names = filesOf(chartDir).sort();
  const record = {
    chart: { templates: names.filter((n) => n.startsWith("templates/")).map(file), files: names.filter((n) => !n.startsWith("templates/") && n !== "Chart.yaml" && n !== "values.yaml").map(file) },
    manifest: objects.map((o) => `---\n${JSON.stringify(o)}`).join("\n"),
  };
  return gzipSync(JSON.stringify(record), { level: 9 }).toString("base64").length;
}

describe("the chart's experimental channel", () => {
  const crds = renderedExperimental.filter((o) => o.kind === "CustomResourceDefinition");
  const rule = (crd: Json): Record<string, unknown> => {
    const versions = list(obj(crd.spec, "spec").versions, "versions").map((v) => obj(v, "version"));
    const v1 = versions.find((v) => v.name === "v1");
    const spec = obj(obj(obj(obj(v1?.schema, "schema").openAPIV3Schema, "openAPIV3Schema").properties, "properties").spec, "spec");
    return obj(obj(obj(obj(spec.properties, "properties").rules, "rules").items, "items").properties, "rule properties");
  };

  it("renders exactly GATEWAY_API.experimentalCrds, each of the experimental channel at v1.5.1 and kept on uninstall", () => {
    expect(crds.map((o) => o.metadata.name).sort()).toEqual([...GATEWAY_API.experimentalCrds].sort());
    expect(gatewayApiCrdNames("experimental")).toEqual(GATEWAY_API.experimentalCrds);
    expect(gatewayApiCrdNames("standard")).toEqual(GATEWAY_API.crds);
    for (const o of crds) expect(o.metadata.annotations).toMatchObject({ [CHANNEL_ANNOTATION]: "experimental", "gateway.networking.k8s.io/bundle-version": GATEWAY_API.version, "helm.sh/resource-policy": "keep" });
    // Every standard CRD is in the experimental channel too: the standard list is what both have.
    expect(GATEWAY_API.experimentalCrds).toEqual(expect.arrayContaining([...GATEWAY_API.crds]));
    // The same safe-upgrades policy and binding as the standard channel.
    const others = (objects: readonly KubeObject[]) => objects.filter((o) => o.kind !== "CustomResourceDefinition").map((o) => JSON.stringify(o));
    expect(others(renderedExperimental)).toEqual(others(rendered));
    expect(others(rendered).length).toBe(2);
  });

  it("renders every document of experimental/ unchanged apart from the keep annotation", () => {
    const dir = join(CHART_DIR, "experimental");
    const upstream = readdirSync(dir)
      .sort()
      .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as Json | null))
      .filter((d): d is Json => d !== null);
    const key = (o: Json) => `${String(o.kind)}/${String(obj(o.metadata, "metadata").name)}`;
    const byKey = new Map(renderedExperimental.map((o) => [key(o as unknown as Json), o as unknown as Json]));
    expect([...byKey.keys()].sort()).toEqual(upstream.map(key).sort());
    for (const u of upstream) {
      const meta = obj(u.metadata, "metadata");
      expect(byKey.get(key(u))).toEqual({ ...u, metadata: { ...meta, annotations: { ...obj(meta.annotations ?? {}, "annotations"), "helm.sh/resource-policy": "keep" } } });
    }
  });

  it("has HTTPRoute's retry (GEP-1731) in the rule schema, which the standard channel's HTTPRoute lacks", () => {
    expect(Object.keys(rule(experimentalCrd("httproutes.gateway.networking.k8s.io")))).toContain("retry");
    expect(Object.keys(rule(renderedCrd("httproutes.gateway.networking.k8s.io")))).not.toContain("retry");
    expect(Object.keys(rule(renderedCrd("httproutes.gateway.networking.k8s.io")))).toEqual(expect.arrayContaining(["backendRefs", "filters", "matches", "timeouts"]));
  });

  it("is chosen by the values' channel; the chart refuses any other value", () => {
    expect(renderChannel("standard").map((o) => JSON.stringify(o))).toEqual(rendered.map((o) => JSON.stringify(o)));
    const refused = (value: string) => `channel must be "standard" or "experimental" (the Gateway API release channels this chart ships), not ${value}`;
    expect(() => renderChannel("beta")).toThrow(refused('"beta"'));
    expect(() => renderChannel("Experimental")).toThrow(refused('"Experimental"'));
    expect(() => renderChannel('""')).toThrow(refused('""'));
  });
});

describe("the chart a release gets: one channel's files", () => {
  for (const channel of ["standard", "experimental"] as const) {
    it(`${channel}: the shipped chart without the other channel's directory, rendering the ${channel} channel`, () => {
      // A real synth, which copies the assets (the providers are no concern here).
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), "gatehouse-crds-")), skipValidation: true });
      const stack = new TerraformStack(app, "test");
      GatewayApiCrds.configure(stack, { channel });
      const crds = GatewayApiCrds.of(stack);
      app.synth();
      const dir = join(app.outdir, "stacks", "test", String(crds.chart?.path));
      const other = channel === "standard" ? "experimental" : "standard";
      expect(filesOf(dir).sort()).toEqual(filesOf(CHART_DIR).filter((f) => !f.startsWith(`${other}/`)).sort());
      for (const f of filesOf(dir)) expect(readFileSync(join(dir, f)).equals(readFileSync(join(CHART_DIR, f)))).toBe(true);
      const objects = renderChannel(channel, dir);
      expect(objects.map((o) => JSON.stringify(o))).toEqual((channel === "standard" ? rendered : renderedExperimental).map((o) => JSON.stringify(o)));
      // Asked for the other channel, that copy fails instead of rendering nothing.
      expect(() => renderChannel(other, dir)).toThrow(`channel "${other}": the chart holds no ${other}/*.yaml`);
      // Helm keeps the chart in each release record (a Secret: at most 1 MiB); one channel leaves room.
      expect(releaseRecordBytes(dir, objects)).toBeLessThan(0.75 * 1024 * 1024);
      expect(String(obj(crdRelease(JSON.parse(Testing.synth(stack)) as TfJson), "release").chart)).toBe(`./${String(crds.chart?.path).replace(/\/$/, "")}`);
      rmSync(app.outdir, { recursive: true, force: true });
    });
  }

  it("leaves out only what the chart has: a name it lacks is an error, not a copy of everything", () => {
    const stack = new TerraformStack(Testing.app(), "t");
    expect(() => localChart(stack, "chart", GATEWAY_API.chart, { leaveOut: ["experimental", "beta"] })).toThrow(`gatehouse: the chart gateway-api-crds has no beta to leave out (${CHART_DIR})`);
  });

  it("would come near the Secret's limit with both channels' files", () => {
    expect(releaseRecordBytes(CHART_DIR, renderedExperimental)).toBeGreaterThan(0.9 * 1024 * 1024);
  });
});

describe("the channel's props", () => {
  it('defaults to "standard" and refuses anything else at path channel, naming the channels', () => {
    expect(gatewayApiCrdsProblems({})).toEqual([]);
    expect(gatewayApiCrdsProblems({ channel: "experimental" })).toEqual([]);
    expect(gatewayApiCrdsProblems({ channel: "beta" as GatewayApiChannel })).toEqual([{ path: "channel", value: "beta", message: 'must be one of "standard", "experimental" (the Gateway API release channels gatehouse ships)' }]);
    expect(() => build("none", { channel: "beta" as GatewayApiChannel })).toThrow(ConfigError);
    const app = Testing.app();
    const s = new TerraformStack(app, "c");
    GatewayApiCrds.configure(s, {});
    expect(GatewayApiCrds.of(s).channel).toBe("standard");
  });
});

describe("install of the experimental channel", () => {
  const json = build("eks", { channel: "experimental" });
  const byCrd = lookups(json);
  const id = bindingId(json) as string;

  it("sets the channel on the release, and nothing for the standard channel (the chart's default)", () => {
    expect(crdRelease(json).set).toEqual([{ name: "channel", value: "experimental", type: "string" }]);
    expect(crdRelease(json).values).toBeUndefined();
    expect(crdRelease(build("eks")).values).toBeUndefined();
    expect(crdRelease(build("eks")).set).toBeUndefined();
    expect(GatewayApiCrds.of(new TerraformStack(Testing.app(), "x"), { channel: "experimental" }).channel).toBe("experimental");
  });

  it("reads every CRD the experimental chart renders, and upstream's safe-upgrades binding by name", () => {
    expect([...byCrd.keys()].sort()).toEqual(renderedExperimental.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name).sort());
    expect(Object.keys(dataSources(json, "kubernetes_resources")).map((i) => i.replace(/_[0-9A-F]{8}$/, "")).sort()).toEqual(
      [...GATEWAY_API.experimentalCrds.map((c) => `gateway-api-crds_crd-${c.split(".")[0]}`), "gateway-api-crds_safe-upgrades-binding"].sort(),
    );
    const binding = dataSources(json, "kubernetes_resources")[id];
    expect({ api_version: binding?.api_version, kind: binding?.kind, field_selector: binding?.field_selector, lifecycle: binding?.lifecycle }).toEqual({
      api_version: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      field_selector: `metadata.name=${BINDING}`,
      lifecycle: undefined,
    });
    // Only where it matters: not for the standard channel, nor for the cluster's own CRDs.
    expect(bindingId(build("eks"))).toBeUndefined();
    expect(bindingId(build("eks", { source: "cluster-managed", channel: "experimental" }))).toBeUndefined();
  });

  it("checks ownership of every CRD, and the channel of those the policy judges (group gateway.networking.k8s.io), by value", () => {
    for (const [crd, d] of byCrd) {
      const posts = checks(d, "postcondition");
      expect(posts[0]?.error_message).toContain(`CustomResourceDefinition ${crd} is on EKS cluster prod-eks already, and not from gatehouse's Helm release`);
      expect(posts).toHaveLength(crd.endsWith(".gateway.networking.k8s.io") ? 2 : 1);
    }
    const [, post] = checks(byCrd.get("httproutes.gateway.networking.k8s.io"), "postcondition");
    expect(post).toEqual({
      condition: `\${length(data.kubernetes_resources.${id}.objects) == 0 || alltrue([for o in self.objects : !(try(o.metadata.labels["app.kubernetes.io/managed-by"], "") == "Helm" && try(o.metadata.annotations["meta.helm.sh/release-name"], "") == "gateway-api-crds" && try(o.metadata.annotations["meta.helm.sh/release-namespace"], "") == "kube-system") || try(o.metadata.annotations["gateway.networking.k8s.io/channel"], "") == "experimental"])}`,
      error_message:
        'CustomResourceDefinition httproutes.gateway.networking.k8s.io on EKS cluster prod-eks ${try(self.objects[0].metadata.annotations["gateway.networking.k8s.io/channel"], "") == "" ? "has no gateway.networking.k8s.io/channel annotation" : format("is of the Gateway API %s channel", try(self.objects[0].metadata.annotations["gateway.networking.k8s.io/channel"], ""))}, and controller.gatewayApiChannel is "experimental": the ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io (from the Gateway API\'s own files, bound on the cluster) refuses experimental CRDs over any other, so Helm\'s upgrade would fail on it. To move the cluster to the experimental channel, delete the policy\'s binding, then apply: kubectl delete validatingadmissionpolicybinding safe-upgrades.gateway.networking.k8s.io. The upgrade creates the binding again with the rest of the chart (Helm creates the objects of a release that are missing), and the policy then admits experimental CRDs over experimental ones. Or keep controller.gatewayApiChannel: standard.',
    });
  });

  const policyCheck = (crd: string) => checks(byCrd.get(crd), "postcondition")[1] as Check;
  const standardCrds = GATEWAY_API.crds;
  const own = (crd: Json) => installedBy(crd, "gateway-api-crds", "kube-system");

  it("passes a fresh cluster, with or without the binding", () => {
    for (const crd of GATEWAY_API.experimentalCrds.filter((c) => c.endsWith(".gateway.networking.k8s.io"))) {
      expect(evaluateCondition(policyCheck(crd).condition, scope([], withBinding(json, true)))).toBe(true);
      expect(evaluateCondition(policyCheck(crd).condition, scope([], withBinding(json, false)))).toBe(true);
    }
  });

  it("fails the release's own standard CRDs while the binding is there, and says how to switch", () => {
    for (const crd of standardCrds) {
      expect(evaluateCondition(policyCheck(crd).condition, scope([own(renderedCrd(crd))], withBinding(json, true)))).toBe(false);
      // Without a channel annotation, the policy refuses as well.
      expect(evaluateCondition(policyCheck(crd).condition, scope([own(onChannel(renderedCrd(crd), undefined))], withBinding(json, true)))).toBe(false);
    }
    expect(evaluateMessage(policyCheck("gateways.gateway.networking.k8s.io").error_message, scope([own(renderedCrd("gateways.gateway.networking.k8s.io"))], withBinding(json, true)))).toBe(
      'CustomResourceDefinition gateways.gateway.networking.k8s.io on EKS cluster prod-eks is of the Gateway API standard channel, and controller.gatewayApiChannel is "experimental": the ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io (from the Gateway API\'s own files, bound on the cluster) refuses experimental CRDs over any other, so Helm\'s upgrade would fail on it. To move the cluster to the experimental channel, delete the policy\'s binding, then apply: kubectl delete validatingadmissionpolicybinding safe-upgrades.gateway.networking.k8s.io. The upgrade creates the binding again with the rest of the chart (Helm creates the objects of a release that are missing), and the policy then admits experimental CRDs over experimental ones. Or keep controller.gatewayApiChannel: standard.',
    );
    expect(evaluateMessage(policyCheck("gateways.gateway.networking.k8s.io").error_message, scope([own(onChannel(renderedCrd("gateways.gateway.networking.k8s.io"), undefined))], withBinding(json, true)))).toMatch(
      /^CustomResourceDefinition gateways\.gateway\.networking\.k8s\.io on EKS cluster prod-eks has no gateway\.networking\.k8s\.io\/channel annotation, and controller\.gatewayApiChannel is "experimental": /,
    );
  });

  it("passes the release's own standard CRDs once the binding is deleted (the reviewed switch)", () => {
    for (const crd of standardCrds) expect(evaluateCondition(policyCheck(crd).condition, scope([own(renderedCrd(crd))], withBinding(json, false)))).toBe(true);
  });

  it("passes experimental over experimental, binding or not", () => {
    for (const crd of standardCrds)
      for (const present of [true, false]) expect(evaluateCondition(policyCheck(crd).condition, scope([own(experimentalCrd(crd))], withBinding(json, present)))).toBe(true);
  });

  it("leaves CRDs of anyone else to the ownership check (one error for one problem)", () => {
    const crd = "httproutes.gateway.networking.k8s.io";
    const foreign = installedBy(renderedCrd(crd), "envoy-gateway-crds", "envoy-gateway-system");
    expect(evaluateCondition(policyCheck(crd).condition, scope([foreign], withBinding(json, true)))).toBe(true);
    expect(evaluateCondition((checks(byCrd.get(crd), "postcondition")[0] as Check).condition, scope([foreign], withBinding(json, true)))).toBe(false);
  });

  it("on GKE, leaves everything to GKE's channel check while GKE's Gateway API is on", () => {
    const j = build("gke", { channel: "experimental" });
    const gke = Object.keys(dataSources(j, "google_container_cluster"))[0] as string;
    const data = (channel: string) => ({ ...withBinding(j, true), google_container_cluster: { [gke]: { gateway_api_config: [{ channel }] } as unknown as Json } });
    const post = checks(lookups(j).get("gateways.gateway.networking.k8s.io"), "postcondition")[1] as Check;
    expect(post.condition.startsWith(`\${!contains(["CHANNEL_DISABLED", "CHANNEL_UNSPECIFIED", ""], try(data.google_container_cluster.${gke}.gateway_api_config[0].channel, "")) || length(data.kubernetes_resources.${bindingId(j)}.objects) == 0 || `)).toBe(true);
    const standard = [own(renderedCrd("gateways.gateway.networking.k8s.io"))];
    expect(evaluateCondition(post.condition, scope(standard, data("CHANNEL_STANDARD")))).toBe(true);
    expect(evaluateCondition(post.condition, scope(standard, data("CHANNEL_DISABLED")))).toBe(false);
  });

  it(`on GKE, fails where a binding puts GKE's ${GKE_STANDARD_CHANNEL_POLICY} policy in force, by value`, () => {
    const j = build("gke", { channel: "experimental" });
    const gke = Object.keys(dataSources(j, "google_container_cluster"))[0] as string;
    const found = Object.entries(dataSources(j, "kubernetes_resources")).filter(([id]) => id.startsWith("gateway-api-crds_gke-standard-channel-bindings"));
    expect(found).toHaveLength(1);
    const [, lookup] = found[0] as [string, Json];
    // Every binding, cluster-wide: GKE's binding is found by the policy it binds, not by its own name.
    expect([lookup.api_version, lookup.kind, lookup.field_selector, lookup.namespace]).toEqual(["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", undefined, undefined]);
    const [post] = checks(lookup, "postcondition") as [Check];
    expect(post.error_message).toBe(
      `GKE cluster euw1 binds GKE's ValidatingAdmissionPolicy ${GKE_STANDARD_CHANNEL_POLICY}, which refuses Gateway API CRDs of the experimental channel, and controller.gatewayApiChannel is "experimental": Helm's install of them would fail. Keep controller.gatewayApiChannel: standard on this cluster (and remove retries from the routes of an Istio environment), or run the environment where experimental CRDs are allowed.`,
    );
    const data = (channel: string) => ({ google_container_cluster: { [gke]: { gateway_api_config: [{ channel }] } as unknown as Json } });
    const binding = (name: string, policyName: string): Json => ({ apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name }, spec: { policyName, validationActions: ["Deny"] } });
    const safe = binding("safe-upgrades.gateway.networking.k8s.io", "safe-upgrades.gateway.networking.k8s.io");
    expect(evaluateCondition(post.condition, scope([], data("CHANNEL_DISABLED")))).toBe(true);
    expect(evaluateCondition(post.condition, scope([safe, { metadata: { name: "bare" } }], data("CHANNEL_DISABLED")))).toBe(true);
    expect(evaluateCondition(post.condition, scope([safe, binding("gke-binding", GKE_STANDARD_CHANNEL_POLICY)], data("CHANNEL_DISABLED")))).toBe(false);
    // GKE's Gateway API on: the release's channel check reports the cluster, once.
    expect(evaluateCondition(post.condition, scope([binding("gke-binding", GKE_STANDARD_CHANNEL_POLICY)], data("CHANNEL_STANDARD")))).toBe(true);
    // Not read for the standard channel, nor off GKE.
    for (const other of [build("gke"), build("eks", { channel: "experimental" })])
      expect(Object.keys(dataSources(other, "kubernetes_resources")).filter((id) => id.includes("gke-standard-channel"))).toEqual([]);
  });
});

describe("install of the standard channel: the release's experimental CRDs stay experimental", () => {
  const json = build("eks");
  const byCrd = lookups(json);
  const keepCheck = (crd: string) => checks(byCrd.get(crd), "postcondition")[1] as Check;
  const own = (crd: Json) => installedBy(crd, "gateway-api-crds", "kube-system");

  it("checks each CRD of the release, by value", () => {
    for (const d of byCrd.values()) expect(checks(d, "postcondition")).toHaveLength(2);
    expect(keepCheck("httproutes.gateway.networking.k8s.io")).toEqual({
      condition:
        '${alltrue([for o in self.objects : !(try(o.metadata.labels["app.kubernetes.io/managed-by"], "") == "Helm" && try(o.metadata.annotations["meta.helm.sh/release-name"], "") == "gateway-api-crds" && try(o.metadata.annotations["meta.helm.sh/release-namespace"], "") == "kube-system") || try(o.metadata.annotations["gateway.networking.k8s.io/channel"], "") != "experimental"])}',
      error_message:
        'CustomResourceDefinition httproutes.gateway.networking.k8s.io on EKS cluster prod-eks is of the Gateway API experimental channel (gateway.networking.k8s.io/channel: experimental), and controller.gatewayApiChannel is "standard": gatehouse does not move a cluster back to the standard channel by itself. The standard CRDs would stop serving the versions only the experimental channel serves and drop its fields (HTTPRoute\'s retry among them) from every object that sets them, the experimental-only CRDs (TCPRoute, UDPRoute, XBackendTrafficPolicy, XMesh) would stay behind outside the release, and the API server refuses a CRD update that leaves out a version still in the CRD\'s status.storedVersions. Keep controller.gatewayApiChannel: experimental, or first follow "Back to the standard channel" in gatehouse\'s modules/k8s/charts/gateway-api-crds/README.md.',
    });
  });

  it("passes a fresh cluster and the release's standard CRDs, fails its experimental ones", () => {
    for (const crd of GATEWAY_API.crds) {
      expect(evaluateCondition(keepCheck(crd).condition, scope([]))).toBe(true);
      expect(evaluateCondition(keepCheck(crd).condition, scope([own(renderedCrd(crd))]))).toBe(true);
      expect(evaluateCondition(keepCheck(crd).condition, scope([own(experimentalCrd(crd))]))).toBe(false);
      // Someone else's experimental CRDs are the ownership check's to report.
      expect(evaluateCondition(keepCheck(crd).condition, scope([experimentalCrd(crd)]))).toBe(true);
    }
  });

  it("sets nothing on the release and reads no binding (the standard release's Terraform is as before)", () => {
    expect(crdRelease(json).values).toBeUndefined();
    expect(crdRelease(json).set).toBeUndefined();
    expect(bindingId(json)).toBeUndefined();
    expect([...byCrd.keys()].sort()).toEqual([...GATEWAY_API.crds].sort());
  });
});

describe("cluster-managed with the experimental channel: the cluster's HTTPRoute CRD must be experimental", () => {
  const json = build("eks", { source: "cluster-managed", channel: "experimental" });
  const byCrd = lookups(json);
  const HTTPROUTES = "httproutes.gateway.networking.k8s.io";
  const channelCheck = (j: TfJson) => checks(lookups(j).get(HTTPROUTES), "postcondition")[1] as Check;

  it("reads the CRDs every channel has, installs nothing, and checks the channel of HTTPRoute only, by value", () => {
    expect([...byCrd.keys()].sort()).toEqual([...GATEWAY_API.crds].sort());
    expect(resources(json, "helm_release")).toEqual({});
    for (const [crd, d] of byCrd) expect(checks(d, "postcondition")).toHaveLength(crd === HTTPROUTES ? 2 : 1);
    expect(channelCheck(json)).toEqual({
      condition: '${length(self.objects) == 0 || try(self.objects[0].metadata.annotations["gateway.networking.k8s.io/channel"], "") == "experimental"}',
      error_message:
        'CustomResourceDefinition httproutes.gateway.networking.k8s.io on EKS cluster prod-eks ${try(self.objects[0].metadata.annotations["gateway.networking.k8s.io/channel"], "") == "" ? "has no gateway.networking.k8s.io/channel annotation" : format("is of the Gateway API %s channel", try(self.objects[0].metadata.annotations["gateway.networking.k8s.io/channel"], ""))}, and controller.gatewayApiChannel is "experimental" with controller.gatewayApiCrds "cluster-managed": routes\' retries need HTTPRoute\'s retry field, which only the experimental channel\'s CRD has (the API server drops it from routes under a standard one). Install the experimental channel\'s CRDs (Gateway API v1.5 or later) where the cluster\'s CRDs come from, or remove those and set controller.gatewayApiCrds: install, so gatehouse installs the experimental channel of v1.5.1; or set controller.gatewayApiChannel: standard and remove retries from the routes (routes.<name>.retries).',
    });
  });

  it("passes an experimental HTTPRoute CRD, fails a standard one or one without the annotation, and leaves an absent one to the version check", () => {
    const post = channelCheck(json);
    expect(evaluateCondition(post.condition, scope([experimentalCrd(HTTPROUTES)]))).toBe(true);
    expect(evaluateCondition(post.condition, scope([renderedCrd(HTTPROUTES)]))).toBe(false);
    expect(evaluateCondition(post.condition, scope([onChannel(renderedCrd(HTTPROUTES), undefined)]))).toBe(false);
    expect(evaluateCondition(post.condition, scope([]))).toBe(true);
    expect(evaluateCondition((checks(byCrd.get(HTTPROUTES), "postcondition")[0] as Check).condition, scope([]))).toBe(false);
    expect(evaluateMessage(post.error_message, scope([renderedCrd(HTTPROUTES)]))).toMatch(/^CustomResourceDefinition httproutes\.gateway\.networking\.k8s\.io on EKS cluster prod-eks is of the Gateway API standard channel, and controller\.gatewayApiChannel is "experimental" with controller\.gatewayApiCrds "cluster-managed": /);
    expect(evaluateMessage(post.error_message, scope([onChannel(renderedCrd(HTTPROUTES), undefined)]))).toMatch(/ prod-eks has no gateway\.networking\.k8s\.io\/channel annotation, and controller\.gatewayApiChannel/);
  });

  it("on GKE, says GKE installs the standard channel and names the fixes", () => {
    const j = build("gke", { source: "cluster-managed", channel: "experimental" });
    const gke = Object.keys(dataSources(j, "google_container_cluster"))[0] as string;
    const message = evaluateMessage(channelCheck(j).error_message, scope([renderedCrd(HTTPROUTES)], { google_container_cluster: { [gke]: { gateway_api_config: [{ channel: "CHANNEL_STANDARD" }] } as unknown as Json } }));
    expect(message).toBe(
      'CustomResourceDefinition httproutes.gateway.networking.k8s.io on GKE cluster euw1 is of the Gateway API standard channel, and controller.gatewayApiChannel is "experimental" with controller.gatewayApiCrds "cluster-managed": routes\' retries need HTTPRoute\'s retry field, which only the experimental channel\'s CRD has (the API server drops it from routes under a standard one). GKE installs the Gateway API\'s standard channel (its Gateway API channel here: CHANNEL_STANDARD; GKE\'s API deprecates CHANNEL_EXPERIMENTAL). Turn GKE\'s Gateway API off (Standard clusters: gcloud container clusters update euw1 --location europe-west1 --project acme-edge --gateway-api=disabled) and set controller.gatewayApiCrds: install, so gatehouse installs the experimental channel of v1.5.1; or set controller.gatewayApiChannel: standard and remove retries from the routes (routes.<name>.retries).',
    );
  });

  it("has no channel check with the standard channel: the experimental channel is a superset", () => {
    const j = build("eks", { source: "cluster-managed" });
    for (const d of lookups(j).values()) expect(checks(d, "postcondition")).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The environment field and the cluster stacks

const NGF_ENV = (crds?: "install" | "cluster-managed", channel?: string): EnvInput => ({
  name: "ngf",
  ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } },
  controller: { kind: "nginx-gateway-fabric", ...(crds ? { gatewayApiCrds: crds } : {}), ...(channel ? { gatewayApiChannel: channel } : {}) } as EnvInput["controller"],
  aws: {
    region: "eu-west-1",
    cluster: { name: "ngf-eks" },
    vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.0.0.0/16"] },
    nlb: { subnets: ["subnet-0123456789abcdef1", "subnet-0123456789abcdef2"], tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } },
    targets: { mode: "discover", tagValues: ["eks-node"] },
    workerSecurityGroupIds: ["sg-0123456789abcdef0"],
  },
  hostnames: ["example.com"],
  gcp: {
    project: "acme-test-edge",
    dns: { zone: "example-com", domain: "example.com" },
    nodeTargets: { tags: ["gke-node"] },
    clusters: [{ name: "c1", location: "europe-west1", zones: ["europe-west1-b"] }],
  },
});

describe("controller.gatewayApiCrds", () => {
  it('defaults to "install" and refuses anything else with what each value means', () => {
    expect(EnvSchema.parse(NGF_ENV()).controller.gatewayApiCrds).toBe("install");
    expect(EnvSchema.parse(NGF_ENV("cluster-managed")).controller.gatewayApiCrds).toBe("cluster-managed");
    const r = EnvSchema.safeParse({ ...NGF_ENV(), controller: { kind: "nginx-gateway-fabric", gatewayApiCrds: "gke" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([
      ["controller.gatewayApiCrds", 'must be "install" (gatehouse installs the Gateway API CRDs) or "cluster-managed" (GKE, EKS Auto Mode or another installation provides them)'],
    ]);
  });
});

describe("controller.gatewayApiChannel", () => {
  it('defaults to "standard" and is refused otherwise, at its field, as the loader reports it', () => {
    expect(EnvSchema.parse(NGF_ENV()).controller.gatewayApiChannel).toBe("standard");
    expect(EnvSchema.parse(NGF_ENV(undefined, "experimental")).controller.gatewayApiChannel).toBe("experimental");
    expect(loadProblems(NGF_ENV(undefined, "experimental"))).toEqual([]);
    expect(loadProblems(NGF_ENV("cluster-managed", "experimental"))).toEqual([]);
    expect(loadProblems(NGF_ENV(undefined, "beta"))).toEqual([
      'controller.gatewayApiChannel: must be "standard" (the Gateway API\'s standard channel) or "experimental" (its experimental channel, for HTTPRoute retries on istio)',
    ]);
  });
});

describe("the cluster stacks", () => {
  const stacks = synthEnvs([NGF_ENV()]);
  const aws = stacks["ngf-aws-cluster"] as TfJson;
  const gke = stacks["ngf-gcp-cluster-c1"] as TfJson;

  it("EKS: the CRD release checks the version of the EKS cluster the providers connect to, and the CRDs' owners", () => {
    const eks = Object.keys(dataSources(aws, "aws_eks_cluster"));
    expect(eks).toHaveLength(1);
    const [pre, ...rest] = checks(crdRelease(aws), "precondition");
    expect(rest).toEqual([]);
    expect(pre).toEqual({ condition: `\${can(regex("${K8S_PATTERN}", data.aws_eks_cluster.${eks[0]}.version))}`, error_message: "EKS cluster ngf-eks runs Kubernetes older than 1.31, which the Gateway API v1.5.1 CRD chart requires (Gateway API v1.5 CRDs use CEL rules that need it); upgrade the cluster first." });
    expect([...lookups(aws).keys()].sort()).toEqual([...GATEWAY_API.crds].sort());
  });

  it("GKE: the CRD release checks the master version and GKE's Gateway API channel of the cluster", () => {
    const id = Object.keys(dataSources(gke, "google_container_cluster"));
    expect(id).toHaveLength(1);
    const pres = checks(crdRelease(gke), "precondition");
    expect(pres.map((p) => p.condition)).toEqual([
      `\${can(regex("${K8S_PATTERN}", data.google_container_cluster.${id[0]}.master_version))}`,
      `\${contains(["CHANNEL_DISABLED", "CHANNEL_UNSPECIFIED", ""], try(data.google_container_cluster.${id[0]}.gateway_api_config[0].channel, ""))}`,
    ]);
    expect(pres[0]?.error_message).toMatch(/^GKE cluster c1 runs Kubernetes older than 1\.31/);
    expect(pres[1]?.error_message).toContain("gcloud container clusters update c1 --location europe-west1 --project acme-test-edge --gateway-api=disabled");
    expect([...lookups(gke).keys()].sort()).toEqual([...GATEWAY_API.crds].sort());
  });

  it("cluster-managed: neither stack installs the CRDs; both check the cluster's", () => {
    const managed = synthEnvs([NGF_ENV("cluster-managed")]);
    for (const name of ["ngf-aws-cluster", "ngf-gcp-cluster-c1"]) {
      const j = managed[name] as TfJson;
      expect(Object.values(resources(j, "helm_release")).map((r) => r.name)).not.toContain("gateway-api-crds");
      expect(lookups(j).size).toBe(GATEWAY_API.crds.length);
      for (const d of lookups(j).values()) expect(checks(d, "postcondition")[0]?.condition).toContain("gateway.networking.k8s.io/bundle-version");
    }
  });

  it("pass the environment's channel: both stacks install the experimental chart and read its CRDs and the safe-upgrades binding", () => {
    const experimental = synthEnvs([NGF_ENV(undefined, "experimental")]);
    for (const name of ["ngf-aws-cluster", "ngf-gcp-cluster-c1"]) {
      const j = experimental[name] as TfJson;
      expect(crdRelease(j).set).toEqual([{ name: "channel", value: "experimental", type: "string" }]);
      expect([...lookups(j).keys()].sort()).toEqual([...GATEWAY_API.experimentalCrds].sort());
      expect(dataSources(j, "kubernetes_resources")[bindingId(j) as string]?.field_selector).toBe(`metadata.name=${BINDING}`);
      expect(checks(lookups(j).get("gateways.gateway.networking.k8s.io"), "postcondition")[1]?.error_message).toContain(`kubectl delete validatingadmissionpolicybinding ${BINDING}`);
    }
    // The standard channel: no values, no binding, the channel check that keeps experimental CRDs.
    for (const name of ["ngf-aws-cluster", "ngf-gcp-cluster-c1"]) {
      const j = stacks[name] as TfJson;
      expect(crdRelease(j).values).toBeUndefined();
      expect(crdRelease(j).set).toBeUndefined();
      expect(bindingId(j)).toBeUndefined();
      expect(checks(lookups(j).get("gateways.gateway.networking.k8s.io"), "postcondition")[1]?.error_message).toContain('and controller.gatewayApiChannel is "standard": gatehouse does not move a cluster back');
    }
  });

  it("cluster-managed with the experimental channel: both stacks check the cluster's HTTPRoute CRD's channel (GKE: with GKE's fix)", () => {
    const managed = synthEnvs([NGF_ENV("cluster-managed", "experimental")]);
    const aws = managed["ngf-aws-cluster"] as TfJson;
    const gke = managed["ngf-gcp-cluster-c1"] as TfJson;
    for (const j of [aws, gke]) {
      expect(Object.values(resources(j, "helm_release")).map((r) => r.name)).not.toContain("gateway-api-crds");
      expect(checks(lookups(j).get("httproutes.gateway.networking.k8s.io"), "postcondition")[1]?.condition).toContain('"gateway.networking.k8s.io/channel"], "") == "experimental"');
    }
    expect(checks(lookups(gke).get("httproutes.gateway.networking.k8s.io"), "postcondition")[1]?.error_message).toContain("gcloud container clusters update c1 --location europe-west1 --project acme-test-edge --gateway-api=disabled");
    expect(checks(lookups(aws).get("httproutes.gateway.networking.k8s.io"), "postcondition")[1]?.error_message).toContain("where the cluster's CRDs come from");
  });

  it("ingress-nginx needs no Gateway API CRDs: nothing installed or read", () => {
    const plain = synthEnvs([{ ...NGF_ENV(), controller: { kind: "ingress-nginx" } }]);
    for (const j of Object.values(plain)) {
      expect(dataSources(j, "kubernetes_resources")).toEqual({});
      expect(Object.values(resources(j, "helm_release")).map((r) => r.name)).not.toContain("gateway-api-crds");
    }
  });
});
