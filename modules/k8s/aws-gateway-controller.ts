/**
 * The AWS Gateway API controller for Amazon VPC Lattice, the cluster side (the AWS side, with the
 * service network, its VPC association, the prefix-list rules and the controller's role, is
 * modules/aws/lattice.ts). One cluster gets, in order:
 * 1. the Gateway API CRDs (GatewayApiCrds, v1.5.1 standard channel, or the cluster's own, checked at
 *    plan time to be v1.5 or later; the controller needs ≥ v1.5);
 * 2. the controller: chart `aws-gateway-controller-chart` v2.1.3 from
 *    `oci://public.ecr.aws/aws-application-networking-k8s`, in `aws-application-networking-system`,
 *    its service account `gateway-api-controller` (the name the Pod Identity association and the
 *    IRSA trust policy hold), cluster name, VPC, region and account set explicitly (the
 *    controller otherwise asks the instance metadata service, which pods often cannot reach).
 *    `defaultServiceNetwork` stays empty and `enableServiceNetworkOverride` false: with a name
 *    there the controller creates that service network and associates the cluster VPC with it
 *    at start-up (pkg/controllers/gateway_controller.go, service_network_manager.go
 *    CreateOrUpdate), which Terraform owns here. Without it the controller only looks service
 *    networks up by the Gateway's name and never associates a VPC (unless a VpcAssociationPolicy
 *    asks, which gatehouse does not make);
 * 3. through Helm (Manifests): the GatewayClass `amazon-vpc-lattice`, a Gateway named after the
 *    service network (the controller finds the network by the Gateway's name, namespace ignored:
 *    docs/api-types/gateway.md) with an HTTP listener on 80 and optionally HTTPS on 443, the
 *    environment's routes as HTTPRoutes (modules/k8s/route-objects.ts), and ServiceExports /
 *    ServiceImports (`application-networking.k8s.aws/v1alpha1`) for services shared between
 *    clusters.
 *
 * HTTPS: the controller takes no certificate Secret. An ACM certificate ARN goes in the listener's
 * `tls.options["application-networking.k8s.aws/certificate-arn"]` (docs/guides/https.md; read in
 * pkg/gateway/model_build_lattice_service.go). Without one, the controller's documented form
 * names a placeholder Secret (`certificateRefs: [{name: unused}]`, never read): Lattice then uses
 * its own certificate for the generated domain, or the controller finds an ACM certificate for a
 * route's first hostname.
 *
 * Routes: the controller carries out weighted backends, not HTTPRoute timeouts (it never reads
 * them) or retries (refused by routes.ts), so a route with a timeout is refused here. Each route
 * becomes a Lattice service named from the route and its namespace (lattice-rules.ts).
 */
import { Construct } from "constructs";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { ITerraformDependable } from "../core/cdktf";
import { isToken } from "../core/cdktf";
import { failIfAny, type FieldProblem } from "../core/errors";
import * as latticeRules from "../model/lattice";
import { LATTICE_CONTROLLER } from "../model/lattice";
import { routeFeatureProblems } from "../model/routes";
import type { Route, RouteFeatures } from "../model/route-types";
import * as rules from "../core/rules";
import { GATEWAY_API_VERSION, GatewayApiCrds, kubernetesVersionCheck } from "./gateway-api";
import { helmValues, Manifests, type KubeManifest } from "./manifests";
import { companionReleaseName, SAFE_RELEASE, spreadOverZonesAndNodes, type TopologySpread } from "./release-defaults";
import { routeManifests, routeObjectName, routeRenderProblems } from "./route-objects";

export const AWS_GATEWAY_CONTROLLER_CHART = {
  repository: "oci://public.ecr.aws/aws-application-networking-k8s",
  chart: "aws-gateway-controller-chart",
  /** Tag v2.1.3 (2026-08-14), the latest release; the chart's version carries the "v". */
  version: "v2.1.3",
} as const;

/** The chart's name: its pods' `app.kubernetes.io/name` (templates/_helpers.tpl app.name). */
const CHART_APP_NAME = "aws-gateway-controller-chart";

