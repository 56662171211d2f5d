/**
 * gatehouse as a library: the package's public entry point (`import … from "gatehouse"`).
 *
 * The same one-way flow as main.ts: an environment (validated by `EnvSchema`, or loaded from
 * YAML/JSON by `loadEnvironments`) → `planEnvironment` → `buildPlan` (or `buildAll`) into a
 * cdktf `App`. The constructs the stacks are made of are exported with their props, for apps
 * that compose their own stacks; they take the port contract (`buildContract`, or a cluster's
 * `contract` in the plan) rather than raw environment fields.
 *
 * Everything is re-exported by name: what is listed here is the public surface, and every other
 * export of modules/ and envs/ is internal.
 */
import type { AwsClusterStack } from "./stacks/aws";

// Environments: schema, types, loading.
export { AwsSchema, ControllerSchema, EnvSchema, GcpSchema, PortsSchema, StateSchema } from "./config/schema";
export type { AwsEnv, Env, EnvInput, GcpEnv, GkeCluster } from "./config/schema";
export { loadEnvironments, parseEnvironment } from "./config/loader";
export type { LoadedEnv, LoadOptions } from "./config/loader";

// Errors.
export { ConfigError } from "./core/errors";
export type { Problem } from "./core/errors";

// The port contract.
export { buildContract, contractProblems, DEFAULT_IDLE_TIMEOUT, DEFAULT_PORTS, negEntryPoints } from "./model/contract";
export type { ContractInput, EntryKind, EntryPoint, EntryPointInput, HttpsEntryInput, PortContract, TargetKind, TargetPorts, TcpEntryInput, TlsChoice } from "./model/contract";

// The resolved plan.
export { contractInputFor, crossEnvProblems, planEnvironment, planProblems, resolve } from "./plan";
export type { AwsPlan, ClusterPlan, ControllerPlan, EnvPlan, GcpPlan, GkePlan, Resolution } from "./plan";
export { stackNames } from "./core/naming";

// Stacks.
export { buildAll, buildEnvironment, buildPlan } from "./stacks/build";
export { AwsClusterStack, AwsEdgeStack } from "./stacks/aws";
export type { AwsStackProps } from "./stacks/aws";
/** Props of the AWS cluster stack: the plan, and the edge stack whose target groups it binds to. */
export type AwsClusterStackProps = ConstructorParameters<typeof AwsClusterStack>[2];
export { GcpAddressStack, GcpEdgeStack, GkeClusterStack } from "./stacks/gcp";
export type { GcpEdgeStackProps, GcpStackProps, GkeClusterStackProps } from "./stacks/gcp";
export { CloudBlock, configureState } from "./stacks/state";
export type { CloudBlockProps, StateConfig } from "./stacks/state";

// AWS constructs.
export { NLB_DEFAULTS, NlbEdge } from "./aws/nlb-edge";
export type { NlbEdgeProps, SubnetMapping, TargetGroupHealthCheck, TlsAtLoadBalancer } from "./aws/nlb-edge";
export { NlbSecurityGroup } from "./aws/nlb-security-group";
export type { NlbSecurityGroupProps } from "./aws/nlb-security-group";
export { NodeAccessRules } from "./aws/node-access";
export type { NodeAccessRulesProps, NodeAccessSource } from "./aws/node-access";
export { TargetRegistration } from "./aws/targets";
export type { TargetGroupRef, TargetRegistrationProps, TargetSource } from "./aws/targets";

// GCP constructs.
export { AddressRecords, GlobalAddresses, GlobalAddressLookup } from "./gcp/address-dns";
export type { AddressRecordsProps, GlobalAddressesProps } from "./gcp/address-dns";
export { CertMap } from "./gcp/cert-map";
export type { CertMapProps } from "./gcp/cert-map";
export { FrontEndFirewall } from "./gcp/firewall";
export type { FrontEndFirewallProps } from "./gcp/firewall";
export { GOOGLE_FRONT_END_RANGES } from "./model/front-end-ranges";
export { GlobalFrontends, LOAD_BALANCING_SCHEME } from "./gcp/frontends";
export type { GlobalFrontendsProps } from "./gcp/frontends";
export { NegBackends } from "./gcp/neg-backends";
export type { NegBackendsProps, NegCluster } from "./gcp/neg-backends";

