/**
 * gatehouse as a library: the package's public entry point (`import … from "gatehouse"`).
 *
 * The same one-way flow as main.ts: an environment (validated by `EnvSchema`, or loaded from
 * YAML/JSON by `loadEnvironments`) → `planEnvironment` → `buildPlan` (or `buildAll`) into a
 * cdktf `App`. The constructs the stacks are made of are exported with their props, for apps
 * that compose their own stacks; they take the port contract (`buildContract`, or a cluster's
 * `contract` in the plan) rather than raw environment fields. Each construct's rules are one
 * exported function of its props (`nlbEdgeProblems`, `apiGatewayProblems`, …), which its
 * constructor runs and the plan runs on the props it builds.
 *
 * Everything is re-exported by name: what is listed here is the public surface, and every other
 * export of modules/ and envs/ is internal.
 */

// Environments: schema, types, loading.
export { AwsSchema, ControllerSchema, EnvSchema, GcpSchema, PortsSchema, StateSchema } from "./config/schema";
export type { AwsEnv, Env, EnvInput, GcpEnv, GkeCluster } from "./config/schema";
export { loadEnvironments, parseEnvironment } from "./config/loader";
export type { LoadedEnv, LoadOptions } from "./config/loader";

// Errors.
export { ConfigError } from "./core/errors";
export type { FieldProblem, Problem } from "./core/errors";

// The port contract.
export { buildContract, contractProblems, DEFAULT_PORTS, negEntryPoints } from "./model/contract";
export { CONTROLLER_DEFAULTS, DEFAULT_IDLE_TIMEOUT, GATEWAY_API_CHANNELS, GCP_BACKEND_DEFAULTS, NLB_DEFAULTS, ROUTE_DEFAULTS } from "./model/defaults";
export type { GatewayApiChannel } from "./model/defaults";
export type { ContractInput, EntryKind, EntryPoint, EntryPointInput, HttpsEntryInput, PortContract, TargetKind, TargetPorts, TcpEntryInput, TlsChoice } from "./model/contract";

// The resolved plan.
export { contractInputFor, crossEnvProblems, planEnvironment, planProblems, resolve } from "./plan";
export type { AwsClusterPlan, AwsEdgePlan, AwsPlan, AwsStackSettings, ClusterPlan, ControllerPlan, EnvPlan, GcpAddressPlan, GcpEdgePlan, GcpPlan, GcpStackSettings, GkeClusterPlan, LatticeControllerPlan, Resolution } from "./plan";
export { stackNames } from "./core/naming";

// Stacks.
export { buildAll, buildEnvironment, buildPlan } from "./stacks/build";
export { AwsClusterStack, AwsEdgeStack } from "./stacks/aws";
export type { AwsClusterStackProps } from "./stacks/aws";
export { GcpAddressStack, GcpEdgeStack, GkeClusterStack } from "./stacks/gcp";
export type { GcpEdgeStackProps, GkeClusterStackProps } from "./stacks/gcp";
export { CloudBlock, configureState } from "./stacks/state";
export type { CloudBlockProps, StateConfig } from "./stacks/state";

// AWS constructs.
export { NlbEdge, nlbEdgeProblems } from "./aws/nlb-edge";
export type { NlbEdgeProps, SubnetMapping, TargetGroupHealthCheck, TlsAtLoadBalancer } from "./aws/nlb-edge";
export { NlbSecurityGroup, nlbSecurityGroupProblems } from "./aws/nlb-security-group";
export type { NlbSecurityGroupProps } from "./aws/nlb-security-group";
export { NodeAccessRules, nodeAccessRulesProblems } from "./aws/node-access";
export type { NodeAccessRulesProps, NodeAccessSource } from "./aws/node-access";
export { TargetRegistration, targetRegistrationProblems } from "./aws/targets";
export { HostedZone, hostedZoneProblems, NlbAliasRecords, nlbAliasRecordsProblems, SteeredRecords, steeredRecordsProblems } from "./aws/route53";
export type { AliasTarget, Edge, HostedZoneProps, HostedZoneRef, NlbAliasRecordsProps, SteeredHealthCheck, SteeredRecordsProps, SteeringPolicy } from "./aws/route53";
export { DnsValidatedCertificate, dnsValidatedCertificateProblems } from "./aws/acm";
export type { AcmKeyAlgorithm, DnsValidatedCertificateProps } from "./aws/acm";
export { AuthorizationRecords, authorizationRecordsProblems } from "./aws/authorization-records";
export type { AuthorizationRecordsProps } from "./aws/authorization-records";
export type { TargetGroupRef, TargetRegistrationProps, TargetSource } from "./aws/targets";

