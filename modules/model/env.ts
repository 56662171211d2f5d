/**
 * An environment's shape: one source for the TypeScript types, the field-level validation and
 * the published JSON Schema (envs/gatehouse.schema.json, `npm run schema`). Defaults and the
 * limits editors see come from defaults.ts.
 *
 * Objects are strict (an unknown key is an error, so a typo never falls back to a default).
 * Rules that span fields, or that a construct states for its props, are not here: the resolved
 * plan (modules/plan) checks them on what it builds, and EnvSchema (modules/config/schema.ts) runs
 * it after this shape.
 */
import { z } from "zod";
import { PART_SEPARATOR, RESERVED_ENV_WORDS } from "../core/naming";
import * as rules from "../core/rules";
import { DEFAULT_PORTS } from "./contract";
import { ACCOUNT_THROTTLE_QUOTA, ACM_KEY_ALGORITHMS, API_GATEWAY_STAGE_DEFAULTS, CONTROLLER_DEFAULTS, CONTROLLER_KINDS, CONTROLLER_LIMITS, DEFAULT_IDLE_TIMEOUT, DNS_STEERING, DNS_STEERING_DEFAULTS, EDGES, GATEWAY_API_CHANNELS, GATEWAY_API_CRD_SOURCES, GATEWAY_API_CRDS_DEFAULTS, GCP_BACKEND_DEFAULTS, GCP_SSL_POLICY_DEFAULTS, LOAD_BALANCER_POLICIES, NLB_DEFAULTS, RETRY_CONDITIONS, ROUTE53_LIMITS, ROUTE_DEFAULTS, ROUTE_LIMITS, ROUTE_MATCH_TYPES, LOG_RETENTION_DAYS, STATE_DEFAULTS } from "./defaults";

const int = () => z.number().int();
/**
 * A number whose limits a rule enforces (its one home, beside the construct or in the plan): the
 * published JSON Schema states them for editors, from the same constants the rule reads.
 */
const bounded = <T extends z.ZodNumber>(schema: T, limits: { readonly min: number; readonly max: number }): T => schema.meta({ minimum: limits.min, maximum: limits.max });
const rule = (check: (v: string) => string | undefined) => (v: string, ctx: z.RefinementCtx) => {
  const m = check(v);
  if (m) ctx.addIssue({ code: "custom", message: m, input: v });
};

/**
 * Environment and cluster names become parts of resource names: short DNS labels without `--`,
 * the separator between the parts of a derived name (modules/core/naming.ts).
 */
const noSeparator = (v: string) => !v.includes(PART_SEPARATOR);
const shortName = z
  .string()
  .regex(/^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/, "must be 1-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen")
  .refine(noSeparator, `must not contain "${PART_SEPARATOR}": it separates the parts of derived resource names`);
/** Stack names are `<env>-aws-…` / `<env>-gcp-…`: an env name holding those words could produce another env's stack. */
const envName = shortName.refine(
  (v) => !v.split("-").some((w) => (RESERVED_ENV_WORDS as readonly string[]).includes(w)),
  `must not contain the words ${RESERVED_ENV_WORDS.map((w) => `"${w}"`).join(" or ")} between hyphens: stack names use them after the environment name (<env>-aws-edge, <env>-gcp-cluster-<cluster>)`,
);
const entryName = z
  .string()
  .regex(/^[a-z](?:[a-z0-9-]{0,13}[a-z0-9])?$/, "entry point names are 1-15 lowercase letters, digits and hyphens")
  .refine(noSeparator, `must not contain "${PART_SEPARATOR}": it separates the parts of derived resource names`);
const cidr = z.string().superRefine(rule(rules.cidrV4));
const tags = z.record(z.string().min(1).max(128), z.string().max(256));

const entryPoint = z.strictObject({
  listenerPort: bounded(int(), rules.PORT_LIMITS).describe("Port the load balancer listens on."),
  nodePort: bounded(int(), rules.PORT_LIMITS).describe("Fixed NodePort of the controller Service, inside ports.nodePortRange."),
});
/** NLB listener and target group settings of one entry point (AWS only). */
const connectionTermination = (dflt: boolean) =>
  z
    .boolean()
    .default(dflt)
    .describe("AWS: close open connections when a target is deregistered (after aws.targetGroups.deregistrationDelay), so long-lived clients reconnect to a live target instead of hanging on a drained node.");
const listenerIdleTimeout = bounded(int(), rules.TCP_IDLE_TIMEOUT_LIMITS)
  .optional()
  .describe("AWS: seconds an idle connection stays open through the NLB's TCP listener (60-6000); AWS's 350 when unset. TLS listeners have it fixed at 350. GCP uses gcp.backends.timeoutSec for https.");
const tlsChoice = z
  .enum(["passthrough", "terminate"])
  .default("passthrough")
  .describe(
    "Where the client's TLS ends, the same on every cloud. passthrough: the load balancer forwards the bytes and TLS ends in the controller (https) or the backend (tcp); terminate: TLS ends at the load balancer (AWS: TLS listener with aws.nlb.tls.certificateArn; GCP: the certificate map) and plain traffic reaches the controller.",
  );

/** A header or query parameter a route matches. */
const valueMatch = z.strictObject({
  name: z.string(),
  value: z.string(),
  type: z.enum(ROUTE_MATCH_TYPES).default(ROUTE_DEFAULTS.matchType),
});