/** The listener option that carries an HTTPS listener's ACM certificate ARN. */
export const CERTIFICATE_ARN_OPTION = "application-networking.k8s.aws/certificate-arn";
export const LATTICE_API_VERSION = "application-networking.k8s.aws/v1alpha1";

/** A Service of this cluster offered to other clusters (a standalone Lattice target group). */
export interface LatticeServiceExport {
  readonly namespace: string;
  /** The Service's name (the ServiceExport has the same name). */
  readonly service: string;
  readonly ports: ReadonlyArray<{ readonly port: number; readonly routeType: "HTTP" | "GRPC" | "TLS" }>;
}

/** A Service exported by another cluster, usable as an HTTPRoute backend (kind ServiceImport). */
export interface LatticeServiceImport {
  readonly namespace: string;
  /** The exported Service's name (the ServiceImport has the same name). */
  readonly name: string;
  readonly ports: readonly number[];
  /** Only the export of this EKS cluster. */
  readonly fromCluster?: string;
  /** Only the export from this VPC. */
  readonly fromVpc?: string;
}

export type AwsGatewayControllerIdentity =
  /** EKS Pod Identity: the association names the service account; nothing to annotate. */
  | { readonly mode: "pod-identity" }
  /** IRSA: the service account carries the role's ARN. */
  | { readonly mode: "irsa"; readonly roleArn: string };

export interface AwsGatewayControllerProps {
  /** The EKS cluster's name (CLUSTER_NAME, used in the tags of what the controller creates). */
  readonly clusterName: string;
  /** The cluster's VPC (CLUSTER_VPC_ID). */
  readonly clusterVpcId: string;
  /** The region (REGION). */
  readonly awsRegion: string;
  /** The account (AWS_ACCOUNT_ID). */
  readonly awsAccountId: string;
  /** The service network (LatticeNetwork.serviceNetworkName): the Gateway's name. */
  readonly serviceNetworkName: string;
  readonly identity: AwsGatewayControllerIdentity;
  /** Namespace of the Gateway. @default the controller's namespace */
  readonly gatewayNamespace?: string;
  /** An HTTPS listener on 443, with an ACM certificate or without (see the file comment). @default none */
  readonly https?: { readonly certificateArn?: string };
  /** Routes, as HTTPRoutes on the Gateway. @default none */
  readonly routes?: readonly Route[];
  readonly serviceExports?: readonly LatticeServiceExport[];
  readonly serviceImports?: readonly LatticeServiceImport[];
  /**
   * The cluster's Kubernetes version (literal, or a reference such as `data.aws_eks_cluster.version`):
   * the controller's release checks it against 1.31 at plan time. @default no check here
   */
  readonly kubernetesVersion?: string;
  /** Controller replicas (leader election: one works, the others wait). @default 2 */
  readonly replicas?: number;
  /** @default "gateway-api-controller" */
  readonly releaseName?: string;
  /** Exact chart version. @default AWS_GATEWAY_CONTROLLER_CHART.version */
  readonly chartVersion?: string;
}

/**
 * What the controller carries out of an HTTPRoute (v2.1.3, pkg/gateway/model_build_rule.go):
 * weighted backends, and header matches compared exactly, at most 5 per rule
 * (LATTICE_MAX_HEADER_MATCHES; any other type is LATTICE_UNSUPPORTED_HEADER_MATCH_TYPE), which
 * become the Lattice rule's header matches. It refuses query parameter matches
 * (LATTICE_UNSUPPORTED_MATCH_TYPE; docs/api-types/http-route.md: "Matching by QueryParameters is
 * not supported"), so a cookie (a pattern on the Cookie header) cannot be matched either. It never
 * reads HTTPRoute timeouts, retries are not in the Gateway API's standard channel, and Lattice
 * target groups have no outlier detection, connection limit or balancing choice gatehouse could
 * set. Each route is a Lattice service of its own, so a route with match conditions is a service
 * that answers only the requests carrying them.
 */
