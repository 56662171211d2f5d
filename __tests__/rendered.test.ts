/**
 * The controller chart, rendered for real: every cluster stack's `helm_release` values go through
 * `helm template` with the vendored ingress-nginx 4.15.1 chart, and the rendered objects are
 * checked against the Terraform that points load balancers at them: NodePorts and pod ports per
 * entry point, the health-check Service, TargetGroupBindings, GKE NEG names and ports, and PROXY
 * protocol on both sides. Rendered objects are validated against the Kubernetes schemas
 * (kubernetes-models), TargetGroupBindings against the AWS Load Balancer Controller's CRD.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ValidatingWebhookConfiguration } from "kubernetes-models/admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration";
import { DaemonSet } from "kubernetes-models/apps/v1/DaemonSet";
import { Deployment, type IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { IngressClass } from "kubernetes-models/networking.k8s.io/v1/IngressClass";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { ConfigMap, type IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IContainer } from "kubernetes-models/v1/Container";
import type { IProbe } from "kubernetes-models/v1/Probe";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service, type IService } from "kubernetes-models/v1/Service";
import type { IServicePort } from "kubernetes-models/v1/ServicePort";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { DEMO_ENVS } from "../envs/examples/demo";
import { loadEnvironments } from "../modules/config/loader";
import type { Env, EnvInput } from "../modules/config/schema";
import { renderChart, terraformStringValue, type KubeObject } from "./helpers/helm";
import { str, obj, list, type Json } from "./helpers/json";
import { crdValidators, objectValidator } from "./helpers/crd";
import { kubeValidator } from "./helpers/kube-models";
import { awsEnv, MQTTS, patch } from "./helpers/fixtures";
import { dataSources, parseEnv, resources, synthDefaults, synthEnvs, type TfJson } from "./helpers/synth";


// ---------------------------------------------------------------------------------------------
// What is rendered: every cluster stack of the built-in envs, the shipped examples and variants.

/** AWS Load Balancer Controller targets (TargetGroupBinding) instead of discovered nodes. */
const controllerTargets = (env: EnvInput): EnvInput => ({ ...env, aws: env.aws && { ...env.aws, targets: { mode: "controller" } } });

/**
 * Each variant on a cluster of its own: environments that share a cluster must not claim the same
 * release, IngressClass and NodePorts, and these are synthesized in one run.
 */
const ownCluster = (env: EnvInput): EnvInput => ({ ...env, aws: env.aws && { ...env.aws, cluster: { ...env.aws.cluster, name: `${env.name}-eks` } } });