const RouteSchema = z.strictObject({
  host: z.string().superRefine(rule(rules.notIpAddress)).optional().describe("Host to match (wildcard allowed as the leftmost label); every host when unset. With a gcp section it must be one of the hostnames or covered by one."),
  path: z.string().default(ROUTE_DEFAULTS.path),
  pathType: z.enum(["Prefix", "Exact"]).default(ROUTE_DEFAULTS.pathType),
  backend: z.string().optional().describe('The Service: "namespace/service:port". Exactly one of backend and backends.'),
  backends: z
    .array(z.strictObject({ backend: z.string(), weight: bounded(int(), ROUTE_LIMITS.weight) }))
    .min(1)
    .optional()
    .describe("Weighted backends (canary): whole percentages adding up to 100, all in one namespace."),
  match: z
    .strictObject({
      headers: z.array(valueMatch).optional().describe("Headers the request must carry: Exact values, or RegularExpression (matching the whole value; no lookaround or backreferences)."),
      queryParams: z.array(valueMatch).optional().describe("Query parameters the request must carry, compared like headers."),
      cookie: z.string().optional().describe('A cookie the request must carry with the value "always" (ingress-nginx\'s canary convention).'),
    })
    .optional()
    .describe("Conditions besides host and path, all of which must hold: a dark launch. The route takes the requests that carry them; a route with the same host and path and no match takes the rest (on ingress-nginx this route is that one's canary)."),
  timeout: bounded(int(), ROUTE_LIMITS.timeoutSeconds).optional().describe("Whole-request timeout, seconds."),
  retries: z
    .strictObject({
      attempts: bounded(int(), ROUTE_LIMITS.retryAttempts).describe("Retries after the first try."),
      perTryTimeout: bounded(int(), ROUTE_LIMITS.timeoutSeconds).optional().describe("Seconds each try may take."),
      retryOn: z
        .array(z.union([z.enum(RETRY_CONDITIONS), bounded(int(), ROUTE_LIMITS.retryStatusCode)]))
        .optional()
        .describe(
          `When to retry: ${RETRY_CONDITIONS.join(", ")}, or response status codes; ${ROUTE_DEFAULTS.retryOn.join(", ")} when unset (istio: ${ROUTE_DEFAULTS.httpRouteRetryOn.join(", ")}).`,
        ),
    })
    .optional()
    .describe("Retries of a failed request, where the controller supports them: ingress-nginx, and istio with controller.gatewayApiChannel: experimental (HTTPRoute's retry field)."),
  circuitBreaker: z
    .strictObject({
      consecutive5xxErrors: bounded(int(), ROUTE_LIMITS.consecutive5xxErrors).optional().describe(`5xx responses in a row that take a pod out (${ROUTE_DEFAULTS.circuitBreaker.consecutive5xxErrors} when unset).`),
      interval: bounded(int(), ROUTE_LIMITS.ejectionSeconds).optional().describe(`Seconds between checks (${ROUTE_DEFAULTS.circuitBreaker.intervalSeconds} when unset).`),
      baseEjectionTime: bounded(int(), ROUTE_LIMITS.ejectionSeconds).optional().describe(`Seconds a pod stays out, times the number of times it was taken out (${ROUTE_DEFAULTS.circuitBreaker.baseEjectionTimeSeconds} when unset).`),
      maxEjectionPercent: bounded(int(), ROUTE_LIMITS.maxEjectionPercent).optional().describe(`Most pods of the Service out at once, percent (${ROUTE_DEFAULTS.circuitBreaker.maxEjectionPercent} when unset).`),
    })
    .optional()
    .describe("Take pods of the backend Services that keep failing out of the pool for a while (istio: DestinationRule outlierDetection). Per Service: every route to one Service states the same."),
  connectionPool: z
    .strictObject({
      maxConnections: bounded(int(), ROUTE_LIMITS.connections).optional().describe("Connections to a backend Service, per controller pod."),
      maxPendingRequests: bounded(int(), ROUTE_LIMITS.connections).optional().describe("Requests waiting for a connection."),
      maxRequests: bounded(int(), ROUTE_LIMITS.connections).optional().describe("Requests in flight."),
      maxRequestsPerConnection: bounded(int(), ROUTE_LIMITS.connections).optional().describe("Requests one connection carries before it is closed."),
    })
    .optional()
    .describe("Limits on the traffic to the backend Services (istio: DestinationRule connectionPool). Per Service: every route to one Service states the same."),
  loadBalancer: z
    .enum(LOAD_BALANCER_POLICIES)
    .optional()
    .describe("How a pod of the backend Services is picked (istio: all; nginx-gateway-fabric: all, least-request as random two least_conn; ingress-nginx: round-robin). Per Service: every route to one Service states the same."),
});