export const AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES: RouteFeatures = {
  weights: true,
  timeouts: false,
  retries: false,
  headers: { types: ["Exact"], max: 5 },
  reasons: {
    headers: "Lattice compares header values exactly, at most 5 per rule",
    queryParams: "Lattice has no query parameter match",
    cookie: "Lattice has no regular expression to find a cookie in the Cookie header",
  },
};
export const AWS_GATEWAY_CONTROLLER_NAME = "the AWS Gateway API controller";

export const AWS_GATEWAY_CONTROLLER_DEFAULTS = { releaseName: "gateway-api-controller", replicas: 2 } as const;

/** The subset of the chart's values gatehouse sets, typed (keys checked against the chart's values.yaml). */
export interface AwsGatewayControllerValues {
  clusterName: string;
  clusterVpcId: string;
  awsRegion: string;
  awsAccountId: string;
  /** Empty: the controller neither creates a service network nor associates the VPC. */
  defaultServiceNetwork: "";
  enableServiceNetworkOverride: false;
  serviceAccount: { create: true; name: string; annotations: Record<string, string> };
  deployment: { replicas: number; topologySpreadConstraints: TopologySpread[] };
  pdb: { enabled: true; maxUnavailable: 1 };
}

/** Labels of the controller's pods (templates/deployment.yaml selector). */
export function awsGatewayControllerSelector(releaseName: string): Record<string, string> {
  return { "app.kubernetes.io/name": CHART_APP_NAME, "app.kubernetes.io/instance": releaseName };
}

export function awsGatewayControllerValues(props: AwsGatewayControllerProps): AwsGatewayControllerValues {
  const releaseName = props.releaseName ?? AWS_GATEWAY_CONTROLLER_DEFAULTS.releaseName;
  return {
    clusterName: props.clusterName,
    clusterVpcId: props.clusterVpcId,
    awsRegion: props.awsRegion,
    awsAccountId: props.awsAccountId,
    defaultServiceNetwork: "",
    enableServiceNetworkOverride: false,
    serviceAccount: {
      create: true,
      name: LATTICE_CONTROLLER.serviceAccount,
      annotations: props.identity.mode === "irsa" ? { "eks.amazonaws.com/role-arn": props.identity.roleArn } : {},
    },
    deployment: { replicas: props.replicas ?? AWS_GATEWAY_CONTROLLER_DEFAULTS.replicas, topologySpreadConstraints: spreadOverZonesAndNodes(awsGatewayControllerSelector(releaseName)) },
    pdb: { enabled: true, maxUnavailable: 1 },
  };
}

/**
 * What is wrong with these props; empty when nothing is. Paths are relative to the props. The
 * account is not checked, and the identity only when given: the plan checks an environment
 * before the cluster stack knows either.
 */