/** Variants the built-in envs do not cover on their own. */
const VARIANTS: readonly EnvInput[] = [
  patch(awsEnv({ name: "tls", ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } } }),
  controllerTargets(awsEnv({ name: "tgb" })),
  controllerTargets(patch(awsEnv({ name: "tlstgb", ports: { https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } } }), { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } } })),
  awsEnv({ name: "pp", ports: { proxyProtocol: true, tcp: MQTTS } }),
  controllerTargets(awsEnv({ name: "tgbpp", ports: { proxyProtocol: true, tcp: MQTTS } })),
  patch(
    awsEnv({
      name: "tlspp",
      ports: { proxyProtocol: true, https: { listenerPort: 443, nodePort: 30443, tls: "terminate" }, tcp: { mqtts: { ...MQTTS.mqtts, tls: "terminate" } } },
    }),
    { aws: { nlb: { tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc" } } } },
  ),
].map(ownCluster);

interface Synthesis {
  readonly label: string;
  readonly envs: readonly Env[];
  readonly stacks: Readonly<Record<string, TfJson>>;
}

interface ClusterCase {
  /** The cluster stack holding the helm_release. */
  readonly stack: string;
  readonly env: Env;
  readonly cloud: "aws" | "gcp";
  /** GKE: the cluster's name and zones. */
  readonly gke?: { readonly name: string; readonly zones: readonly string[] };
  readonly stacks: Readonly<Record<string, TfJson>>;
}

const EXAMPLES_DIR = join(__dirname, "..", "envs", "examples");
const exampleFiles = readdirSync(EXAMPLES_DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()
  .map((f) => join(EXAMPLES_DIR, f));
const examples = loadEnvironments({ builtins: [], files: exampleFiles }).map((l) => l.env);

const SYNTHESES: readonly Synthesis[] = [
  { label: "built-in envs", envs: DEMO_ENVS.map(parseEnv), stacks: synthDefaults() },
  { label: "envs/examples", envs: examples, stacks: synthEnvs(examples) },
  { label: "variants", envs: VARIANTS.map(parseEnv), stacks: synthEnvs(VARIANTS) },
];

/** Cluster stacks each env should have, by stack name. */
function expectedClusterStacks(env: Env): Array<Omit<ClusterCase, "stacks">> {
  return [
    ...(env.aws ? [{ stack: `${env.name}-aws-cluster`, env, cloud: "aws" as const }] : []),
    ...(env.gcp?.clusters ?? []).map((c) => ({ stack: `${env.name}-gcp-cluster-${c.name}`, env, cloud: "gcp" as const, gke: { name: c.name, zones: c.zones } })),
  ];
}

const CASES: ClusterCase[] = [];
/** Stacks with a helm_release that belong to no env's cluster, and env clusters without one. */
const UNMATCHED: string[] = [];
/** Cluster stacks of envs with another controller kind (controllers-rendered.test.ts). */
const OTHER_KINDS: string[] = [];
for (const s of SYNTHESES) {
  const expected = s.envs.flatMap(expectedClusterStacks);
  const withRelease = Object.keys(s.stacks).filter((name) => Object.keys(resources(s.stacks[name] as TfJson, "helm_release")).length > 0);
  for (const name of withRelease) {
    const c = expected.find((e) => e.stack === name);
    // This file renders the ingress-nginx chart; the other controllers' charts have files of their own.
    if (c && c.env.controller.kind === "ingress-nginx") CASES.push({ ...c, stacks: s.stacks });
    else if (c) OTHER_KINDS.push(c.stack);
    else UNMATCHED.push(`${s.label}: ${name} holds a helm_release but is no cluster stack of its envs`);
  }
  for (const e of expected) if (!withRelease.includes(e.stack)) UNMATCHED.push(`${s.label}: ${e.stack} is missing or has no helm_release`);
}

// ---------------------------------------------------------------------------------------------
// Reading the Terraform JSON, with a clear message when a value has an unexpected shape.


/** A port as Terraform JSON writes it: a number, or a string of digits. */
function portNumber(v: unknown, what: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^[0-9]+$/.test(v)) return Number(v);
  throw new Error(`${what}: expected a port number, got ${JSON.stringify(v)}`);
}



/** The logical id in a `${type.id.attr}` reference to `type`. */
function refTo(type: string, ref: unknown, what: string): string {
  const m = /^\$\{([a-z0-9_.]+)\.([^.}]+)\.[a-z_]+\}$/.exec(str(ref, what));
  if (!m || m[1] !== type) throw new Error(`${what}: expected a reference to ${type}, got ${JSON.stringify(ref)}`);
  return m[2] as string;
}

function stackOf(c: ClusterCase, name: string): TfJson {
  const s = c.stacks[name];
  if (!s) throw new Error(`no stack ${name} (stacks: ${Object.keys(c.stacks).join(", ")})`);
  return s;
}

/**
 * A value Terraform knows only at apply (a reference in the values) renders as the reference's
 * text: it must be a plain reference to an object of the same stack. Anything else fails.
 */
function standIn(c: ClusterCase): (expression: string) => string {
  const stack = stackOf(c, c.stack);
  return (expression) => {
    const m = /^(data\.)?([a-z0-9_]+)\.([^.\s]+)\.[a-z0-9_.[\]]+$/.exec(expression);
    const target = m && (m[1] ? dataSources(stack, m[2] as string) : resources(stack, m[2] as string))[m[3] as string];
    if (!target) throw new Error(`${c.stack}: the helm values interpolate \${${expression}}, which is no reference to an object of the stack`);
    return expression;
  };
}

function theRelease(c: ClusterCase): { name: string; namespace: string; values: string } {
  // The controller's release; a stack with routes holds a second one (the route objects).
  const all = Object.values(resources(stackOf(c, c.stack), "helm_release")).filter((r) => r.chart === "ingress-nginx");
  if (all.length !== 1) throw new Error(`${c.stack}: expected one ingress-nginx helm_release, found ${all.length}`);
  const r = all[0] as Json;
  const values = list(r.values, `${c.stack} helm_release.values`);
  if (values.length !== 1) throw new Error(`${c.stack}: expected one values document, found ${values.length}`);
  return { name: str(r.name, "helm_release.name"), namespace: str(r.namespace, "helm_release.namespace"), values: terraformStringValue(str(values[0], "helm_release.values[0]"), standIn(c)) };
}

interface TargetGroup {
  readonly id: string;
  readonly entry: string;
  readonly name: string;
  readonly port: number;
  readonly targetType: string;
  readonly proxyProtocol: boolean;
  readonly healthPort: unknown;
  readonly healthPath: unknown;
}

/** The edge stack's target groups, one per entry point (tag `gatehouse/entry-point`), in entry order. */
function targetGroups(c: ClusterCase): TargetGroup[] {
  const edge = stackOf(c, `${c.env.name}-aws-edge`);
  const groups = Object.entries(resources(edge, "aws_lb_target_group")).map(([id, tg]): TargetGroup => {
    const what = `${c.env.name}-aws-edge aws_lb_target_group.${id}`;
    const hc = obj(tg.health_check, `${what}.health_check`);
    return {
      id,
      entry: str(obj(tg.tags, `${what}.tags`)["gatehouse/entry-point"], `${what}.tags["gatehouse/entry-point"]`),
      name: str(tg.name, `${what}.name`),
      port: portNumber(tg.port, `${what}.port`),
      targetType: str(tg.target_type, `${what}.target_type`),
      proxyProtocol: tg.proxy_protocol_v2 === true,
      healthPort: hc.port,
      healthPath: hc.path,
    };
  });
  if (groups.length === 0) throw new Error(`${c.env.name}-aws-edge has no target groups`);
  // Services reached directly (ports.services) are not the controller's: service-entries.test.ts.
  return groups.filter((g) => !(g.entry in c.env.ports.services)).sort((a, b) => entryOrder(c.env, a.entry) - entryOrder(c.env, b.entry));
}

function entryNames(env: Env): string[] {
  return ["http", "https", ...Object.keys(env.ports.tcp).sort()];
}

function entryOrder(env: Env, entry: string): number {
  const i = entryNames(env).indexOf(entry);
  return i < 0 ? Number.MAX_SAFE_INTEGER : i;
}

// ---------------------------------------------------------------------------------------------
// The rendered controller: found through the chart's own wiring (the controller's flags), not
// through gatehouse's naming.

interface Controller {
  readonly objects: readonly KubeObject[];
  readonly namespace: string;
  /** The Service the controller publishes (`--publish-service`): the one load balancers target. */
  readonly service: IService;
  readonly workload: IDeployment;
  readonly podLabels: Readonly<Record<string, string>>;
  readonly container: IContainer;
  /** `--configmap` data. */
  readonly config: Readonly<Record<string, string>>;
  /** `--tcp-services-configmap` data: controller port → `namespace/service:port[:PROXY[:PROXY]]`. */
  readonly tcp: Readonly<Record<string, string>>;
}

const controllers = new Map<string, Controller>();

/** Renders each distinct (release, namespace, values) once per file. */
function rendered(c: ClusterCase): Controller {
  const release = theRelease(c);
  const key = JSON.stringify([release.name, release.namespace, release.values]);
  let ctrl = controllers.get(key);
  if (!ctrl) {
    ctrl = controllerOf(renderChart({ release: release.name, namespace: release.namespace, values: release.values }), release.namespace);
    controllers.set(key, ctrl);
  }
  return ctrl;
}

function controllerOf(objects: readonly KubeObject[], namespace: string): Controller {
  const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "DaemonSet").map((o) => o as unknown as IDeployment);
  const found = workloads.flatMap((w) => (w.spec?.template.spec?.containers ?? []).filter((k) => k.args?.[0] === "/nginx-ingress-controller").map((k) => ({ w, k })));
  if (found.length !== 1) throw new Error(`expected one ingress-nginx controller container, found ${found.length}`);
  const { w: workload, k: container } = found[0] as { w: IDeployment; k: IContainer };
  const flag = (name: string) => flagOf(container, namespace, name);
  const named = (kind: string, ref: string): KubeObject => {
    const [ns, name] = ref.split("/");
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (x.metadata.namespace ?? namespace) === ns);
    if (!o) throw new Error(`the controller refers to ${kind} ${ref}, which the chart did not render`);
    return o;
  };
  const publish = flag("publish-service");
  if (!publish) throw new Error("the controller has no --publish-service flag");
  const configMap = flag("configmap");
  if (!configMap) throw new Error("the controller has no --configmap flag");
  const tcp = flag("tcp-services-configmap");
  return {
    objects,
    namespace,
    service: named("Service", publish) as unknown as IService,
    workload,
    podLabels: workload.spec?.template.metadata?.labels ?? {},
    container,
    config: (named("ConfigMap", configMap) as unknown as IConfigMap).data ?? {},
    tcp: tcp ? ((named("ConfigMap", tcp) as unknown as IConfigMap).data ?? {}) : {},
  };
}

