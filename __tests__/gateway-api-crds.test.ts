/**
 * The Gateway API CRDs and the clusters they go on (modules/k8s/gateway-api.ts):
 * - the shipped chart's Kubernetes floor, refused and accepted by the real helm binary;
 * - the one plan-time Kubernetes version check, shared by the CRD release and the Lattice controller;
 * - `install`: every CRD of the chart read at plan time and required absent or this release's
 *   (Helm's ownership metadata), and on GKE a refusal while GKE's own Gateway API is on;
 * - `cluster-managed`: no release, every CRD required on the cluster at v1.5 or later;
 * - the environment field, and what the EKS and GKE cluster stacks emit.
 * Conditions and messages are compared by value and evaluated (__tests__/helpers/hcl.ts) against
 * the objects a cluster would return: the CRDs the chart renders, with or without the metadata
 * Helm adds when it installs them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { Testing, TerraformStack } from "cdktf";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataGoogleContainerCluster } from "@cdktf/provider-google/lib/data-google-container-cluster";
import { EnvSchema, type EnvInput } from "../modules/config/schema";
import { ConfigError } from "../modules/core/errors";
import { AwsGatewayController } from "../modules/k8s/aws-gateway-controller";
import type { ControllerSettings } from "../modules/k8s/controllers/plugin";
import { GATEWAY_API, GatewayApiCrds, kubernetesVersionCheck, type GatewayApiCrdsProps } from "../modules/k8s/gateway-api";
import { localChartDir } from "../modules/k8s/local-chart";
import { nginxGatewayFabricPlugin } from "../modules/k8s/controllers/nginx-gateway-fabric";
import { nginxGatewayFabricIdentity } from "../modules/k8s/controllers/nginx-gateway-fabric-identity";
import { kubernetesMinimumPattern } from "../modules/model/lattice";
import { identityContract } from "./helpers/fixtures";
import { renderChart, type KubeObject } from "./helpers/helm";
import { evaluateCondition, evaluateMessage, HclError, type HclValue } from "./helpers/hcl";
import { list, obj, type Json } from "./helpers/json";
import { dataSources, resources, synthEnvs, type TfJson } from "./helpers/synth";
import { GATEWAY_API_CRDS_DEFAULTS } from "../modules/model/defaults";

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
  return new Map(Object.values(dataSources(json, "kubernetes_resources")).map((d) => [String(d.field_selector).replace(/^metadata\.name=/, ""), d as Json]));
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
// The environment field and the cluster stacks

const NGF_ENV = (crds?: "install" | "cluster-managed"): EnvInput => ({
  name: "ngf",
  ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } },
  controller: { kind: "nginx-gateway-fabric", ...(crds ? { gatewayApiCrds: crds } : {}) },
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

  it("ingress-nginx needs no Gateway API CRDs: nothing installed or read", () => {
    const plain = synthEnvs([{ ...NGF_ENV(), controller: { kind: "ingress-nginx" } }]);
    for (const j of Object.values(plain)) {
      expect(dataSources(j, "kubernetes_resources")).toEqual({});
      expect(Object.values(resources(j, "helm_release")).map((r) => r.name)).not.toContain("gateway-api-crds");
    }
  });
});