export function awsGatewayControllerProblems(props: Omit<AwsGatewayControllerProps, "awsAccountId" | "identity"> & { readonly identity?: AwsGatewayControllerIdentity }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const sn = latticeRules.serviceNetworkName(props.serviceNetworkName);
  if (sn) problems.push({ path: "serviceNetworkName", value: props.serviceNetworkName, message: sn });
  const gatewayNamespace = props.gatewayNamespace ?? LATTICE_CONTROLLER.namespace;
  const ns = rules.k8sLabelName(gatewayNamespace);
  if (ns) problems.push({ path: "gatewayNamespace", value: gatewayNamespace, message: ns });
  const release = rules.helmReleaseName(props.releaseName ?? AWS_GATEWAY_CONTROLLER_DEFAULTS.releaseName);
  if (release) problems.push({ path: "releaseName", value: props.releaseName, message: release });
  if (props.https?.certificateArn !== undefined) {
    const arn = latticeRules.acmCertificateArn(props.https.certificateArn);
    if (arn) problems.push({ path: "https.certificateArn", value: props.https.certificateArn, message: arn });
  }
  if (props.kubernetesVersion !== undefined) {
    const k = latticeRules.kubernetesAtLeast(props.kubernetesVersion, LATTICE_CONTROLLER.minKubernetes);
    if (k) problems.push({ path: "kubernetesVersion", value: props.kubernetesVersion, message: `${k}: the AWS Gateway API controller ${LATTICE_CONTROLLER.version} requires Kubernetes ${LATTICE_CONTROLLER.minKubernetes} or later` });
  }
  const replicas = props.replicas ?? AWS_GATEWAY_CONTROLLER_DEFAULTS.replicas;
  if (!Number.isInteger(replicas) || replicas < 1) problems.push({ path: "replicas", value: replicas, message: "must be a whole number of at least 1" });
  if (props.identity?.mode === "irsa" && !isToken(props.identity.roleArn) && !/^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[\w+=,.@/-]+$/.test(props.identity.roleArn))
    problems.push({ path: "identity.roleArn", value: props.identity.roleArn, message: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)" });

  const routes = props.routes ?? [];
  const attachment = { api: "gateway" as const, gateway: { name: props.serviceNetworkName, namespace: gatewayNamespace } };
  problems.push(...routeRenderProblems(attachment, routes));
  problems.push(...routeFeatureProblems(routes, { features: AWS_GATEWAY_CONTROLLER_ROUTE_FEATURES, controller: AWS_GATEWAY_CONTROLLER_NAME }));
  problems.push(...latticeRules.controllerServiceNameProblems(routes.filter((r) => r.backends[0] !== undefined).map((r) => ({ path: `routes.${r.name}`, name: routeObjectName(r.name), namespace: r.backends[0]?.namespace ?? "" }))));

  // Each list item's fields, at its index: `serviceExports.0.service`, `serviceImports.1.ports.0`.
  const shared = new Map<string, number>();
  const checkShared = (list: "serviceExports" | "serviceImports", index: number, nameField: "service" | "name", namespace: string, name: string, ports: ReadonlyArray<readonly [path: string, port: number]>) => {
    const at = `${list}.${index}`;
    const n = rules.k8sLabelName(namespace);
    if (n) problems.push({ path: `${at}.namespace`, value: namespace, message: n });
    const m = rules.k8sLabelName(name);
    if (m) problems.push({ path: `${at}.${nameField}`, value: name, message: m });
    if (ports.length === 0) problems.push({ path: `${at}.ports`, value: [], message: "must list at least one port" });
    for (const [path, p] of ports) {
      const bad = rules.port(p);
      if (bad) problems.push({ path: `${at}.ports.${path}`, value: p, message: bad });
    }
    const key = `${list}:${namespace}/${name}`;
    const first = shared.get(key);
    if (first !== undefined) problems.push({ path: `${at}.${nameField}`, value: `${namespace}/${name}`, message: `is ${list}.${first} again; list each service once` });
    else shared.set(key, index);
  };
  (props.serviceExports ?? []).forEach((e, i) => checkShared("serviceExports", i, "service", e.namespace, e.service, e.ports.map((p, j) => [`${j}.port`, p.port])));
  (props.serviceImports ?? []).forEach((e, i) => checkShared("serviceImports", i, "name", e.namespace, e.name, e.ports.map((p, j) => [`${j}`, p])));
  return problems;
}

/** The GatewayClass, the Gateway, the HTTPRoutes, ServiceExports and ServiceImports. Pure. */
export function awsGatewayControllerObjects(props: AwsGatewayControllerProps): KubeManifest[] {
  const gatewayNamespace = props.gatewayNamespace ?? LATTICE_CONTROLLER.namespace;
  const labels = { "app.kubernetes.io/part-of": "gatehouse" };
  const all = { namespaces: { from: "All" } };
  const listeners: Array<Record<string, unknown>> = [{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: all }];
  if (props.https)
    listeners.push({
      name: "https",
      protocol: "HTTPS",
      port: 443,
      tls:
        props.https.certificateArn !== undefined
          ? { mode: "Terminate", options: { [CERTIFICATE_ARN_OPTION]: props.https.certificateArn } }
          : { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "unused" }] },
      allowedRoutes: all,
    });
  const objects: KubeManifest[] = [
    {
      apiVersion: GATEWAY_API_VERSION,
      kind: "GatewayClass",
      metadata: { name: LATTICE_CONTROLLER.gatewayClass, labels },
      spec: { controllerName: LATTICE_CONTROLLER.controllerName },
    },
    {
      apiVersion: GATEWAY_API_VERSION,
      kind: "Gateway",
      metadata: { name: props.serviceNetworkName, namespace: gatewayNamespace, labels },
      spec: { gatewayClassName: LATTICE_CONTROLLER.gatewayClass, listeners },
    },
    ...routeManifests({ api: "gateway", gateway: { name: props.serviceNetworkName, namespace: gatewayNamespace } }, props.routes ?? []),
  ];
  for (const e of props.serviceExports ?? [])
    objects.push({
      apiVersion: LATTICE_API_VERSION,
      kind: "ServiceExport",
      metadata: { name: e.service, namespace: e.namespace, labels },
      spec: { exportedPorts: e.ports.map((p) => ({ port: p.port, routeType: p.routeType })) },
    });
  for (const i of props.serviceImports ?? []) {
    const annotations: Record<string, string> = {};
    if (i.fromCluster !== undefined) annotations["application-networking.k8s.aws/aws-eks-cluster-name"] = i.fromCluster;
    if (i.fromVpc !== undefined) annotations["application-networking.k8s.aws/aws-vpc"] = i.fromVpc;
    objects.push({
      apiVersion: LATTICE_API_VERSION,
      kind: "ServiceImport",
      metadata: { name: i.name, namespace: i.namespace, labels, ...(Object.keys(annotations).length ? { annotations } : {}) },
      spec: { type: "ClusterSetIP", ports: i.ports.map((port) => ({ port, protocol: "TCP" })) },
    });
  }
  return objects;
}