// Kubernetes constructs and the controller plug-ins.
export { ClusterAccess } from "./k8s/cluster-access";
export type { ClusterAccessProps } from "./k8s/cluster-access";
export { CONTROLLER_KINDS, negAnnotation } from "./k8s/controllers/plugin";
export type { Controller, ControllerIdentity, ControllerKind, ControllerPlugin, ControllerProps, ControllerSettings, EnvProblem, Exposure } from "./k8s/controllers/plugin";
export { CONTROLLERS, controllerPlugin } from "./k8s/controllers";
export { HealthCheckService } from "./k8s/healthcheck-service";
export type { HealthCheckServiceProps } from "./k8s/healthcheck-service";
export { TargetGroupBindings } from "./k8s/target-group-binding";
export type { TargetGroupBindingsProps } from "./k8s/target-group-binding";
export { Manifests } from "./k8s/manifests";
export type { KubeManifest, ManifestsProps } from "./k8s/manifests";
export { INGRESS_NGINX_CHART, IngressNginx, ingressNginxPlugin, ingressNginxValues } from "./k8s/controllers/ingress-nginx";
export type { IngressNginxProps, IngressNginxValues } from "./k8s/controllers/ingress-nginx";
export { ingressNginxIdentity } from "./k8s/controllers/ingress-nginx-identity";
export { NGINX_GATEWAY_FABRIC_CHART, NginxGatewayFabric, nginxGatewayFabricPlugin, nginxGatewayFabricValues } from "./k8s/controllers/nginx-gateway-fabric";
export type { NginxGatewayFabricValues } from "./k8s/controllers/nginx-gateway-fabric";
export { nginxGatewayFabricIdentity } from "./k8s/controllers/nginx-gateway-fabric-identity";
export { ISTIO_CHART, Istio, istioIdentity, istioPlugin } from "./k8s/controllers/istio";
export { GATEWAY_API, GatewayApiCrds, contractGateway } from "./k8s/gateway-api";
export type { ContractGatewayOptions, GatewayApiCrdsProps } from "./k8s/gateway-api";

// Routes.
export type { Route, RouteAttachment, RouteBackend, RouteFeatures } from "./model/route-types";
export { parseRoutes, routeProblems } from "./model/routes";
export type { RouteInput, RouteProblem, RouteRuleContext } from "./model/routes";
export { Routes, routeManifests } from "./k8s/route-objects";
export type { RoutesProps } from "./k8s/route-objects";

// API Gateway through a VPC link, services on fixed NodePorts, VPC Lattice
export { ApiGateway, API_GATEWAY_DEFAULTS } from "./aws/api-gateway";
export type { ApiGatewayProps, ApiGatewayTarget, ApiGatewayStageProps, ApiGatewayDomainProps } from "./aws/api-gateway";
export { ServiceEntries } from "./k8s/service-entries";
export type { ServiceEntriesProps } from "./k8s/service-entries";
export { LatticeNetwork, latticeNetworkProblems } from "./aws/lattice";
export type { LatticeNetworkProps, LatticeControllerIdentity, LatticeAssociationSecurityGroups } from "./aws/lattice";
export { AwsGatewayController, awsGatewayControllerProblems } from "./k8s/aws-gateway-controller";
export type { AwsGatewayControllerProps, LatticeServiceExport, LatticeServiceImport } from "./k8s/aws-gateway-controller";
export { LATTICE_CONTROLLER } from "./model/lattice";
export { AwsApiStack } from "./stacks/api";
export type { AwsApiStackProps } from "./stacks/api";
export { AwsLatticeStack } from "./stacks/lattice";
export type { AwsLatticeStackProps } from "./stacks/lattice";
export type { ApiPlan, LatticePlan } from "./plan";