function servicePorts(ctrl: Controller): IServicePort[] {
  return ctrl.service.spec?.ports ?? [];
}

/** The pod port a Service port sends traffic to: its targetPort, by number or container port name. */
function podPortOf(ctrl: Controller, sp: IServicePort): number {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === "number") return target;
  const p = (ctrl.container.ports ?? []).find((cp) => cp.name === target);
  if (!p) throw new Error(`Service port ${sp.name ?? sp.port} targets "${target}", which no controller container port is named`);
  return p.containerPort;
}

function probes(ctrl: Controller): IProbe[] {
  const k = ctrl.container;
  return [k.readinessProbe, k.livenessProbe, k.startupProbe].filter((p): p is IProbe => p !== undefined);
}

/** A probe port by number (a named probe port resolved through the container ports). */
function probePort(ctrl: Controller, p: IProbe): number | undefined {
  const port = p.httpGet?.port ?? p.tcpSocket?.port;
  if (port === undefined || typeof port === "number") return port;
  return (ctrl.container.ports ?? []).find((cp) => cp.name === port)?.containerPort;
}

/** Ports the controller pod listens on: its container ports and its probes' ports. */
function servedPorts(ctrl: Controller): number[] {
  const ports = [...(ctrl.container.ports ?? []).map((p) => p.containerPort), ...probes(ctrl).map((p) => probePort(ctrl, p))];
  return [...new Set(ports.filter((p): p is number => p !== undefined))].sort((a, b) => a - b);
}

/** HTTP paths the controller's probes check on a port: where a health check may look. */
function healthPathsOn(ctrl: Controller, port: number): string[] {
  return probes(ctrl)
    .filter((p) => p.httpGet && probePort(ctrl, p) === port)
    .map((p) => p.httpGet?.path ?? "/");
}

/** A tcp-services value: backend, and PROXY decoding (from the load balancer) / encoding (to the backend). */
function streamRoute(value: string): { backend: string; decode: boolean; encode: boolean } {
  const f = value.split(":");
  return { backend: f.slice(0, 2).join(":"), decode: (f[2] ?? "").toUpperCase() === "PROXY", encode: (f[3] ?? "").toUpperCase() === "PROXY" };
}