export const PortsSchema = z
  .strictObject({
    http: entryPoint.extend({ connectionTermination: connectionTermination(false), idleTimeout: listenerIdleTimeout }).prefault({ ...DEFAULT_PORTS.http }),
    https: entryPoint.extend({ tls: tlsChoice, connectionTermination: connectionTermination(false), idleTimeout: listenerIdleTimeout }).prefault({ ...DEFAULT_PORTS.https }),
    tcp: z
      .record(
        entryName,
        entryPoint.extend({
          backend: z.string().describe('In-cluster backend the controller proxies to: "namespace/service:port".'),
          tls: tlsChoice,
          idleTimeout: bounded(int(), rules.TCP_IDLE_TIMEOUT_LIMITS)
            .default(DEFAULT_IDLE_TIMEOUT)
            .describe("Seconds an idle connection stays open through the load balancers (60-6000; keep it above the protocol's keepalive, e.g. MQTT's 60 s). AWS TLS listeners have it fixed at 350."),
          connectionTermination: connectionTermination(true),
        }),
      )
      .default({})
      .describe("Extra TCP entry points, keyed by a stable name."),
    services: z
      .record(
        entryName,
        entryPoint.extend({
          namespace: z.string().superRefine(rule(rules.k8sLabelName)).describe("Namespace of the service's pods."),
          selector: z
            .record(z.string().superRefine(rule(rules.k8sLabelKey)), z.string().superRefine(rule(rules.k8sLabelValue)))
            .refine((s) => Object.keys(s).length > 0, "must name at least one label: Kubernetes takes a Service with an empty selector for one without a selector and sends it no pods")
            .optional()
            .describe("Labels of the service's pods (Kubernetes label keys and values); or name an existingService to copy its selector."),
          existingService: z.string().superRefine(rule(rules.k8sLabelName)).optional().describe("An existing Service in the namespace whose selector the NodePort Service copies."),
          targetPort: bounded(int(), rules.PORT_LIMITS).describe("Pod port the traffic goes to."),
          healthCheck: z
            .discriminatedUnion("protocol", [z.strictObject({ protocol: z.literal("HTTP"), path: z.string() }), z.strictObject({ protocol: z.literal("TCP") })])
            .prefault({ protocol: "TCP" })
            .describe("How the NLB checks a target, on the traffic port: HTTP on a path, or a TCP connection."),
          connectionTermination: connectionTermination(false),
          idleTimeout: listenerIdleTimeout,
        }),
      )
      .default({})
      .describe("Services the NLB reaches directly on NodePorts of their own (not through the controller), keyed by a stable name: the design for API Gateway through a VPC link. AWS only."),
    health: z
      .strictObject({
        nodePort: bounded(int(), rules.PORT_LIMITS).default(DEFAULT_PORTS.health.nodePort),
        path: z.string().optional().describe("HTTP path of the health check; the controller's own readiness path when unset (ingress-nginx: /healthz)."),
      })
      .prefault({}),
    nodePortRange: z.strictObject({ min: bounded(int(), rules.PORT_LIMITS).default(DEFAULT_PORTS.nodePortRange.min), max: bounded(int(), rules.PORT_LIMITS).default(DEFAULT_PORTS.nodePortRange.max) }).prefault({}),
    proxyProtocol: z.boolean().default(false).describe("PROXY protocol v2 from the NLB to the controller (AWS only)."),
  })
  .prefault({});

export const ControllerSchema = z
  .strictObject({
    kind: z.enum(CONTROLLER_KINDS).default(CONTROLLER_DEFAULTS.kind).describe("The ingress controller behind the load balancers; the port contract is the same for every kind."),
    releaseName: z.string().superRefine(rule(rules.helmReleaseName)).optional().describe("Helm release name; the controller's own default when unset (ingress-nginx: ingress-nginx)."),
    namespace: z.string().superRefine(rule(rules.k8sLabelName)).optional().describe("Namespace of the controller; the controller's own default when unset."),
    chartVersion: z
      .string()
      .regex(/^[0-9]+\.[0-9]+\.[0-9]+$/, "must be an exact chart version such as 4.15.1")
      .optional()
      .describe("Exact chart version: the one gatehouse tests for the controller kind (its pin, also the default); another only with allowUntestedChartVersion."),
    allowUntestedChartVersion: z
      .boolean()
      .optional()
      .describe("Take a chartVersion other than the tested pin (e.g. a security release gatehouse has not pinned yet). Its values and objects were never rendered against gatehouse's: check the chart's changes first."),
    replicas: bounded(int(), CONTROLLER_LIMITS.replicas).default(CONTROLLER_DEFAULTS.replicas).describe("Data-plane replicas; a PodDisruptionBudget keeps all but one up."),
    resources: z
      .strictObject({ cpu: z.string().superRefine(rule(rules.k8sQuantity)).default(CONTROLLER_DEFAULTS.resources.cpu), memory: z.string().superRefine(rule(rules.k8sQuantity)).default(CONTROLLER_DEFAULTS.resources.memory) })
      .prefault({})
      .describe('Requests of each data-plane pod, as Kubernetes quantities ("500m", "0.5", "512Mi").'),
    config: z
      .record(z.string().superRefine(rule(rules.configMapKey)), z.string())
      .default({})
      .describe("Controller options: extra ingress-nginx ConfigMap keys; for nginx-gateway-fabric and istio, httpsCertificateSecret (the kubernetes.io/tls Secret of the HTTPS listener when TLS passes through)."),
    gatewayApiCrds: z
      .enum(GATEWAY_API_CRD_SOURCES, {
        error: `must be "install" (gatehouse installs the Gateway API CRDs) or "cluster-managed" (GKE, EKS Auto Mode or another installation provides them)`,
      })
      .default(GATEWAY_API_CRDS_DEFAULTS.source)
      .describe(
        "Who puts the Gateway API CRDs on the cluster, for the controllers that use them (nginx-gateway-fabric, istio, aws.lattice). install: gatehouse's chart (v1.5.1), refused at plan time where GKE's Gateway API is on or the CRDs belong to anything else; cluster-managed: GKE (its Gateway API on; Autopilot has it), EKS Auto Mode or another installation provides them, and gatehouse checks at plan time that they are there at v1.5 or later.",
      ),
    gatewayApiChannel: z
      .enum(GATEWAY_API_CHANNELS, {
        error: `must be "standard" (the Gateway API's standard channel) or "experimental" (its experimental channel, for HTTPRoute retries on istio)`,
      })
      .default(GATEWAY_API_CRDS_DEFAULTS.channel)
      .describe(
        "Release channel of the cluster's Gateway API CRDs. standard: what every controller needs; experimental: adds HTTPRoute's retry field, which istio carries out (routes' retries). With gatewayApiCrds: install, gatehouse installs that channel; with cluster-managed, it checks at plan time that the cluster's HTTPRoute CRD is of it. One channel per cluster: moving an installed cluster from standard to experimental is a reviewed step (see the README).",
      ),
  })
  .prefault({});

