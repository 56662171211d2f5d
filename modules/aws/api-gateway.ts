/**
 * AWS API Gateway in front of the cluster's NLB, through a VPC link V2.
 *
 * The NLB and its listeners are looked up (`data "aws_lb"` by name, `data "aws_lb_listener"` by
 * load balancer ARN and port), so this construct lives in a stack applied after the edge stack.
 * Routes name the NLB entry points (listeners) they go to:
 *
 * - HTTP API: one HTTP_PROXY integration per routed listener, `integration_uri` = the listener
 *   ARN, through an `aws_apigatewayv2_vpc_link`; a route per route key; an auto-deployed stage.
 * - REST API: a resource tree from the route paths, a method per route key and an HTTP_PROXY
 *   integration through the same kind of link (VPC link V2, `integration_target` = the NLB ARN;
 *   the V1 `aws_api_gateway_vpc_link` is legacy), a deployment redeployed when the API's shape
 *   changes, and a stage with method settings.
 *
 * Both API types send a backend the path the client asked for, without the stage: `/orders/a/b`
 * for `https://<id>.execute-api.<region>.amazonaws.com/live/orders/a/b` on `ANY /orders/{proxy+}`.
 * HTTP API private integrations put the stage (other than `$default`) in front of the path unless
 * parameter mapping overwrites it, so each one maps `overwrite:path` to `$request.path`. A REST HTTP_PROXY
 * integration sends the path of its `uri`, where gatehouse writes the route's own path with its
 * variables filled in from the method request, so the stage is never part of it (see
 * integrationPath).
 *
 * The VPC link has a security group of its own that reaches the routed listener ports only (the
 * NLB's security group when it has one, else the VPC CIDRs); with an NLB security group, that
 * group admits the link's group on the same ports. A VPC link V2 reaches the NLB from network
 * interfaces in the VPC, not over PrivateLink, so the NLB's
 * `enforce_security_group_inbound_rules_on_private_link_traffic` does not apply to it.
 *
 * Access logs go to a CloudWatch log group of the construct's own, as JSON. REST API access logs
 * need the account's API Gateway CloudWatch role (`aws_api_gateway_account`) set once per account
 * and Region; HTTP APIs do not.
 */
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { ApiGatewayBasePathMapping } from "@cdktf/provider-aws/lib/api-gateway-base-path-mapping";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayDomainName } from "@cdktf/provider-aws/lib/api-gateway-domain-name";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2ApiMapping } from "@cdktf/provider-aws/lib/apigatewayv2-api-mapping";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { DataAwsLbListener } from "@cdktf/provider-aws/lib/data-aws-lb-listener";
import { DataAwsVpc } from "@cdktf/provider-aws/lib/data-aws-vpc";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Fn, isToken } from "../core/cdktf";
import type { FieldProblem } from "../core/errors";
import { failIfAny } from "../core/errors";
import { shortHash } from "../core/naming";
import { hasTerraformTemplate } from "../core/literal";
import * as rules from "../core/rules";
import * as gw from "./api-gateway-rules";

/** An NLB listener that routes can send requests to. */
export interface ApiGatewayTarget {
  /** The listener's port on the NLB. */
  readonly port: number;
  /**
   * Speak HTTPS to this listener (a TLS listener, or TLS passed through to the controller) and
   * verify the certificate against this name. @default plain HTTP
   */
  readonly tls?: { readonly serverName: string };
}

export interface ApiGatewayStageProps {
  /** Stage name; `$default` (HTTP APIs only) serves the API from the base of its URL. */
  readonly name: string;
  /** Requests per second and burst for every route of the stage. */
  readonly throttling: gw.Throttling;
  /** Days the access log group keeps its events (a CloudWatch Logs retention period). */
  readonly accessLogRetentionDays: number;
}

export interface ApiGatewayDomainProps {
  /** Custom domain name (a DNS name, no wildcard). */
  readonly name: string;
  /** ACM certificate for the name, in the API's Region (Regional endpoint). */
  readonly certificateArn: string;
  /** Route 53 hosted zone to write an alias A record into. @default no record */
  readonly route53ZoneId?: string;
}