/**
 * The Service port that carries an entry point's traffic: the chart's `http` and `https` ports,
 * and for a tcp entry the port whose tcp-services route goes to the entry's backend.
 */
function servicePortFor(c: ClusterCase, ctrl: Controller, entry: string): IServicePort {
  const ports = servicePorts(ctrl);
  let sp: IServicePort | undefined;
  if (entry === "http" || entry === "https") {
    sp = ports.find((p) => p.name === entry);
  } else {
    const def = c.env.ports.tcp[entry];
    if (!def) throw new Error(`${c.stack}: entry point "${entry}" is not in the env's ports`);
    let keys = Object.keys(ctrl.tcp).filter((k) => streamRoute(ctrl.tcp[k] as string).backend === def.backend);
    if (keys.length > 1) keys = keys.filter((k) => k === String(def.listenerPort));
    if (keys.length !== 1) throw new Error(`${c.stack}: ${keys.length} tcp-services routes go to ${def.backend} for entry point "${entry}" (routes: ${JSON.stringify(ctrl.tcp)})`);
    sp = ports.find((p) => String(p.port) === keys[0] && (p.protocol ?? "TCP") === "TCP");
  }
  if (!sp) throw new Error(`${c.stack}: the rendered Service ${ctrl.service.metadata?.name} has no port for entry point "${entry}" (ports: ${JSON.stringify(ports)})`);
  return sp;
}

/** A controller flag's value (`--name=value`), `$(POD_NAMESPACE)` expanded. */
function flagOf(container: IContainer, namespace: string, name: string): string | undefined {
  const arg = container.args?.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3).replace("$(POD_NAMESPACE)", namespace);
}

interface ProxyDecoding {
  /** The controller server listening on the port. */
  readonly server: string;
  /** It expects a PROXY header from the load balancer. */
  readonly decode: boolean;
  /** It sends a PROXY header on to its backend. */
  readonly encode: boolean;
}

/**
 * Which server of the controller listens on a pod port, and whether it decodes PROXY protocol:
 * - the main http and https servers (`--http-port` / `--https-port`, 80 / 443): the ConfigMap's
 *   `use-proxy-protocol`, which covers only these two;
 * - a tcp-services stream server (keyed by the port it listens on):
 *   `namespace/service:port:PROXY` decodes (`listen … proxy_protocol`), a fourth field `PROXY`
 *   encodes towards the backend (internal/ingress/controller/controller.go, nginx.tmpl);
 * - a server written in a ConfigMap snippet: `proxy_protocol` on its `listen`.
 * A port no server listens on fails.
 */
function proxyDecoding(ctrl: Controller, podPort: number): ProxyDecoding {
  const httpPort = Number(flagOf(ctrl.container, ctrl.namespace, "http-port") ?? 80);
  const httpsPort = Number(flagOf(ctrl.container, ctrl.namespace, "https-port") ?? 443);
  if (podPort === httpPort || podPort === httpsPort) {
    return { server: podPort === httpPort ? "http" : "https", decode: ctrl.config["use-proxy-protocol"] === "true", encode: false };
  }
  const route = ctrl.tcp[String(podPort)];
  if (route !== undefined) {
    const r = streamRoute(route);
    return { server: `tcp-services ${podPort}: "${route}"`, decode: r.decode, encode: r.encode };
  }
  for (const [key, text] of Object.entries(ctrl.config)) {
    if (!key.endsWith("-snippet")) continue;
    for (const m of text.matchAll(/\blisten\s+([^;]+);/g)) {
      const [address, ...params] = (m[1] as string).trim().split(/\s+/);
      if (Number((address ?? "").split(":").pop()) === podPort) return { server: `${key}: listen ${m[1] as string}`, decode: params.includes("proxy_protocol"), encode: false };
    }
  }
  throw new Error(`no server of the controller listens on pod port ${podPort}`);
}

function selects(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>>): boolean {
  const s = Object.entries(selector ?? {});
  return s.length > 0 && s.every(([k, v]) => labels[k] === v);
}

// ---------------------------------------------------------------------------------------------
// Validation: the Kubernetes schemas (kubernetes-models) and the TargetGroupBinding CRD.

const kubeProblems = kubeValidator([ConfigMap, Secret, Service, ServiceAccount, Deployment, DaemonSet, Job, HorizontalPodAutoscaler, ClusterRole, ClusterRoleBinding, Role, RoleBinding, PodDisruptionBudget, IngressClass, NetworkPolicy, ValidatingWebhookConfiguration]);


/**
 * A `kubernetes_service_v1` as the object the provider (2.38) creates: blocks to fields, snake
 * case to camel case, `target_port` parsed like intstr.Parse (digits are a number). Fields this
 * conversion does not know fail, so nothing is silently left out of the validation.
 */