export const StateSchema = z
  .discriminatedUnion("type", [
    z.strictObject({ type: z.literal("local") }),
    z.strictObject({
      type: z.literal("cloud"),
      organization: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "must be an HCP Terraform organization name"),
      hostname: z.string().optional().describe("Terraform Enterprise host; HCP Terraform when unset."),
      project: z.string().min(1).optional(),
      workspacePrefix: z.string().default(STATE_DEFAULTS.workspacePrefix).superRefine(rule(rules.tfcWorkspaceName)),
    }),
    z.strictObject({
      type: z.literal("s3"),
      bucket: z.string().min(3).max(63),
      region: z.string().superRefine(rule(rules.awsRegion)),
      keyPrefix: z.string().default(STATE_DEFAULTS.keyPrefix),
    }),
    z.strictObject({ type: z.literal("gcs"), bucket: z.string().min(3).max(222), prefix: z.string().default(STATE_DEFAULTS.prefix) }),
  ])
  .prefault({ type: "local" });

const awsId = (prefix: string) => z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must be an AWS id such as ${prefix}-0123456789abcdef0`);

export const AwsSchema = z.strictObject({
  region: z.string().superRefine(rule(rules.awsRegion)).describe("AWS Region of the cluster, the NLB and everything around them, e.g. eu-west-1."),
  accountId: z
    .string()
    .regex(/^\d{12}$/, "must be a 12-digit AWS account id")
    .optional()
    .describe(
      "The AWS account the environment deploys to. Only used to tell environments in different accounts apart when names unique in an account (load balancer, service network, IAM, clusters) are compared at synth; without it they are compared as if they shared an account.",
    ),
  cluster: z.strictObject({
    name: z.string().min(1).max(100).describe("EKS cluster name (also used in tags and derived names)."),
    access: z
      .discriminatedUnion("type", [
        z.strictObject({ type: z.literal("eks") }),
        z.strictObject({ type: z.literal("kubeconfig"), path: z.string().min(1), context: z.string().min(1).optional() }),
      ])
      .prefault({ type: "eks" })
      .describe("How Terraform reaches the cluster's API for Helm and Kubernetes: eks (the EKS cluster's endpoint and a token, no kubeconfig file) or kubeconfig (path and context, for self-managed clusters)."),
  }),
  vpc: z.strictObject({
    id: awsId("vpc").describe("The cluster's VPC: target groups, security groups and worker discovery live in it."),
    cidrs: z.array(cidr).min(1).describe("The VPC's CIDR blocks; without an NLB security group they are admitted to the worker NodePorts."),
    allowPublicCidrs: z
      .boolean()
      .default(false)
      .describe("Admit VPC CIDRs outside the private ranges to the worker NodePorts. A public range there opens the NodePorts to the internet: set it only for a VPC that really uses public address space."),
  }),
  dns: z
    .strictObject({
      zoneId: z.string().optional().describe("Id of the public Route 53 hosted zone, e.g. Z0123456789ABCDEFGHIJ."),
      zoneName: z.string().optional().describe("Name of the public Route 53 hosted zone (looked up), e.g. example.com."),
    })
    .optional()
    .describe("The Route 53 hosted zone of the hostnames: alias records to the NLB, the certificate's validation records, and steering between the edges (dns.steering)."),
  certificate: z
    .strictObject({
      keyAlgorithm: z.enum(ACM_KEY_ALGORITHMS).optional().describe("Key algorithm of the certificate; RSA_2048 (the widest client support) when unset."),
    })
    .optional()
    .describe("An ACM certificate for the hostnames, validated through DNS records in aws.dns, on every entry point whose TLS ends at the NLB (instead of aws.nlb.tls.certificateArn)."),
  nlb: z
    .strictObject({
      name: z.string().optional().describe("Load balancer name; derived from env and cluster when unset."),
      internetFacing: z.boolean().default(NLB_DEFAULTS.internetFacing).describe("An internet-facing NLB (public subnets) or an internal one (private subnets, e.g. behind API Gateway)."),
      subnets: z.array(awsId("subnet")).min(1).optional().describe("The NLB's subnets, one per Availability Zone it serves; or subnetMappings for Elastic IPs or fixed private addresses."),
      subnetMappings: z
        .array(z.strictObject({ subnetId: awsId("subnet"), allocationId: awsId("eipalloc").optional(), privateIpv4Address: z.string().superRefine(rule(rules.ipv4)).optional() }))
        .min(1)
        .optional(),
      deletionProtection: z.boolean().default(NLB_DEFAULTS.deletionProtection).describe("Refuse to delete the NLB until this is turned off (on by default; the demo dev environment turns it off)."),
      crossZone: z.boolean().default(NLB_DEFAULTS.crossZone).describe("Cross-zone load balancing. With it on, an NLB takes at most 500 targets, a target counting once per target group (checked at synth for static IPs, at plan time for discovered workers)."),
      accessLogs: z
        .strictObject({
          bucket: z.string().superRefine(rule(rules.s3BucketName)).describe("S3 bucket in the NLB's Region whose bucket policy lets Elastic Load Balancing log delivery write."),
          prefix: z.string().superRefine(rule(rules.accessLogPrefix)).optional().describe("Path in the bucket; logs go to <prefix>/AWSLogs/<account>/…"),
          enabled: z.boolean().default(true).describe("false keeps the settings but stops logging."),
        })
        .optional()
        .describe(
          "NLB access logs (aws_lb access_logs) to S3. An NLB logs TLS connections only, so an entry point must end TLS at the load balancer (tls: terminate). Connection logs (connection_logs) exist for Application Load Balancers only and are not offered.",
        ),
      dnsClientRoutingPolicy: z
        .enum(["any_availability_zone", "availability_zone_affinity", "partial_availability_zone_affinity"])
        .optional()
        .describe("How the NLB's DNS name answers clients (dns_record_client_routing_policy): any zone (AWS's default when unset), the client's zone (availability_zone_affinity), or 85% to the client's zone (partial_availability_zone_affinity)."),
      zonalShift: z.boolean().optional().describe("Let Amazon Application Recovery Controller shift traffic away from an impaired Availability Zone (enable_zonal_shift); AWS's default (off) when unset."),
      clusterTag: z
        .enum(["shared", "owned"])
        .default(NLB_DEFAULTS.clusterTag)
        .describe('Value of the NLB\'s kubernetes.io/cluster/<cluster> tag. "shared": Terraform owns the NLB, so cluster cleanup tools leave it alone; "owned" tells them the cluster owns it.'),
      securityGroup: z
        .discriminatedUnion("mode", [
          z.strictObject({ mode: z.literal("none") }),
          z.strictObject({ mode: z.literal("create"), clientCidrs: z.array(cidr).min(1).default(["0.0.0.0/0"]) }),
          z.strictObject({ mode: z.literal("existing"), ids: z.array(awsId("sg")).min(1).max(5) }),
        ])
        .prefault({ mode: "none" })
        .describe("Security group on the NLB. Decided at creation: changing to or from none replaces the NLB."),
      tls: z
        .strictObject({
          mode: z.unknown().optional().describe("Removed: the TLS choice is per entry point (ports.https.tls, ports.tcp.<name>.tls)."),
          certificateArn: z.string().superRefine(rule(rules.certificateArn)).optional().describe("ACM certificate of every entry point whose tls is terminate."),
          // An enum, not a refinement, so the published JSON Schema carries the names for editors.
          sslPolicy: z
            .enum(rules.NLB_SSL_POLICIES, { error: (issue) => rules.elbSslPolicy(String(issue.input)) ?? "must be a Network Load Balancer security policy" })
            .default(NLB_DEFAULTS.sslPolicy)
            .describe("Security policy of the TLS listeners: one Elastic Load Balancing offers for Network Load Balancers (no custom policies)."),
          alpnPolicy: z.enum(["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"]).optional(),
        })
        .prefault({})
        .describe("The NLB's TLS listeners, for the entry points that end TLS at the load balancer."),
    })
    .prefault({}),
  targetGroups: z
    .strictObject({
      deregistrationDelay: bounded(int(), rules.DEREGISTRATION_DELAY_LIMITS).default(NLB_DEFAULTS.deregistrationDelay),
      unhealthyTargets: z
        .strictObject({
          connectionTermination: z.boolean().default(true).describe("Close connections to a target when it turns unhealthy (AWS's default)."),
          drainingInterval: bounded(int(), rules.UNHEALTHY_DRAINING_INTERVAL_LIMITS).optional().describe("Seconds an unhealthy target's connections may keep running before they are closed (0-360000); only with connectionTermination false."),
        })
        .optional()
        .describe("What happens to established connections when a target fails its health check (target_health_state, TCP and TLS target groups); AWS's defaults when unset."),
      healthCheck: z
        .strictObject({
          interval: bounded(int(), rules.NLB_HEALTH_CHECK_LIMITS.interval).default(NLB_DEFAULTS.healthCheck.interval),
          timeout: bounded(int(), rules.NLB_HEALTH_CHECK_LIMITS.timeout).default(NLB_DEFAULTS.healthCheck.timeout),
          healthyThreshold: bounded(int(), rules.NLB_HEALTH_CHECK_LIMITS.threshold).default(NLB_DEFAULTS.healthCheck.healthyThreshold),
          unhealthyThreshold: bounded(int(), rules.NLB_HEALTH_CHECK_LIMITS.threshold).default(NLB_DEFAULTS.healthCheck.unhealthyThreshold),
          matcher: z.string().default(NLB_DEFAULTS.healthCheck.matcher),
        })
        .prefault({}),
    })
    .prefault({}),
  targets: z.discriminatedUnion("mode", [
    z.strictObject({
      mode: z.literal("discover"),
      tagKey: z.string().min(1).default("Name").describe("EC2 tag the worker instances carry."),
      tagValues: z.array(z.string().min(1)).min(1).describe("Values of that tag: every running instance in the VPC with one of them is a target, each private IP in every target group."),
    }),
    z.strictObject({ mode: z.literal("static"), ips: z.array(z.string()).min(1).describe("Worker IPs registered in every target group.") }),
    z.strictObject({
      mode: z.literal("controller"),
      podReadinessGate: z
        .boolean()
        .default(true)
        .describe(
          "Label the controller's namespace elbv2.k8s.aws/pod-readiness-gate-inject=enabled, so the AWS Load Balancer Controller gives new controller pods a readiness gate that holds a rolling update until each new pod is healthy in its target groups.",
        ),
    }),
  ]),
  workerSecurityGroupIds: z.array(awsId("sg")).min(1).describe("The worker nodes' security groups: each admits the NLB (or the VPC CIDRs) on the traffic and health NodePorts."),
  apiGateway: z
    .strictObject({
      type: z.enum(["http", "rest"]).default("http").describe("An HTTP API (default) or a REST API, both through a VPC link to the NLB."),
      routes: z
        .record(z.string(), z.string())
        .describe('Route key → the entry point or service it goes to, e.g. "ANY /orders/{proxy+}": orders. HTTP APIs also take "$default".'),
      tlsServerName: z.string().optional().describe("Name API Gateway verifies the certificate against when it speaks HTTPS to a listener (a TLS listener, or https passed through to the controller)."),
      vpcLinkSubnets: z.array(awsId("subnet")).min(1).optional().describe("Subnets of the VPC link's network interfaces; the NLB's subnets when unset."),
      stage: z
        .strictObject({
          name: z.string().default(API_GATEWAY_STAGE_DEFAULTS.name),
          throttling: z
            .strictObject({
              rateLimit: z.number().meta({ minimum: 0, maximum: ACCOUNT_THROTTLE_QUOTA.rateLimit }).default(API_GATEWAY_STAGE_DEFAULTS.rateLimit),
              burstLimit: bounded(int(), { min: 0, max: ACCOUNT_THROTTLE_QUOTA.burstLimit }).default(API_GATEWAY_STAGE_DEFAULTS.burstLimit),
            })
            .prefault({})
            .describe(`Requests per second and burst of every route; the account quota is ${ACCOUNT_THROTTLE_QUOTA.rateLimit.toLocaleString("en-US")} / ${ACCOUNT_THROTTLE_QUOTA.burstLimit.toLocaleString("en-US")} in most Regions.`),
          accessLogRetentionDays: int()
            .meta({ minimum: LOG_RETENTION_DAYS[0], maximum: LOG_RETENTION_DAYS[LOG_RETENTION_DAYS.length - 1], enum: [...LOG_RETENTION_DAYS] })
            .default(API_GATEWAY_STAGE_DEFAULTS.accessLogRetentionDays)
            .describe("Days CloudWatch Logs keeps the access log: one of CloudWatch Logs' retention periods."),
        })
        .prefault({}),
      domain: z
        .strictObject({ name: z.string(), certificateArn: z.string(), route53ZoneId: z.string().superRefine(rule(rules.route53ZoneId)).optional() })
        .optional().describe("Custom domain (Regional) with an ACM certificate in the same Region, and an alias record when a Route 53 zone is given."),
      allowDirectClients: z
        .boolean()
        .default(false)
        .describe("Keep the NLB internet-facing next to API Gateway; clients could then skip API Gateway's throttling and authorization. Normally the NLB is internal."),
    })
    .optional()
    .describe("API Gateway in front of the NLB through a VPC link (stack <env>-aws-api)."),
  lattice: z
    .strictObject({
      serviceNetworkName: z.string().optional().describe("The Lattice service network, and the Gateway of the same name; <env>-gatehouse when unset."),
      authType: z.enum(["NONE", "AWS_IAM"]).default("NONE").describe("AWS_IAM makes every request carry SigV4 credentials allowed by authPolicy."),
      authPolicy: z.string().optional().describe("The service network's auth policy (IAM policy JSON), with authType AWS_IAM; IAM policy variables such as ${aws:PrincipalOrgID} are kept literally."),
      identity: z.enum(["pod-identity", "irsa"]).default("pod-identity").describe("How the AWS Gateway API controller gets its IAM role."),
      installPodIdentityAgent: z.boolean().default(false).describe("Install the eks-pod-identity-agent add-on (leave false when the cluster runs it already)."),
      clientCidrs: z.array(z.string().superRefine(rule(rules.cidr))).min(1).optional().describe("Who may reach the service network through the VPC association; the VPC CIDRs when unset."),
      podPorts: z
        .union([z.literal("all"), z.array(bounded(int(), rules.PORT_LIMITS)).min(1)])
        .default("all")
        .describe('Pod ports the Lattice prefix lists are admitted to on the worker and cluster security groups (the backends\' targetPorts); "all" as the controller\'s deploy guide does.'),
      https: z.strictObject({ certificateArn: z.string().optional() }).optional().describe("An HTTPS listener on the Gateway; an ACM certificate, or Lattice's own domain."),
      routes: z.record(z.string(), RouteSchema).default({}).describe("Routes on the Lattice Gateway (the same model as the controller's routes)."),
      serviceExports: z
        .array(z.strictObject({ namespace: z.string(), service: z.string(), ports: z.array(z.strictObject({ port: bounded(int(), rules.PORT_LIMITS), routeType: z.enum(["HTTP", "GRPC", "TLS"]).default("HTTP") })).min(1) }))
        .default([])
        .describe("Services this cluster shares with other clusters (ServiceExport)."),
      serviceImports: z
        .array(z.strictObject({ namespace: z.string(), name: z.string(), ports: z.array(bounded(int(), rules.PORT_LIMITS)).min(1), fromCluster: z.string().optional(), fromVpc: z.string().optional() }))
        .default([])
        .describe("Services exported by other clusters, usable as route backends (ServiceImport)."),
    })
    .optional()
    .describe("Amazon VPC Lattice with the Kubernetes Gateway API (stack <env>-aws-lattice, the controller in the cluster stack)."),
});

export const GcpSchema = z.strictObject({
  project: z
    .string()
    .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id: 6-30 lowercase letters, digits and hyphens")
    .describe("Project of the global load balancer, its address, certificates and firewall (the clusters' project)."),
  network: z.string().default("default").superRefine(rule(rules.gcpName)).describe("The clusters' VPC network, where the firewall rule admits Google's front ends."),
  dns: z
    .strictObject({
      zone: z.string().superRefine(rule(rules.gcpName)).describe("Name of the existing Cloud DNS managed zone."),
      domain: z.string().superRefine(rule((v) => rules.hostname(v, false))).describe("The zone's DNS name, without the trailing dot."),
    })
    .optional()
    .describe("The Cloud DNS managed zone of the hostnames: their A/AAAA records and the certificate's DNS authorizations. Leave it out when the zone is in Route 53 (aws.dns)."),
  hostnames: z.unknown().optional().describe("Moved: the hostnames are the environment's, shared by both clouds (top-level hostnames)."),
  ipv6: z.boolean().default(false).describe("Reserve a global IPv6 address too, with AAAA records and its own forwarding rules."),
  nodeTargets: z
    .strictObject({
      tags: z.array(z.string().superRefine(rule(rules.gcpName))).min(1).optional().describe("Network tags of the GKE nodes."),
      serviceAccounts: z.array(z.email()).min(1).optional().describe("Service accounts of the GKE nodes (instead of tags)."),
    })
    .superRefine((v, ctx) => {
      if ((v.tags === undefined) === (v.serviceAccounts === undefined))
        ctx.addIssue({ code: "custom", message: "give exactly one of tags and serviceAccounts (a firewall rule cannot target both)", input: v });
    })
    .describe("The GKE nodes the firewall admits Google's front ends to."),
  clusters: z
    .array(
      z.strictObject({
        name: shortName.describe("GKE cluster name; also part of the NEG and stack names (<env>-gcp-cluster-<name>)."),
        location: z.string().describe("GKE cluster location: a region for regional clusters, else a zone."),
        zones: z.array(z.string()).min(1).describe("Zones the cluster has nodes in; one NEG per zone."),
        capacity: z
          .number()
          .min(0)
          .max(1)
          .refine((v) => v === 0 || v >= 0.1, "must be 0 (drained) or from 0.1 to 1: the backend's capacity_scaler accepts nothing in between")
          .default(GCP_BACKEND_DEFAULTS.capacity)
          .describe("Share of traffic capacity (capacity_scaler): 0 drains the cluster, else 0.1-1."),
      }),
    )
    .min(1)
    .describe("The GKE clusters behind the load balancer, each a backend of NEGs; several regions behind one global IP."),
  backends: z
    .strictObject({
      maxRatePerEndpoint: z.number().positive().default(GCP_BACKEND_DEFAULTS.maxRatePerEndpoint),
      maxConnectionsPerEndpoint: int().positive().default(GCP_BACKEND_DEFAULTS.maxConnectionsPerEndpoint),
      timeoutSec: int().min(1).max(86400).default(GCP_BACKEND_DEFAULTS.timeoutSec),
      logSampleRate: z.number().min(0).max(1).default(GCP_BACKEND_DEFAULTS.logSampleRate).describe("Share of requests logged by the backends; 0.1 keeps a representative sample at a tenth of the logging cost."),
      securityPolicy: z.string().optional().describe("Cloud Armor backend security policy (name or self link) for the HTTPS backend."),
      edgeSecurityPolicy: z.string().optional().describe("Cloud Armor edge security policy (name or self link) for the HTTPS backend, applied at Google's edge before Cloud CDN; besides securityPolicy."),
      connectionDrainingTimeoutSec: bounded(int(), rules.CONNECTION_DRAINING_LIMITS)
        .default(GCP_BACKEND_DEFAULTS.connectionDrainingTimeoutSec)
        .describe("Seconds a backend removed from the load balancer (a drained cluster, a pod going away) keeps its open connections (0-3600), on every backend."),
      customRequestHeaders: z.array(z.string()).default([]).describe('Headers the HTTPS backend adds to requests, "Name:value"; values may use Google\'s variables such as {client_region}.'),
      customResponseHeaders: z.array(z.string()).default([]).describe('Headers the HTTPS backend adds to responses, "Name:value", e.g. "Strict-Transport-Security:max-age=31536000".'),
      sessionAffinity: z
        .enum(["NONE", "CLIENT_IP", "GENERATED_COOKIE"])
        .optional()
        .describe("Session affinity of the HTTPS backend: a client's requests go to the same pod by client IP or by a cookie the load balancer sets (GCLB); none when unset."),
      affinityCookieTtlSec: bounded(int(), rules.GCP_BACKEND_LIMITS.affinityCookieTtlSec).optional().describe("Lifetime of the GENERATED_COOKIE affinity cookie in seconds (0-86400; 0: a session cookie)."),
      outlierDetection: z
        .strictObject({
          consecutiveErrors: bounded(int(), rules.GCP_BACKEND_LIMITS.outlierCount).optional().describe("5xx responses in a row that eject an endpoint (Google's default 5)."),
          intervalSec: bounded(int(), rules.GCP_BACKEND_LIMITS.outlierCount).optional().describe("Seconds between ejection sweeps (Google's default 1)."),
          baseEjectionTimeSec: bounded(int(), rules.GCP_BACKEND_LIMITS.outlierCount).optional().describe("Base seconds an endpoint stays ejected, times the number of ejections (Google's default 30)."),
          maxEjectionPercent: bounded(int(), rules.GCP_BACKEND_LIMITS.maxEjectionPercent).optional().describe("Most endpoints that may be ejected at once, percent (0-100; Google\'s default 10)."),
        })
        .optional()
        .describe("Eject pods that keep failing from the HTTPS backend for a while (outlier_detection); off when unset, Google's defaults for each unset field."),
      iap: z
        .strictObject({
          oauth2ClientId: z.string().min(1).optional().describe("OAuth client id; Google's managed OAuth client when unset. With it, the client secret comes from the Terraform variable iap_oauth2_client_secret of <env>-gcp-edge."),
          oauth2ClientSecret: z.unknown().optional().describe("Refused: a secret never goes into an environment file. Set the Terraform variable iap_oauth2_client_secret (TF_VAR_iap_oauth2_client_secret, or a sensitive workspace variable)."),
        })
        .optional()
        .describe("Identity-Aware Proxy on the HTTPS backend: only signed-in, authorized users reach the cluster. Not with cdn."),
      cdn: z
        .strictObject({
          cacheMode: z.literal(GCP_BACKEND_DEFAULTS.cdnCacheMode).default(GCP_BACKEND_DEFAULTS.cdnCacheMode).describe("Cache static content (by content type) and whatever the origin marks cacheable."),
          defaultTtl: bounded(int(), rules.CDN_TTL_LIMITS).optional().describe("Seconds static content without a Cache-Control max-age is cached (0-31622400; Google's default 3600)."),
          maxTtl: bounded(int(), rules.CDN_TTL_LIMITS).optional().describe("Upper bound on any TTL in seconds (0-31622400; Google's default 86400)."),
          clientTtl: bounded(int(), rules.CDN_TTL_LIMITS).optional().describe("Upper bound on the max-age sent to clients in seconds (0-31622400)."),
        })
        .optional()
        .describe("Cloud CDN on the HTTPS backend (enable_cdn with cdn_policy); off when unset. Not with iap."),
    })
    .prefault({}),
  sslPolicy: z
    .strictObject({
      profile: z.enum(["COMPATIBLE", "MODERN", "RESTRICTED"]).default(GCP_SSL_POLICY_DEFAULTS.profile),
      minTlsVersion: z.enum(["TLS_1_0", "TLS_1_1", "TLS_1_2"]).default(GCP_SSL_POLICY_DEFAULTS.minTlsVersion),
    })
    .prefault({}),
});

export const DnsSchema = z
  .strictObject({
    steering: z
      .enum(DNS_STEERING)
      .default(DNS_STEERING_DEFAULTS.steering)
      .describe(
        "With both edges and the hostnames in Route 53 (aws.dns): failover (the primary edge answers while its health check passes, the other takes over), weighted (each edge gets its weight's share; 0 drains it), or single (each edge publishes its records in its own zone).",
      ),
    primary: z.enum(EDGES).optional().describe("failover: the edge that answers while healthy (aws when unset)."),
    weights: z
      .strictObject({
        aws: bounded(int(), ROUTE53_LIMITS.weight).describe("Share of answers for the NLB."),
        gcp: bounded(int(), ROUTE53_LIMITS.weight).describe("Share of answers for Google's address."),
      })
      .optional()
      .describe("weighted: each edge's weight, 0-255 (50 each when unset); 0 drains an edge without touching the other."),
    healthCheck: z
      .strictObject({
        path: z.string().optional().describe("Path the Route 53 health checks request through each load balancer; the controller's health path (/healthz) for ingress-nginx."),
        protocol: z.enum(["HTTPS", "HTTP"]).optional().describe("HTTPS (on the https entry point) when unset."),
        interval: z.union([z.literal(10), z.literal(30)]).optional().describe("Seconds between checks from each Route 53 checker: 10 (fast, the default) or 30."),
        failureThreshold: bounded(int(), ROUTE53_LIMITS.failureThreshold).optional().describe("Failed checks in a row that mark an edge unhealthy (1-10; 3 when unset)."),
      })
      .optional()
      .describe("The Route 53 health check of each edge; with the defaults an edge that stops answering loses its records in about a minute."),
  })
  .prefault({})
  .describe("How the hostnames are published when the environment has both edges: one zone, health-checked steering between the AWS and GCP edges.");

export const EnvObject = z.strictObject({
  name: envName.describe("The environment's name: the first part of every stack name (<name>-aws-edge) and derived resource name."),
  description: z.string().optional().describe("What this environment is, for people reading the file."),
  state: StateSchema.describe("Where each stack's Terraform state lives: local (state/ beside the output directory, one person), cloud (HCP Terraform, a workspace per stack), s3 or gcs."),
  tags: tags.default({}).describe("Tags (AWS) and labels (GCP) on everything that takes them."),
  ports: PortsSchema,
  controller: ControllerSchema,
  routes: z.record(z.string(), RouteSchema).default({}).describe("Host and path rules to in-cluster Services, keyed by a stable name; rendered as Ingress or HTTPRoute for the controller."),
  hostnames: z
    .array(z.string().superRefine(rule((v) => rules.hostname(v, true) ?? rules.notIpAddress(v))))
    .optional()
    .describe(
      "Hostnames clients use (wildcards allowed), shared by both clouds: Google's certificate map and DNS records, and on AWS the records of aws.dns and the names of aws.certificate. A Google-managed certificate holds at most 100: more are split over several certificates on the same map, 100 each, in this order.",
    ),
  dns: DnsSchema,
  aws: AwsSchema.optional().describe("The AWS edge: an NLB in front of an EKS (or self-managed) cluster's NodePorts (stacks <env>-aws-edge and <env>-aws-cluster)."),
  gcp: GcpSchema.optional().describe("The GCP edge: Google's global external load balancer in front of GKE clusters' NEGs, with Certificate Manager and Cloud DNS (stacks <env>-gcp-…)."),
});

/** Where a stack keeps its state, as the stacks take it (an environment's `state`, defaults applied). */
export type StateConfig =
  | { readonly type: "local" }
  | { readonly type: "cloud"; readonly organization: string; readonly hostname?: string; readonly project?: string; readonly workspacePrefix: string }
  | { readonly type: "s3"; readonly bucket: string; readonly region: string; readonly keyPrefix: string }
  | { readonly type: "gcs"; readonly bucket: string; readonly prefix: string };

/** An environment as written (defaults optional). */
export type EnvInput = z.input<typeof EnvObject>;
/** An environment after validation, with every default filled in. */
export type Env = z.output<typeof EnvObject>;
export type AwsEnv = NonNullable<Env["aws"]>;
export type GcpEnv = NonNullable<Env["gcp"]>;
export type GkeCluster = GcpEnv["clusters"][number];