export interface ApiGatewayProps {
  /** Name of the API and the VPC link, prefix of the other names (≤ 100 characters). */
  readonly name: string;
  readonly type: "http" | "rest";
  /** Name of the NLB to route to, looked up in this stack's account and Region. */
  readonly lbName: string;
  /** Listeners routes may name, by entry point name. Only routed ones are looked up. */
  readonly targets: Readonly<Record<string, ApiGatewayTarget>>;
  /**
   * Route key → target name. HTTP APIs: `$default` or `<METHOD> <path>`; REST APIs:
   * `<METHOD> <path>` (e.g. `ANY /{proxy+}` and `ANY /`). With either type the backend receives
   * the path the client asked for after the stage (`/orders/a/b` for `/<stage>/orders/a/b`).
   */
  readonly routes: Readonly<Record<string, string>>;
  readonly vpcLink: {
    /** Subnets for the VPC link's network interfaces (the link cannot change them later). */
    readonly subnetIds: readonly string[];
    readonly vpcId: string;
    /**
     * CIDRs the link may reach the listeners in, when the NLB has no security group.
     * @default the VPC's primary CIDR block
     */
    readonly cidrs?: readonly string[];
  };
  readonly stage: ApiGatewayStageProps;
  readonly domain?: ApiGatewayDomainProps;
  /** The NLB's security group, if it has one: it gets ingress from the link on the routed ports. */
  readonly nlbSecurityGroupId?: string;
  /** The stack's Region, to check the custom domain's certificate is in it. @default not checked */
  readonly region?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

/** Resources of an HTTP API. */
export interface HttpApiResources {
  readonly api: Apigatewayv2Api;
  /** Integration per routed target name. */
  readonly integrations: Readonly<Record<string, Apigatewayv2Integration>>;
  /** Route per route key. */
  readonly routes: Readonly<Record<string, Apigatewayv2Route>>;
  readonly stage: Apigatewayv2Stage;
  readonly domain?: Apigatewayv2DomainName;
  readonly apiMapping?: Apigatewayv2ApiMapping;
}

/** Resources of a REST API. */
export interface RestApiResources {
  readonly api: ApiGatewayRestApi;
  /** Resource per path ("/orders", "/orders/{proxy+}"); the root is the API's root resource. */
  readonly resources: Readonly<Record<string, ApiGatewayResource>>;
  /** Method and integration per route key. */
  readonly methods: Readonly<Record<string, ApiGatewayMethod>>;
  readonly integrations: Readonly<Record<string, ApiGatewayIntegration>>;
  readonly deployment: ApiGatewayDeployment;
  readonly stage: ApiGatewayStage;
  readonly methodSettings: ApiGatewayMethodSettings;
  readonly domain?: ApiGatewayDomainName;
  readonly basePathMapping?: ApiGatewayBasePathMapping;
}

export const API_GATEWAY_DEFAULTS = {
  /** Security policy of the custom domain name. */
  domainSecurityPolicy: "TLS_1_2",
  /** HTTP API integration payload format for HTTP proxy integrations. */
  payloadFormatVersion: "1.0",
} as const;

/** Access log line of an HTTP API stage ($context variables of HTTP APIs). */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  integrationError: "$context.integrationErrorMessage",
});

/** Access log line of a REST API stage ($context variables of REST APIs). */
export const REST_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  status: "$context.status",
  protocol: "$context.protocol",
  responseLength: "$context.responseLength",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  integrationError: "$context.integration.error",
});