function kubeServiceFromTerraform(r: Json, what: string): KubeObject {
  const META = ["name", "namespace", "labels", "annotations"];
  const SPEC: Record<string, string> = {
    type: "type",
    selector: "selector",
    external_traffic_policy: "externalTrafficPolicy",
    internal_traffic_policy: "internalTrafficPolicy",
    session_affinity: "sessionAffinity",
    publish_not_ready_addresses: "publishNotReadyAddresses",
    health_check_node_port: "healthCheckNodePort",
    ip_families: "ipFamilies",
    ip_family_policy: "ipFamilyPolicy",
    cluster_ip: "clusterIP",
    load_balancer_class: "loadBalancerClass",
    allocate_load_balancer_node_ports: "allocateLoadBalancerNodePorts",
  };
  const PORT: Record<string, string> = { name: "name", protocol: "protocol", port: "port", node_port: "nodePort", app_protocol: "appProtocol" };
  const TOP = ["metadata", "spec", "depends_on", "provider", "lifecycle", "timeouts", "wait_for_load_balancer"];
  const unknown = (keys: string[], known: string[], where: string) => {
    const extra = keys.filter((k) => !known.includes(k));
    if (extra.length) throw new Error(`${what}: ${where} has fields this test cannot convert: ${extra.join(", ")}`);
  };
  unknown(Object.keys(r), TOP, "the resource");
  const meta = obj(r.metadata, `${what}.metadata`);
  unknown(Object.keys(meta), META, "metadata");
  const spec = obj(r.spec, `${what}.spec`);
  unknown(Object.keys(spec), [...Object.keys(SPEC), "port"], "spec");
  const outSpec: Json = {};
  for (const [k, v] of Object.entries(spec)) if (k !== "port") outSpec[SPEC[k] as string] = v;
  outSpec.ports = list(spec.port ?? [], `${what}.spec.port`).map((p, i) => {
    const port = obj(p, `${what}.spec.port[${i}]`);
    unknown(Object.keys(port), [...Object.keys(PORT), "target_port"], `spec.port[${i}]`);
    const out: Json = {};
    for (const [k, v] of Object.entries(port)) {
      if (k === "target_port") out.targetPort = typeof v === "string" && /^[0-9]+$/.test(v) ? Number(v) : v;
      else out[PORT[k] as string] = v;
    }
    return out;
  });
  return { apiVersion: "v1", kind: "Service", metadata: { ...meta, name: str(meta.name, `${what}.metadata.name`) }, spec: outSpec };
}

const TGB_CRD_FILE = join(__dirname, "fixtures", "crds", "targetgroupbindings.elbv2.k8s.aws.yaml");

/** Problems with a manifest against the TargetGroupBinding CRD (which has no CEL rules). */
const crdProblems = objectValidator<Json>(crdValidators([TGB_CRD_FILE]));

it("the TargetGroupBinding check refuses an unknown field and a version the CRD does not serve", () => {
  const tgb = { apiVersion: "elbv2.k8s.aws/v1beta1", kind: "TargetGroupBinding", metadata: { name: "b" }, spec: { serviceRef: { name: "s", port: 80 }, targetGroupARN: "arn", targetType: "ip" } };
  expect(crdProblems(tgb)).toEqual([]);
  expect(crdProblems({ ...tgb, spec: { ...tgb.spec, targetGroupArn: "arn" } })).toEqual([expect.stringMatching(/^elbv2\.k8s\.aws\/v1beta1\/TargetGroupBinding b: \/spec must NOT have additional properties .*"targetGroupArn"/)]);
  expect(crdProblems({ ...tgb, apiVersion: "elbv2.k8s.aws/v2" })).toEqual([expect.stringMatching(/^elbv2\.k8s\.aws\/v2\/TargetGroupBinding: no CRD serves this kind \(.*elbv2\.k8s\.aws\/v1beta1\/TargetGroupBinding/)]);
});

// ---------------------------------------------------------------------------------------------
// GCP edge readers.

interface NegLookup {
  readonly id: string;
  readonly name: string;
  readonly zone: string;
  readonly project: unknown;
}

function negLookups(edge: TfJson): NegLookup[] {
  return Object.entries(dataSources(edge, "google_compute_network_endpoint_group")).map(([id, d]) => ({
    id,
    name: str(d.name, `data.google_compute_network_endpoint_group.${id}.name`),
    zone: str(d.zone, `data.google_compute_network_endpoint_group.${id}.zone`),
    project: d.project,
  }));
}

/** TCP ports the edge's ingress firewall rules open. */
function firewallPorts(edge: TfJson): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [id, fw] of Object.entries(resources(edge, "google_compute_firewall"))) {
    if ((fw.direction ?? "INGRESS") !== "INGRESS") continue;
    for (const a of list(fw.allow ?? [], `google_compute_firewall.${id}.allow`)) {
      const allow = obj(a, `google_compute_firewall.${id}.allow`);
      if (allow.protocol !== "tcp" && allow.protocol !== "all") continue;
      const ports = allow.ports === undefined ? ["0-65535"] : list(allow.ports, `google_compute_firewall.${id}.allow.ports`);
      for (const p of ports) {
        const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(str(p, `google_compute_firewall.${id} port`));
        if (!m) throw new Error(`google_compute_firewall.${id}: bad port ${JSON.stringify(p)}`);
        out.push([Number(m[1]), Number(m[2] ?? m[1])]);
      }
    }
  }
  return out;
}