// GCP constructs.
export { AddressRecords, addressRecordsProblems, GlobalAddresses, globalAddressesProblems, GlobalAddressLookup } from "./gcp/address-dns";
export type { AddressRecordsProps, GlobalAddressesProps } from "./gcp/address-dns";
export { CertMap } from "./gcp/cert-map";
export type { CertMapProps } from "./gcp/cert-map";
export { FrontEndFirewall, frontEndFirewallProblems } from "./gcp/firewall";
export type { FrontEndFirewallProps } from "./gcp/firewall";
export { GOOGLE_FRONT_END_RANGES } from "./model/front-end-ranges";
export { GlobalFrontends, LOAD_BALANCING_SCHEME } from "./gcp/frontends";
export type { GlobalFrontendsProps } from "./gcp/frontends";
export { NegBackends, negBackendsProblems } from "./gcp/neg-backends";
export type { NegBackendsProps, NegCluster } from "./gcp/neg-backends";

// Kubernetes constructs and the controller plug-ins.
export { ClusterAccess } from "./k8s/cluster-access";
export type { ClusterAccessProps } from "./k8s/cluster-access";
export { CONTROLLER_KINDS, negAnnotation } from "./k8s/controllers/plugin";
export type { Controller, ControllerIdentity, ControllerKind, ControllerPlugin, ControllerProps, ControllerSettings, Exposure } from "./k8s/controllers/plugin";
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
export { GATEWAY_API, GatewayApiCrds, contractGateway, gatewayApiCrdsProblems } from "./k8s/gateway-api";
export type { ContractGatewayOptions, GatewayApiCrdsProps } from "./k8s/gateway-api";

// Routes.
export type {
  BackendPolicyAttachment,
  LoadBalancerPolicy,
  RetryCondition,
  Route,
  RouteAttachment,
  RouteBackend,
  RouteCircuitBreaker,
  RouteConnectionPool,
  RouteFeatures,
  RouteMatchConditions,
  RouteMatchType,
  RouteRetries,
  RouteValueMatch,
} from "./model/route-types";
export { LOAD_BALANCER_POLICIES, RETRY_CONDITIONS, ROUTE_LIMITS, ROUTE_MATCH_TYPES } from "./model/defaults";
export { parseRoutes, routeFeatureProblems, routeProblems } from "./model/routes";
export type { RouteInput, RouteRuleContext, RouteValueMatchInput } from "./model/routes";
export { Routes, routeManifests, routesProblems } from "./k8s/route-objects";
export type { RoutesProps } from "./k8s/route-objects";
export { backendPolicyObjects, backendPolicyProblems } from "./k8s/backend-policies";
export { INGRESS_NGINX_ROUTE_FEATURES } from "./k8s/controllers/ingress-nginx-identity";
export { NGF_ROUTE_FEATURES } from "./k8s/controllers/nginx-gateway-fabric-identity";
export { ISTIO_ROUTE_FEATURES } from "./k8s/controllers/istio";

// API Gateway through a VPC link, services on fixed NodePorts, VPC Lattice
export { ApiGateway, API_GATEWAY_DEFAULTS, apiGatewayProblems } from "./aws/api-gateway";
export { vpcLinkSecurityGroupName } from "./aws/api-gateway-rules";
export type { ApiGatewayProps, ApiGatewayTarget, ApiGatewayStageProps, ApiGatewayDomainProps } from "./aws/api-gateway";
export { ServiceEntries } from "./k8s/service-entries";
export type { ServiceEntriesProps } from "./k8s/service-entries";
export { LatticeNetwork, latticeClientsSecurityGroupName, latticeNetworkProblems } from "./aws/lattice";
export type { LatticeNetworkProps, LatticeControllerIdentity, LatticeAssociationSecurityGroups } from "./aws/lattice";
export { AwsGatewayController, awsGatewayControllerProblems } from "./k8s/aws-gateway-controller";
export type { AwsGatewayControllerProps, LatticeServiceExport, LatticeServiceImport } from "./k8s/aws-gateway-controller";
export { LATTICE_CONTROLLER } from "./model/lattice";
export { AwsApiStack } from "./stacks/api";
export type { AwsApiStackProps } from "./stacks/api";
export { AwsLatticeStack } from "./stacks/lattice";
export { DnsStack } from "./stacks/dns";
export type { DnsStackProps } from "./stacks/dns";
export type { DnsPlan } from "./plan";
export type { ApiPlan, LatticePlan } from "./plan";