export class ApiGateway extends Construct {
  /** The NLB, looked up by name. */
  public readonly lb: DataAwsLb;
  /**
   * The routed listeners, looked up by NLB ARN and port, by target name. HTTP API integrations
   * point at them; REST integrations name the NLB and the port instead, and the lookup makes a
   * missing listener fail the plan rather than the first request.
   */
  public readonly listeners: Readonly<Record<string, DataAwsLbListener>>;
  public readonly vpcLink: Apigatewayv2VpcLink;
  /** The VPC link's security group. */
  public readonly securityGroup: SecurityGroup;
  /** Egress rules of the link's group, keyed `<port>` (to the NLB's group) or `<port>/<cidr>`. */
  public readonly egressRules: Readonly<Record<string, VpcSecurityGroupEgressRule>>;
  /** Ingress rules on the NLB's security group, by port; empty without one. */
  public readonly nlbIngressRules: Readonly<Record<number, VpcSecurityGroupIngressRule>>;
  public readonly accessLogGroup: CloudwatchLogGroup;
  /** Set for `type: "http"`. */
  public readonly http?: HttpApiResources;
  /** Set for `type: "rest"`. */
  public readonly rest?: RestApiResources;
  /** The stage's invoke URL. */
  public readonly invokeUrl: string;
  /** HTTP API: the API endpoint (`https://<id>.execute-api.<region>.amazonaws.com`); REST: the stage's invoke URL. */
  public readonly apiEndpoint: string;
  public readonly dnsRecord?: Route53Record;
  /** The routed listener ports, ascending. */
  public readonly routedPorts: readonly number[];

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, id);
    failIfAny(this.node.path, apiGatewayProblems(props));
    const tags = props.tags ? { ...props.tags } : undefined;
    const routed = [...new Set(Object.values(props.routes))].sort();
    this.routedPorts = [...new Set(routed.map((t) => targetOf(props, t).port))].sort((a, b) => a - b);

    this.lb = new DataAwsLb(this, "nlb", { name: props.lbName });
    const listeners: Record<string, DataAwsLbListener> = {};
    for (const t of routed) listeners[t] = new DataAwsLbListener(this, `listener-${t}`, { loadBalancerArn: this.lb.arn, port: targetOf(props, t).port });
    this.listeners = listeners;

    // The link's own group: out to the routed listener ports only. Terraform removes the
    // allow-all egress rule AWS puts on a new group, so these rules are all it may do.
    this.securityGroup = new SecurityGroup(this, "vpc-link-sg", {
      name: gw.vpcLinkSecurityGroupName(props.name),
      description: "gatehouse API Gateway VPC link: to the NLB listeners it routes to",
      vpcId: props.vpcLink.vpcId,
      tags: { ...props.tags, Name: gw.vpcLinkSecurityGroupName(props.name) },
    });
    const egress: Record<string, VpcSecurityGroupEgressRule> = {};
    const ingress: Record<number, VpcSecurityGroupIngressRule> = {};
    const nlbSg = props.nlbSecurityGroupId;
    const cidrs = nlbSg === undefined ? (props.vpcLink.cidrs ?? [new DataAwsVpc(this, "vpc", { id: props.vpcLink.vpcId }).cidrBlock]) : [];
    for (const port of this.routedPorts) {
      if (nlbSg !== undefined) {
        egress[String(port)] = new VpcSecurityGroupEgressRule(this, `egress-${port}`, {
          securityGroupId: this.securityGroup.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: nlbSg,
          description: `VPC link to NLB listener ${port}`,
        });
        ingress[port] = new VpcSecurityGroupIngressRule(this, `nlb-ingress-${port}`, {
          securityGroupId: nlbSg,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          referencedSecurityGroupId: this.securityGroup.id,
          description: `API Gateway VPC link ${props.name} to listener ${port}`,
        });
      } else {
        // Each block once: a repeated one would be a second rule of one construct id.
        for (const cidr of new Set(cidrs)) {
          const key = isToken(cidr) ? "vpc" : cidr.replace(/[^0-9]/g, "_");
          egress[`${port}/${isToken(cidr) ? "vpc" : cidr}`] = new VpcSecurityGroupEgressRule(this, `egress-${port}-${key}`, {
            securityGroupId: this.securityGroup.id,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            cidrIpv4: cidr,
            description: `VPC link to NLB listener ${port}`,
          });
        }
      }
    }
    this.egressRules = egress;
    this.nlbIngressRules = ingress;

    this.vpcLink = new Apigatewayv2VpcLink(this, "vpc-link", {
      name: props.name,
      subnetIds: [...props.vpcLink.subnetIds],
      securityGroupIds: [this.securityGroup.id],
      tags,
    });

    this.accessLogGroup = new CloudwatchLogGroup(this, "access-logs", {
      name: `/aws/apigateway/${props.name}/${props.stage.name.replace(/^\$/, "")}`,
      retentionInDays: props.stage.accessLogRetentionDays,
      tags,
    });

    if (props.type === "http") {
      this.http = this.buildHttp(props, routed, tags);
      this.invokeUrl = this.http.stage.invokeUrl;
      this.apiEndpoint = this.http.api.apiEndpoint;
    } else {
      this.rest = this.buildRest(props, tags);
      this.invokeUrl = this.rest.stage.invokeUrl;
      this.apiEndpoint = this.rest.stage.invokeUrl;
    }

    if (props.domain?.route53ZoneId !== undefined) {
      const alias = this.http?.domain
        ? { name: this.http.domain.domainNameConfiguration.targetDomainName, zoneId: this.http.domain.domainNameConfiguration.hostedZoneId }
        : this.rest?.domain
          ? { name: this.rest.domain.regionalDomainName, zoneId: this.rest.domain.regionalZoneId }
          : undefined;
      if (alias)
        this.dnsRecord = new Route53Record(this, "dns", {
          zoneId: props.domain.route53ZoneId,
          name: props.domain.name,
          type: "A",
          alias: { ...alias, evaluateTargetHealth: false },
        });
    }
  }

  private buildHttp(props: ApiGatewayProps, routed: readonly string[], tags: Record<string, string> | undefined): HttpApiResources {
    const api = new Apigatewayv2Api(this, "http-api", { name: props.name, protocolType: "HTTP", tags });
    const integrations: Record<string, Apigatewayv2Integration> = {};
    for (const t of routed) {
      const target = targetOf(props, t);
      integrations[t] = new Apigatewayv2Integration(this, `integration-${t}`, {
        apiId: api.id,
        description: `NLB listener ${target.port} (${t})`,
        integrationType: "HTTP_PROXY",
        integrationMethod: "ANY",
        connectionType: "VPC_LINK",
        connectionId: this.vpcLink.id,
        integrationUri: (this.listeners[t] as DataAwsLbListener).arn,
        payloadFormatVersion: API_GATEWAY_DEFAULTS.payloadFormatVersion,
        // HTTP API private integrations put the stage in front of the request path (`/live/orders/a`)
        // unless the path is overwritten; `$request.path` is the path without the stage.
        requestParameters: { "overwrite:path": "$request.path" },
        tlsConfig: target.tls ? { serverNameToVerify: target.tls.serverName } : undefined,
      });
    }
    const routes: Record<string, Apigatewayv2Route> = {};
    for (const [key, t] of Object.entries(props.routes)) {
      routes[key] = new Apigatewayv2Route(this, `route-${keySlug(key)}`, {
        apiId: api.id,
        routeKey: key,
        target: `integrations/${(integrations[t] as Apigatewayv2Integration).id}`,
      });
    }
    const stage = new Apigatewayv2Stage(this, "stage", {
      apiId: api.id,
      name: props.stage.name,
      autoDeploy: true,
      defaultRouteSettings: {
        throttlingBurstLimit: props.stage.throttling.burstLimit,
        throttlingRateLimit: props.stage.throttling.rateLimit,
      },
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: HTTP_ACCESS_LOG_FORMAT },
      tags,
    });
    if (!props.domain) return { api, integrations, routes, stage };
    const domain = new Apigatewayv2DomainName(this, "domain", {
      domainName: props.domain.name,
      domainNameConfiguration: {
        certificateArn: props.domain.certificateArn,
        endpointType: "REGIONAL",
        securityPolicy: API_GATEWAY_DEFAULTS.domainSecurityPolicy,
      },
      tags,
    });
    const apiMapping = new Apigatewayv2ApiMapping(this, "api-mapping", { apiId: api.id, domainName: domain.domainName, stage: stage.id });
    return { api, integrations, routes, stage, domain, apiMapping };
  }

  private buildRest(props: ApiGatewayProps, tags: Record<string, string> | undefined): RestApiResources {
    const api = new ApiGatewayRestApi(this, "rest-api", { name: props.name, endpointConfiguration: { types: ["REGIONAL"] }, tags });
    const resources: Record<string, ApiGatewayResource> = {};
    const resourceId = (segments: readonly gw.PathSegment[]): string => {
      let parentId = api.rootResourceId;
      let path = "";
      for (const s of segments) {
        path = `${path}/${segmentText(s)}`;
        let r = resources[path];
        if (!r) {
          r = new ApiGatewayResource(this, `resource-${keySlug(path)}`, { restApiId: api.id, parentId, pathPart: segmentText(s) });
          resources[path] = r;
        }
        parentId = r.id;
      }
      return parentId;
    };
    const methods: Record<string, ApiGatewayMethod> = {};
    const integrations: Record<string, ApiGatewayIntegration> = {};
    for (const [key, t] of Object.entries(props.routes)) {
      const parsed = gw.parseRouteKey(key);
      if (parsed?.kind !== "route") continue; // refused by validate()
      const target = targetOf(props, t);
      const variables = parsed.segments.flatMap((s) => (s.kind === "variable" ? [s.name] : []));
      const method = new ApiGatewayMethod(this, `method-${keySlug(key)}`, {
        restApiId: api.id,
        resourceId: resourceId(parsed.segments),
        httpMethod: parsed.method,
        authorization: "NONE",
        requestParameters: variables.length ? Object.fromEntries(variables.map((v) => [`method.request.path.${v}`, true])) : undefined,
      });
      methods[key] = method;
      // The URI's port picks the listener, its host is the Host header and, for https, the name
      // the listener's certificate is verified against; its path is the path the backend gets.
      const host = target.tls ? target.tls.serverName : this.lb.dnsName;
      integrations[key] = new ApiGatewayIntegration(this, `integration-${keySlug(key)}`, {
        restApiId: api.id,
        resourceId: method.resourceId,
        httpMethod: method.httpMethod,
        type: "HTTP_PROXY",
        integrationHttpMethod: parsed.method,
        connectionType: "VPC_LINK",
        connectionId: this.vpcLink.id,
        integrationTarget: this.lb.arn,
        uri: `${target.tls ? "https" : "http"}://${host}:${target.port}${integrationPath(parsed.segments)}`,
        requestParameters: variables.length ? Object.fromEntries(variables.map((v) => [`integration.request.path.${v}`, `method.request.path.${v}`])) : undefined,
      });
    }
    const integrationList = Object.values(integrations);
    const deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId: api.id,
      // A deployment is a snapshot: redeploy whenever the routes, their targets or what the
      // integrations point at change.
      triggers: {
        redeployment: Fn.sha1(
          Fn.jsonencode([restShape(props), ...integrationList.map((i) => [i.id, i.uri, i.connectionId, i.integrationTarget])]),
        ),
      },
      dependsOn: [...Object.values(methods), ...integrationList],
      lifecycle: { createBeforeDestroy: true },
    });
    const stage = new ApiGatewayStage(this, "stage", {
      restApiId: api.id,
      deploymentId: deployment.id,
      stageName: props.stage.name,
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: REST_ACCESS_LOG_FORMAT },
      tags,
    });
    const methodSettings = new ApiGatewayMethodSettings(this, "method-settings", {
      restApiId: api.id,
      stageName: stage.stageName,
      methodPath: "*/*",
      settings: {
        throttlingBurstLimit: props.stage.throttling.burstLimit,
        throttlingRateLimit: props.stage.throttling.rateLimit,
      },
    });
    if (!props.domain) return { api, resources, methods, integrations, deployment, stage, methodSettings };
    const domain = new ApiGatewayDomainName(this, "domain", {
      domainName: props.domain.name,
      regionalCertificateArn: props.domain.certificateArn,
      endpointConfiguration: { types: ["REGIONAL"] },
      securityPolicy: API_GATEWAY_DEFAULTS.domainSecurityPolicy,
      tags,
    });
    const basePathMapping = new ApiGatewayBasePathMapping(this, "base-path-mapping", { apiId: api.id, stageName: stage.stageName, domainName: domain.domainName });
    return { api, resources, methods, integrations, deployment, stage, methodSettings, domain, basePathMapping };
  }
}