export class AwsGatewayController extends Construct {
  public readonly crds: GatewayApiCrds;
  public readonly release: Release;
  public readonly values: AwsGatewayControllerValues;
  /** What the Manifests release applies. */
  public readonly objects: readonly KubeManifest[];
  public readonly manifests: Manifests;
  /** The Gateway's name and namespace (a route attachment for routes.ts). */
  public readonly gateway: { readonly name: string; readonly namespace: string };
  public readonly dependables: readonly ITerraformDependable[];

  constructor(scope: Construct, id: string, props: AwsGatewayControllerProps) {
    super(scope, id);
    failIfAny(this.node.path, awsGatewayControllerProblems(props));
    const releaseName = props.releaseName ?? AWS_GATEWAY_CONTROLLER_DEFAULTS.releaseName;
    this.crds = GatewayApiCrds.of(this);
    this.values = awsGatewayControllerValues(props);
    const version = props.kubernetesVersion;
    this.release = new Release(this, "release", {
      name: releaseName,
      repository: AWS_GATEWAY_CONTROLLER_CHART.repository,
      chart: AWS_GATEWAY_CONTROLLER_CHART.chart,
      version: props.chartVersion ?? AWS_GATEWAY_CONTROLLER_CHART.version,
      namespace: LATTICE_CONTROLLER.namespace,
      createNamespace: true,
      ...SAFE_RELEASE,
      values: [helmValues(this.values)],
      dependsOn: [...this.crds.dependables],
      // A reference is checked at plan time (the rule and its message shared with the CRDs'
      // check, gateway-api.ts); a literal was checked above.
      lifecycle:
        version !== undefined && isToken(version)
          ? {
              precondition: [
                kubernetesVersionCheck({
                  version,
                  cluster: `EKS cluster ${props.clusterName}`,
                  requiredBy: `${AWS_GATEWAY_CONTROLLER_NAME} ${LATTICE_CONTROLLER.version}`,
                  minimum: LATTICE_CONTROLLER.minKubernetes,
                }),
              ],
            }
          : undefined,
    });
    this.gateway = { name: props.serviceNetworkName, namespace: props.gatewayNamespace ?? LATTICE_CONTROLLER.namespace };
    this.objects = awsGatewayControllerObjects(props);
    this.manifests = new Manifests(this, "objects", {
      releaseName: companionReleaseName(releaseName, "objects"),
      namespace: LATTICE_CONTROLLER.namespace,
      objects: this.objects,
      // The GatewayClass and Gateway are Gateway API kinds; ServiceExport and ServiceImport come with the chart.
      dependsOn: [...this.crds.dependables, this.release],
    });
    this.dependables = [this.release, this.manifests.release];
  }
}