const opens = (ranges: Array<[number, number]>, port: number) => ranges.some(([lo, hi]) => port >= lo && port <= hi);

/** Backend services (logical id → resource) whose backends include one of the given NEG lookups. */
function backendsUsing(edge: TfJson, lookupIds: ReadonlySet<string>): Array<[string, Json]> {
  return Object.entries(resources(edge, "google_compute_backend_service")).filter(([id, b]) =>
    list(b.backend ?? [], `google_compute_backend_service.${id}.backend`).some((x) => {
      const group = obj(x, `google_compute_backend_service.${id}.backend`).group;
      return lookupIds.has(refTo("data.google_compute_network_endpoint_group", group, `google_compute_backend_service.${id}.backend.group`));
    }),
  );
}

/** Whether a Google proxy in front of the backend sends a PROXY header (TCP/SSL proxies may; HTTPS never). */
function proxyHeaderTo(edge: TfJson, backendId: string): boolean {
  return ["google_compute_target_ssl_proxy", "google_compute_target_tcp_proxy"].some((type) =>
    Object.entries(resources(edge, type)).some(
      ([id, p]) => refTo("google_compute_backend_service", p.backend_service, `${type}.${id}.backend_service`) === backendId && (p.proxy_header ?? "NONE") !== "NONE",
    ),
  );
}

interface Neg {
  readonly servicePort: IServicePort;
  readonly name: string;
}

/** The `cloud.google.com/neg` annotation of the rendered controller Service, parsed. */
function negAnnotation(c: ClusterCase, ctrl: Controller): Neg[] {
  const raw = ctrl.service.metadata?.annotations?.["cloud.google.com/neg"];
  if (raw === undefined) throw new Error(`${c.stack}: the rendered Service ${ctrl.service.metadata?.name} has no cloud.google.com/neg annotation`);
  const exposed = obj(obj(JSON.parse(raw), "cloud.google.com/neg").exposed_ports, "cloud.google.com/neg exposed_ports");
  return Object.entries(exposed).map(([port, v]) => {
    const sp = servicePorts(ctrl).find((p) => String(p.port) === port);
    if (!sp) throw new Error(`${c.stack}: the NEG annotation exposes port ${port}, which the rendered Service does not have (ports: ${servicePorts(ctrl).map((p) => p.port).join(", ")})`);
    return { servicePort: sp, name: str(obj(v, `exposed_ports.${port}`).name, `exposed_ports.${port}.name`) };
  });
}

// ---------------------------------------------------------------------------------------------

it("renders a cluster stack for every cluster of every env, built-in, example and variant", () => {
  expect(UNMATCHED).toEqual([]);
  expect(CASES.length + OTHER_KINDS.length).toBeGreaterThanOrEqual(DEMO_ENVS.length + examples.length + VARIANTS.length);
  expect(CASES.length).toBeGreaterThanOrEqual(DEMO_ENVS.length + VARIANTS.length);
  expect(exampleFiles.length).toBeGreaterThan(0);
});