function targetOf(props: ApiGatewayProps, name: string): ApiGatewayTarget {
  const t = props.targets[name];
  if (!t) throw new Error(`unknown target ${name}`); // validate() refuses such routes first
  return t;
}

/**
 * The path of a REST integration's URI for a route: the route's path with each variable as a
 * `{name}` placeholder (`/orders/{proxy+}` → `/orders/{proxy}`), which the integration's
 * `integration.request.path.<name>` mappings fill from the method request. An HTTP_PROXY
 * integration sends the backend this path (AWS, "HTTP integrations for REST APIs": resource
 * `/parent/{proxy+}`, endpoint `…/petstore/{proxy}`), not the path the client called, so the stage
 * never reaches the backend and a route gives the path an HTTP API's `$request.path` would.
 *
 * AWS's page on REST private integrations says the stage is included and points at
 * `$context.requestOverride.path`. That is a mapping-template variable
 * (`$context.requestOverride.path.<name>` overrides path parameter `<name>`, as the mapping above
 * does), and mapping templates are a non-proxy feature (type `HTTP` for an HTTP backend).
 * Switching to `HTTP` would mean mapping the backend's status codes and headers to method
 * responses one by one instead of passing them through, for a path the URI already sets, so the
 * integrations stay HTTP_PROXY and carry no template.
 */