describe.each(CASES.map((c) => [c.stack, c] as const))("%s", (_name, c) => {
  it("renders objects that all validate against the Kubernetes schemas", () => {
    const ctrl = rendered(c);
    expect(ctrl.objects.flatMap(kubeProblems)).toEqual([]);
  });

  it("renders a controller Service that selects the controller pods", () => {
    const ctrl = rendered(c);
    expect(ctrl.service.metadata?.namespace).toBe(ctrl.namespace);
    expect(selects(ctrl.service.spec?.selector, ctrl.podLabels)).toBe(true);
  });

  if (c.cloud === "aws") {
    const nodeTargets = c.env.aws?.targets.mode !== "controller";

    it("has one target group per entry point of the env", () => {
      expect(targetGroups(c).map((tg) => tg.entry)).toEqual(entryNames(c.env));
    });

    if (nodeTargets) {
      it("sends each entry point's target group to the NodePort the rendered Service gives that entry point", () => {
        const ctrl = rendered(c);
        for (const tg of targetGroups(c)) {
          const sp = servicePortFor(c, ctrl, tg.entry);
          expect({ entry: tg.entry, nodePort: sp.nodePort }).toEqual({ entry: tg.entry, nodePort: tg.port });
        }
      });

      it("health-checks every target group on the health-check Service, which reaches the controller pods", () => {
        const ctrl = rendered(c);
        // The health-check Service (the services' own NodePort Services are not the controller's).
        const services = Object.entries(resources(stackOf(c, c.stack), "kubernetes_service_v1")).filter(([, s]) => (s.metadata as { labels?: Record<string, string> }).labels?.["gatehouse/entry-point"] === undefined);
        expect(services).toHaveLength(1);
        const [id, tf] = services[0] as [string, Json];
        const health = kubeServiceFromTerraform(tf, `${c.stack} kubernetes_service_v1.${id}`);
        expect(kubeProblems(health)).toEqual([]);
        const svc = health as unknown as IService;
        expect(svc.metadata?.namespace).toBe(ctrl.namespace);
        expect(selects(svc.spec?.selector, ctrl.podLabels)).toBe(true);
        // Local on both, or a node without a controller pod would pass the check and drop traffic.
        if (ctrl.service.spec?.externalTrafficPolicy === "Local") expect(svc.spec?.externalTrafficPolicy).toBe("Local");
        const ports = svc.spec?.ports ?? [];
        expect(ports).toHaveLength(1);
        const hp = ports[0] as IServicePort;
        const podPort = podPortOf(ctrl, hp);
        expect(servedPorts(ctrl)).toContain(podPort);
        for (const tg of targetGroups(c)) {
          expect({ entry: tg.entry, healthPort: portNumber(tg.healthPort, `${tg.id}.health_check.port`) }).toEqual({ entry: tg.entry, healthPort: hp.nodePort });
          expect(healthPathsOn(ctrl, podPort)).toContain(tg.healthPath);
        }
      });
    } else {
      it("points each entry point's target group at the pod port the rendered Service sends that entry point to", () => {
        const ctrl = rendered(c);
        for (const tg of targetGroups(c)) {
          const sp = servicePortFor(c, ctrl, tg.entry);
          expect({ entry: tg.entry, targetType: tg.targetType, port: podPortOf(ctrl, sp) }).toEqual({ entry: tg.entry, targetType: "ip", port: tg.port });
        }
      });

      it("health-checks every target group on a port and path the controller pods serve", () => {
        const ctrl = rendered(c);
        for (const tg of targetGroups(c)) {
          const port = portNumber(tg.healthPort, `${tg.id}.health_check.port`);
          expect({ entry: tg.entry, served: servedPorts(ctrl).includes(port) }).toEqual({ entry: tg.entry, served: true });
          expect(healthPathsOn(ctrl, port)).toContain(tg.healthPath);
        }
      });

      it("binds each target group to its entry point's port of the rendered Service, and each binding fits the CRD", () => {
        const ctrl = rendered(c);
        const cluster = stackOf(c, c.stack);
        const tgNames = new Map(Object.entries(dataSources(cluster, "aws_lb_target_group")).map(([id, d]) => [id, str(d.name, `data.aws_lb_target_group.${id}.name`)]));
        const bound: string[] = [];
        for (const [id, m] of Object.entries(resources(cluster, "kubernetes_manifest"))) {
          const manifest = obj(m.manifest, `kubernetes_manifest.${id}.manifest`);
          if (manifest.kind !== "TargetGroupBinding") continue;
          expect({ id, problems: crdProblems(manifest) }).toEqual({ id, problems: [] });
          const meta = obj(manifest.metadata, `${id}.metadata`);
          const spec = obj(manifest.spec, `${id}.spec`);
          const ref = obj(spec.serviceRef, `${id}.spec.serviceRef`);
          // serviceRef resolves in the binding's own namespace.
          expect({ id, namespace: meta.namespace, service: ref.name }).toEqual({ id, namespace: ctrl.namespace, service: ctrl.service.metadata?.name });
          const sp = servicePorts(ctrl).find((p) => (typeof ref.port === "number" ? p.port === ref.port : p.name === ref.port));
          expect({ id, port: ref.port, resolves: sp !== undefined }).toEqual({ id, port: ref.port, resolves: true });
          const lookup = refTo("data.aws_lb_target_group", spec.targetGroupARN, `${id}.spec.targetGroupARN`);
          const tg = targetGroups(c).find((g) => g.name === tgNames.get(lookup));
          if (!tg) throw new Error(`${id}: its target group ${tgNames.get(lookup)} is not in ${c.env.name}-aws-edge`);
          expect({ id, entry: tg.entry, servicePort: sp?.port }).toEqual({ id, entry: tg.entry, servicePort: servicePortFor(c, ctrl, tg.entry).port });
          expect({ id, targetType: spec.targetType }).toEqual({ id, targetType: tg.targetType });
          bound.push(tg.entry);
        }
        expect(bound.sort()).toEqual(targetGroups(c).map((tg) => tg.entry).sort());
      });
    }

    it("redirects plain HTTP to https at the controller exactly when TLS ends at the NLB, and serves https on the plain port", () => {
      const ctrl = rendered(c);
      const edge = stackOf(c, `${c.env.name}-aws-edge`);
      const tlsListener = Object.values(resources(edge, "aws_lb_listener")).some((l) => l.port === c.env.ports.https.listenerPort && l.protocol === "TLS");
      expect(tlsListener).toBe(c.env.ports.https.tls === "terminate");
      const httpServer = proxyDecoding(ctrl, podPortOf(ctrl, servicePortFor(c, ctrl, "http"))).server;
      const httpsPort = podPortOf(ctrl, servicePortFor(c, ctrl, "https"));
      const plainPort = Number(flagOf(ctrl.container, ctrl.namespace, "http-port") ?? 80);
      if (tlsListener) {
        // Plain-HTTP clients reach a server of their own that only answers 308 to https...
        expect(httpServer).toMatch(/-snippet: listen /);
        const snippet = Object.entries(ctrl.config).find(([k]) => k.endsWith("-snippet"))?.[1] ?? "";
        expect(snippet).toMatch(/return 308 https:\/\/\$host\$request_uri;/);
        // ...https (decrypted by the NLB) reaches the plain HTTP server, whose own redirects are off.
        expect(httpsPort).toBe(plainPort);
        expect(ctrl.config["ssl-redirect"]).toBe("false");
        expect(ctrl.config["force-ssl-redirect"]).toBe("false");
      } else {
        expect(httpServer).toBe("http");
        expect(httpsPort).not.toBe(plainPort);
      }
    });

    it("decodes PROXY protocol on each entry point exactly when its target group sends it", () => {
      const ctrl = rendered(c);
      for (const tg of targetGroups(c)) {
        const p = proxyDecoding(ctrl, podPortOf(ctrl, servicePortFor(c, ctrl, tg.entry)));
        // gatehouse never asks the controller to send PROXY headers on to a backend.
        expect({ entry: tg.entry, ...p }).toEqual({ entry: tg.entry, server: p.server, decode: tg.proxyProtocol, encode: false });
      }
    });
  }

  if (c.cloud === "gcp") {
    const gke = c.gke as { name: string; zones: readonly string[] };
    const edgeName = `${c.env.name}-gcp-edge`;

    it("annotates Service ports with the NEG names the edge looks up in every zone of the cluster", () => {
      const ctrl = rendered(c);
      const negs = negAnnotation(c, ctrl);
      const names = [...new Set(negs.map((n) => n.name))].sort();
      expect(names).toHaveLength(negs.length);
      const lookups = negLookups(stackOf(c, edgeName)).filter((l) => names.includes(l.name));
      expect(lookups.map((l) => `${l.name} ${l.zone}`).sort()).toEqual(names.flatMap((n) => gke.zones.map((z) => `${n} ${z}`)).sort());
      for (const l of lookups) expect(l.project).toBe(c.env.gcp?.project);
    });

    it("serves each NEG on a controller pod port the firewall opens, with the protocol its backend speaks", () => {
      const ctrl = rendered(c);
      const edge = stackOf(c, edgeName);
      const open = firewallPorts(edge);
      const lookups = negLookups(edge);
      for (const neg of negAnnotation(c, ctrl)) {
        const podPort = podPortOf(ctrl, neg.servicePort);
        const portName = (ctrl.container.ports ?? []).find((p) => p.containerPort === podPort)?.name;
        expect({ neg: neg.name, podPort, served: servedPorts(ctrl).includes(podPort), open: opens(open, podPort) }).toEqual({ neg: neg.name, podPort, served: true, open: true });
        const backends = backendsUsing(edge, new Set(lookups.filter((l) => l.name === neg.name).map((l) => l.id)));
        expect(backends.length).toBeGreaterThan(0);
        for (const [id, b] of backends) {
          // The front end's protocol to the pod must be what the pod port speaks.
          const accepted = portName === "https" ? ["HTTPS", "HTTP2"] : portName === "http" ? ["HTTP", "H2C"] : ["TCP", "SSL"];
          expect({ neg: neg.name, backend: id, portName, protocol: b.protocol, fits: accepted.includes(String(b.protocol)) }).toEqual({ neg: neg.name, backend: id, portName, protocol: b.protocol, fits: true });
          for (const hcRef of list(b.health_checks ?? [], `${id}.health_checks`)) {
            const hcId = refTo("google_compute_health_check", hcRef, `${id}.health_checks`);
            const hc = obj(resources(edge, "google_compute_health_check")[hcId], `google_compute_health_check.${hcId}`);
            const http = obj(hc.http_health_check ?? hc.https_health_check ?? hc.http2_health_check ?? hc.tcp_health_check, `${hcId} check`);
            const port = portNumber(http.port, `${hcId}.port`);
            expect({ healthCheck: hcId, served: servedPorts(ctrl).includes(port), open: opens(open, port) }).toEqual({ healthCheck: hcId, served: true, open: true });
            if (http.request_path !== undefined) expect(healthPathsOn(ctrl, port)).toContain(http.request_path);
          }
        }
      }
    });

    it("decodes PROXY protocol on each NEG port exactly when Google's proxy sends it", () => {
      const ctrl = rendered(c);
      const edge = stackOf(c, edgeName);
      const lookups = negLookups(edge);
      for (const neg of negAnnotation(c, ctrl)) {
        const backends = backendsUsing(edge, new Set(lookups.filter((l) => l.name === neg.name).map((l) => l.id)));
        const sent = backends.some(([id]) => proxyHeaderTo(edge, id));
        const p = proxyDecoding(ctrl, podPortOf(ctrl, neg.servicePort));
        expect({ neg: neg.name, ...p }).toEqual({ neg: neg.name, server: p.server, decode: sent, encode: false });
      }
    });
  }
});

describe.each(SYNTHESES.flatMap((s) => s.envs.filter((e) => e.gcp && e.controller.kind === "ingress-nginx").map((e) => [`${e.name}-gcp-edge`, s, e] as const)))("%s", (edgeName, s, env) => {
  it("looks up only NEGs that a cluster's rendered Service annotates", () => {
    const annotated = new Set(CASES.filter((c) => c.env.name === env.name && c.cloud === "gcp" && c.stacks === s.stacks).flatMap((c) => negAnnotation(c, rendered(c)).map((n) => n.name)));
    const stray = negLookups(s.stacks[edgeName] as TfJson).filter((l) => !annotated.has(l.name));
    expect(stray).toEqual([]);
  });
});