function integrationPath(segments: readonly gw.PathSegment[]): string {
  return `/${segments.map((s) => (s.kind === "literal" ? s.text : `{${s.name}}`)).join("/")}`;
}

function segmentText(s: gw.PathSegment): string {
  return s.kind === "literal" ? s.text : `{${s.name}${s.greedy ? "+" : ""}}`;
}

/**
 * A construct id for a route key or path: a readable slug and a hash of the exact text, so ids
 * depend on the key alone (adding a route renames nothing) and keys that slug alike
 * (`/a-b`, `/a/b`, `/A`) never collide.
 */
export function keySlug(key: string): string {
  const slug = key
    .replace(/\+\}/g, "-plus}")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const hash = shortHash(key);
  return `${slug || "root"}-${hash}`;
}

/** The REST API's shape as configured: what a deployment snapshots, besides referenced values. */
function restShape(props: ApiGatewayProps): string {
  const shape = Object.entries(props.routes)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, t]) => {
      const target = props.targets[t];
      return [key, t, target?.port, target?.tls?.serverName ?? null];
    });
  return createHash("sha256").update(JSON.stringify(shape)).digest("hex");
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function apiGatewayProblems(props: ApiGatewayProps): FieldProblem[] {
  const out: FieldProblem[] = [];
  const add = (path: string, value: unknown, message: string | undefined) => {
    if (message) out.push({ path, value, message });
  };
  // Every string reaches the Terraform JSON, where `${` and `%{` would be evaluated.
  walkStrings(props, "", (path, s) => add(path, s, !isToken(s) && hasTerraformTemplate(s) ? 'holds "${" or "%{", which Terraform would evaluate; write the text without them' : undefined));

  add("name", props.name, gw.apiNamePrefix(props.name));
  add("lbName", props.lbName, rules.awsElbName(props.lbName, "load balancer"));
  for (const [name, t] of Object.entries(props.targets)) {
    add(`targets.${name}`, name, gw.targetName(name));
    add(`targets.${name}.port`, t.port, props.type === "rest" ? gw.restIntegrationPort(t.port) : rules.port(t.port));
    if (t.tls) add(`targets.${name}.tls.serverName`, t.tls.serverName, rules.hostname(t.tls.serverName, false));
  }
  const keys = Object.keys(props.routes);
  if (keys.length === 0) add("routes", props.routes, "needs at least one route");
  for (const [key, t] of Object.entries(props.routes)) {
    add(`routes.${key}`, key, props.type === "http" ? gw.httpRouteKey(key) : gw.restRouteKey(key));
    if (props.targets[t] === undefined)
      add(`routes.${key}`, t, `names target "${t}", which is not in targets (known: ${Object.keys(props.targets).join(", ") || "none"})`);
  }
  if (props.type === "rest") for (const c of gw.restVariableSiblings(keys)) add(`routes.${c.key}`, c.key, c.message);

  if (props.vpcLink.subnetIds.length === 0) add("vpcLink.subnetIds", [], "a VPC link needs at least one subnet");
  for (const [i, c] of (props.vpcLink.cidrs ?? []).entries()) add(`vpcLink.cidrs.${i}`, c, rules.cidrV4(c));
  if (props.vpcLink.cidrs?.length === 0) add("vpcLink.cidrs", [], "give at least one CIDR, or leave cidrs out to use the VPC's");

  add("stage.name", props.stage.name, gw.stageName(props.stage.name, props.type));
  for (const p of gw.throttling(props.stage.throttling)) add(`stage.throttling.${p.field}`, p.value, p.message);
  add("stage.accessLogRetentionDays", props.stage.accessLogRetentionDays, gw.logRetentionDays(props.stage.accessLogRetentionDays));

  if (props.domain) {
    add("domain.name", props.domain.name, gw.customDomainName(props.domain.name));
    add("domain.certificateArn", props.domain.certificateArn, gw.regionalCertificateArn(props.domain.certificateArn, props.region));
  }
  if (props.region !== undefined) add("region", props.region, rules.awsRegion(props.region));
  return out;
}

/** Calls `visit` with the path of every string value and record key in `value`. */
function walkStrings(value: unknown, path: string, visit: (path: string, s: string) => void): void {
  if (typeof value === "string") visit(path || "(root)", value);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}.${i}`, visit));
  else if (value !== null && typeof value === "object")
    for (const [k, v] of Object.entries(value)) {
      const at = path ? `${path}.${k}` : k;
      visit(at, k);
      walkStrings(v, at, visit);
    }
}
