/** Unit tests of the API Gateway construct and its rules. */
import { TerraformOutput, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { ApiGateway, HTTP_ACCESS_LOG_FORMAT, keySlug, REST_ACCESS_LOG_FORMAT, type ApiGatewayProps } from "../modules/aws/api-gateway";
import * as gw from "../modules/aws/api-gateway-rules";
import { ConfigError } from "../modules/core/errors";
import { dataSources, only, refId, resources, synthConstruct, type TfJson } from "./helpers/synth";
import { problemsOf } from "./helpers/problems";
import { sentPath, type ClientRequest } from "./helpers/api-gateway-request";

const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123";
const PATH = 'must be "/" or "/" followed by segments joined by "/": each segment letters, digits, ".", "_", "~" or "-", or a whole-segment path variable "{name}" (name: letters, digits, "_"), or a greedy "{name+}" as the last segment';

function props(change: Partial<ApiGatewayProps> = {}): ApiGatewayProps {
  return {
    name: "t-api",
    type: "http",
    lbName: "t-eks",
    targets: { http: { port: 80 }, https: { port: 443, tls: { serverName: "api.example.com" } }, mqtt: { port: 8883 } },
    routes: { "ANY /orders/{proxy+}": "https", "GET /": "http", $default: "http" },
    vpcLink: { subnetIds: ["subnet-1", "subnet-2"], vpcId: "vpc-1" },
    stage: { name: "$default", throttling: { burstLimit: 100, rateLimit: 50 }, accessLogRetentionDays: 30 },
    tags: { team: "edge" },
    ...change,
  };
}

const REST_ROUTES = { "ANY /orders/{proxy+}": "https", "ANY /orders": "https", "GET /": "http", "ANY /{proxy+}": "http" };
const restProps = (change: Partial<ApiGatewayProps> = {}) => props({ type: "rest", routes: REST_ROUTES, stage: { name: "v1", throttling: { burstLimit: 100, rateLimit: 50 }, accessLogRetentionDays: 30 }, ...change });

let built: ApiGateway | undefined;
const synth = (p: ApiGatewayProps): TfJson =>
  synthConstruct((s: Construct) => {
    built = new ApiGateway(s, "api", p);
  });


/** Synthesizes with the construct's endpoint fields as outputs, to see what they refer to. */
const synthWithOutputs = (p: ApiGatewayProps): TfJson =>
  synthConstruct((s: Construct) => {
    built = new ApiGateway(s, "api", p);
    new TerraformOutput(s, "endpoint", { value: built.apiEndpoint });
    new TerraformOutput(s, "invoke_url", { value: built.invokeUrl });
  });
const outputs = (json: TfJson) => Object.fromEntries(Object.entries(json.output ?? {}).map(([k, v]) => [k, v.value]));

/** The one resource of `type` whose `field` equals `value`. */
function find(json: TfJson, type: string, field: string, value: unknown): [string, Record<string, unknown>] {
  const hits = Object.entries(resources(json, type)).filter(([, r]) => r[field] === value);
  if (hits.length !== 1) throw new Error(`expected one ${type} with ${field}=${String(value)}, found ${hits.length}`);
  return hits[0] as [string, Record<string, unknown>];
}

/** Every string in the JSON, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe("ApiGateway (HTTP API)", () => {
  const json = synth(props());

  it("makes an HTTP API named after the config, tagged", () => {
    expect(only(json, "aws_apigatewayv2_api")).toEqual({ name: "t-api", protocol_type: "HTTP", tags: { team: "edge" } });
  });

  it("looks the NLB up by name and each routed listener by the NLB's ARN and its port", () => {
    const lbs = dataSources(json, "aws_lb");
    expect(Object.values(lbs)).toEqual([{ name: "t-eks" }]);
    const lbId = Object.keys(lbs)[0];
    const listeners = Object.values(dataSources(json, "aws_lb_listener"));
    expect(listeners.map((l) => l.port).sort()).toEqual([443, 80]);
    for (const l of listeners) expect(l.load_balancer_arn).toBe(`\${data.aws_lb.${lbId}.arn}`);
  });

  it("chains each integration to the listener of its target's port, and that listener to the NLB", () => {
    const listeners = dataSources(json, "aws_lb_listener");
    const portOf = (integration: Record<string, unknown>) => listeners[refId(integration.integration_uri).replace("data.aws_lb_listener.", "")]?.port;
    const integrations = Object.values(resources(json, "aws_apigatewayv2_integration"));
    expect(integrations.map((i) => [i.description, portOf(i)]).sort()).toEqual([["NLB listener 443 (https)", 443], ["NLB listener 80 (http)", 80]]);
  });

  it("makes one HTTP_PROXY integration per routed target through the VPC link, forwarding the client's path", () => {
    const [linkId] = Object.keys(resources(json, "aws_apigatewayv2_vpc_link"));
    const [apiId] = Object.keys(resources(json, "aws_apigatewayv2_api"));
    const integrations = Object.values(resources(json, "aws_apigatewayv2_integration"));
    expect(integrations).toHaveLength(2);
    for (const i of integrations)
      expect(i).toMatchObject({
        api_id: `\${aws_apigatewayv2_api.${apiId}.id}`,
        integration_type: "HTTP_PROXY",
        integration_method: "ANY",
        connection_type: "VPC_LINK",
        connection_id: `\${aws_apigatewayv2_vpc_link.${linkId}.id}`,
        payload_format_version: "1.0",
        request_parameters: { "overwrite:path": "$request.path" },
      });
  });

  it("verifies the TLS server name only on targets that speak TLS", () => {
    const [, https] = find(json, "aws_apigatewayv2_integration", "description", "NLB listener 443 (https)");
    const [, http] = find(json, "aws_apigatewayv2_integration", "description", "NLB listener 80 (http)");
    expect(https.tls_config).toEqual({ server_name_to_verify: "api.example.com" });
    expect(http.tls_config).toBeUndefined();
  });

  it("makes a route per route key, targeting its target's integration", () => {
    const [httpsId] = find(json, "aws_apigatewayv2_integration", "description", "NLB listener 443 (https)");
    const [httpId] = find(json, "aws_apigatewayv2_integration", "description", "NLB listener 80 (http)");
    const routes = Object.values(resources(json, "aws_apigatewayv2_route"));
    expect(Object.fromEntries(routes.map((r) => [r.route_key, r.target]))).toEqual({
      "ANY /orders/{proxy+}": `integrations/\${aws_apigatewayv2_integration.${httpsId}.id}`,
      "GET /": `integrations/\${aws_apigatewayv2_integration.${httpId}.id}`,
      $default: `integrations/\${aws_apigatewayv2_integration.${httpId}.id}`,
    });
  });

  it("deploys the stage automatically with throttling and JSON access logs into a log group with retention", () => {
    const stage = only(json, "aws_apigatewayv2_stage");
    const [logId, log] = Object.entries(resources(json, "aws_cloudwatch_log_group"))[0] ?? [];
    expect(log).toEqual({ name: "/aws/apigateway/t-api/default", retention_in_days: 30, tags: { team: "edge" } });
    expect(stage).toMatchObject({
      name: "$default",
      auto_deploy: true,
      default_route_settings: { throttling_burst_limit: 100, throttling_rate_limit: 50 },
      access_log_settings: { destination_arn: `\${aws_cloudwatch_log_group.${logId}.arn}`, format: HTTP_ACCESS_LOG_FORMAT },
      tags: { team: "edge" },
    });
    const format = JSON.parse(HTTP_ACCESS_LOG_FORMAT) as Record<string, string>;
    expect(format).toMatchObject({ requestId: "$context.requestId", routeKey: "$context.routeKey", status: "$context.status", integrationError: "$context.integrationErrorMessage" });
  });

  it("gives the VPC link its subnets and a security group of its own in the VPC", () => {
    const [sgId, sg] = Object.entries(resources(json, "aws_security_group"))[0] ?? [];
    expect(sg).toEqual({ name: "t-api-vpc-link", description: "gatehouse API Gateway VPC link: to the NLB listeners it routes to", vpc_id: "vpc-1", tags: { team: "edge", Name: "t-api-vpc-link" } });
    expect(only(json, "aws_apigatewayv2_vpc_link")).toEqual({ name: "t-api", subnet_ids: ["subnet-1", "subnet-2"], security_group_ids: [`\${aws_security_group.${sgId}.id}`], tags: { team: "edge" } });
  });

  it("lets the link's group out to the routed listener ports only, towards the VPC's CIDR", () => {
    const [vpcId] = Object.keys(dataSources(json, "aws_vpc"));
    expect(Object.values(dataSources(json, "aws_vpc"))).toEqual([{ id: "vpc-1" }]);
    const egress = Object.values(resources(json, "aws_vpc_security_group_egress_rule"));
    expect(egress.map((r) => [r.from_port, r.to_port, r.ip_protocol, r.cidr_ipv4]).sort()).toEqual([
      [443, 443, "tcp", `\${data.aws_vpc.${vpcId}.cidr_block}`],
      [80, 80, "tcp", `\${data.aws_vpc.${vpcId}.cidr_block}`],
    ]);
    expect(resources(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
    // The unrouted target (mqtt, 8883) gets neither a lookup nor a rule.
    expect(JSON.stringify(json)).not.toContain("8883");
    expect(built?.routedPorts).toEqual([80, 443]);
  });

  it("uses the given CIDRs instead of the VPC's when the NLB has no security group", () => {
    const j = synth(props({ vpcLink: { subnetIds: ["subnet-1"], vpcId: "vpc-1", cidrs: ["10.0.0.0/16", "10.1.0.0/16"] } }));
    expect(dataSources(j, "aws_vpc")).toEqual({});
    const egress = Object.values(resources(j, "aws_vpc_security_group_egress_rule"));
    expect(egress.map((r) => `${String(r.from_port)} ${String(r.cidr_ipv4)}`).sort()).toEqual(["443 10.0.0.0/16", "443 10.1.0.0/16", "80 10.0.0.0/16", "80 10.1.0.0/16"]);
  });

  it("with an NLB security group: out to that group, and that group admits the link on the routed ports only", () => {
    const j = synth(props({ nlbSecurityGroupId: "sg-nlb" }));
    const [sgId] = Object.keys(resources(j, "aws_security_group"));
    const egress = Object.values(resources(j, "aws_vpc_security_group_egress_rule"));
    expect(egress.map((r) => [r.from_port, r.to_port, r.referenced_security_group_id, r.security_group_id]).sort()).toEqual([
      [443, 443, "sg-nlb", `\${aws_security_group.${sgId}.id}`],
      [80, 80, "sg-nlb", `\${aws_security_group.${sgId}.id}`],
    ]);
    for (const r of egress) expect(r.cidr_ipv4).toBeUndefined();
    const ingress = Object.values(resources(j, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.map((r) => [r.security_group_id, r.from_port, r.to_port, r.ip_protocol, r.referenced_security_group_id]).sort()).toEqual([
      ["sg-nlb", 443, 443, "tcp", `\${aws_security_group.${sgId}.id}`],
      ["sg-nlb", 80, 80, "tcp", `\${aws_security_group.${sgId}.id}`],
    ]);
    expect(dataSources(j, "aws_vpc")).toEqual({});
  });

  it("makes no custom domain unless asked", () => {
    for (const type of ["aws_apigatewayv2_domain_name", "aws_apigatewayv2_api_mapping", "aws_route53_record"]) expect(resources(json, type)).toEqual({});
  });

  it("maps a Regional custom domain (TLS 1.2, the certificate) to the stage, with a Route 53 alias", () => {
    const j = synth(props({ domain: { name: "api.example.com", certificateArn: CERT, route53ZoneId: "Z0123456789" } }));
    const [domainId, domain] = Object.entries(resources(j, "aws_apigatewayv2_domain_name"))[0] ?? [];
    expect(domain).toEqual({
      domain_name: "api.example.com",
      domain_name_configuration: { certificate_arn: CERT, endpoint_type: "REGIONAL", security_policy: "TLS_1_2" },
      tags: { team: "edge" },
    });
    const [apiId] = Object.keys(resources(j, "aws_apigatewayv2_api"));
    const [stageId] = Object.keys(resources(j, "aws_apigatewayv2_stage"));
    expect(only(j, "aws_apigatewayv2_api_mapping")).toEqual({
      api_id: `\${aws_apigatewayv2_api.${apiId}.id}`,
      domain_name: `\${aws_apigatewayv2_domain_name.${domainId}.domain_name}`,
      stage: `\${aws_apigatewayv2_stage.${stageId}.id}`,
    });
    expect(only(j, "aws_route53_record")).toEqual({
      zone_id: "Z0123456789",
      name: "api.example.com",
      type: "A",
      alias: {
        name: `\${aws_apigatewayv2_domain_name.${domainId}.domain_name_configuration[0].target_domain_name}`,
        zone_id: `\${aws_apigatewayv2_domain_name.${domainId}.domain_name_configuration[0].hosted_zone_id}`,
        evaluate_target_health: false,
      },
    });
  });

  it("writes no DNS record without a zone", () => {
    const j = synth(props({ domain: { name: "api.example.com", certificateArn: CERT } }));
    expect(Object.keys(resources(j, "aws_apigatewayv2_domain_name"))).toHaveLength(1);
    expect(resources(j, "aws_route53_record")).toEqual({});
  });

  it("exposes the endpoint and the stage's invoke URL", () => {
    const j = synthWithOutputs(props());
    const [apiId] = Object.keys(resources(j, "aws_apigatewayv2_api"));
    const [stageId] = Object.keys(resources(j, "aws_apigatewayv2_stage"));
    expect(outputs(j)).toEqual({ endpoint: `\${aws_apigatewayv2_api.${apiId}.api_endpoint}`, invoke_url: `\${aws_apigatewayv2_stage.${stageId}.invoke_url}` });
    expect(built?.rest).toBeUndefined();
    expect(Object.keys(built?.http?.routes ?? {}).sort()).toEqual(["$default", "ANY /orders/{proxy+}", "GET /"]);
    expect(Object.keys(built?.listeners ?? {}).sort()).toEqual(["http", "https"]);
  });
});

describe("ApiGateway (REST API)", () => {
  const json = synth(restProps());
  const res = resources(json, "aws_api_gateway_resource");
  const [restId] = Object.keys(resources(json, "aws_api_gateway_rest_api"));
  const byPart = (part: string, parent: string) => {
    const hit = Object.entries(res).find(([, r]) => r.path_part === part && r.parent_id === parent);
    if (!hit) throw new Error(`no resource ${part} under ${parent}`);
    return hit[0];
  };
  const root = `\${aws_api_gateway_rest_api.${restId}.root_resource_id}`;
  const methodOf = (httpMethod: string, resource: string) => {
    const hit = Object.entries(resources(json, "aws_api_gateway_method")).find(([, m]) => m.http_method === httpMethod && m.resource_id === resource);
    if (!hit) throw new Error(`no ${httpMethod} method on ${resource}`);
    return hit;
  };
  const integrationOf = (methodId: string) => {
    const hit = Object.values(resources(json, "aws_api_gateway_integration")).find((i) => i.http_method === `\${aws_api_gateway_method.${methodId}.http_method}`);
    if (!hit) throw new Error(`no integration for ${methodId}`);
    return hit;
  };

  it("makes a Regional REST API", () => {
    expect(only(json, "aws_api_gateway_rest_api")).toEqual({ name: "t-api", endpoint_configuration: { types: ["REGIONAL"] }, tags: { team: "edge" } });
  });

  it("builds one resource per path prefix, shared by the routes under it", () => {
    expect(Object.keys(res)).toHaveLength(3);
    const orders = byPart("orders", root);
    byPart("{proxy+}", `\${aws_api_gateway_resource.${orders}.id}`);
    byPart("{proxy+}", root);
    for (const r of Object.values(res)) expect(r.rest_api_id).toBe(`\${aws_api_gateway_rest_api.${restId}.id}`);
  });

  it("uses a VPC link V2 (no V1 link): integration_target is the NLB, connection_id the link", () => {
    expect(resources(json, "aws_api_gateway_vpc_link")).toEqual({});
    const [linkId] = Object.keys(resources(json, "aws_apigatewayv2_vpc_link"));
    const [lbId] = Object.keys(dataSources(json, "aws_lb"));
    const integrations = Object.values(resources(json, "aws_api_gateway_integration"));
    expect(integrations).toHaveLength(4);
    for (const i of integrations)
      expect(i).toMatchObject({ type: "HTTP_PROXY", connection_type: "VPC_LINK", connection_id: `\${aws_apigatewayv2_vpc_link.${linkId}.id}`, integration_target: `\${data.aws_lb.${lbId}.arn}` });
  });

  it("proxies {proxy+} on ANY with the path mapped through, over https to the TLS server name", () => {
    const orders = byPart("orders", root);
    const proxy = byPart("{proxy+}", `\${aws_api_gateway_resource.${orders}.id}`);
    const [methodId, method] = methodOf("ANY", `\${aws_api_gateway_resource.${proxy}.id}`);
    expect(method).toMatchObject({ authorization: "NONE", request_parameters: { "method.request.path.proxy": true } });
    expect(integrationOf(methodId)).toMatchObject({
      integration_http_method: "ANY",
      uri: "https://api.example.com:443/orders/{proxy}",
      request_parameters: { "integration.request.path.proxy": "method.request.path.proxy" },
      resource_id: `\${aws_api_gateway_method.${methodId}.resource_id}`,
    });
  });

  it("sends plain-HTTP targets to the NLB's DNS name and port", () => {
    const [lbId] = Object.keys(dataSources(json, "aws_lb"));
    const [rootMethodId, rootMethod] = methodOf("GET", root);
    expect(rootMethod.request_parameters).toBeUndefined();
    const rootIntegration = integrationOf(rootMethodId);
    expect(rootIntegration).toMatchObject({ integration_http_method: "GET", uri: `http://\${data.aws_lb.${lbId}.dns_name}:80/` });
    expect(rootIntegration.request_parameters).toBeUndefined();
    const [proxyMethodId] = methodOf("ANY", `\${aws_api_gateway_resource.${byPart("{proxy+}", root)}.id}`);
    expect(integrationOf(proxyMethodId).uri).toBe(`http://\${data.aws_lb.${lbId}.dns_name}:80/{proxy}`);
  });

  it("redeploys on a hash of the API's shape, before destroying the old deployment", () => {
    const d = only(json, "aws_api_gateway_deployment");
    expect(d).toMatchObject({ rest_api_id: `\${aws_api_gateway_rest_api.${restId}.id}`, lifecycle: { create_before_destroy: true } });
    const trigger = (d.triggers as { redeployment: string }).redeployment;
    expect(trigger).toMatch(/^\$\{sha1\(jsonencode\(\["[0-9a-f]{64}", \[aws_api_gateway_integration\./);
    for (const id of Object.keys(resources(json, "aws_api_gateway_integration"))) expect(trigger).toContain(`aws_api_gateway_integration.${id}.uri`);
    expect((d.depends_on as string[]).length).toBe(8);
    const shape = (p: ApiGatewayProps) => ((only(synth(p), "aws_api_gateway_deployment").triggers as { redeployment: string }).redeployment.match(/"([0-9a-f]{64})"/) ?? [])[1];
    expect(shape(restProps())).toBe(shape(restProps()));
    expect(shape(restProps({ routes: { ...REST_ROUTES, "GET /health": "http" } }))).not.toBe(shape(restProps()));
    expect(shape(restProps({ targets: { http: { port: 8080 }, https: { port: 443, tls: { serverName: "api.example.com" } } } }))).not.toBe(shape(restProps()));
  });

  it("serves the deployment on a stage with JSON access logs and throttling on every method", () => {
    const [deploymentId] = Object.keys(resources(json, "aws_api_gateway_deployment"));
    const [logId, log] = Object.entries(resources(json, "aws_cloudwatch_log_group"))[0] ?? [];
    expect(log).toMatchObject({ name: "/aws/apigateway/t-api/v1", retention_in_days: 30 });
    const [stageId, stage] = Object.entries(resources(json, "aws_api_gateway_stage"))[0] ?? [];
    expect(stage).toEqual({
      rest_api_id: `\${aws_api_gateway_rest_api.${restId}.id}`,
      deployment_id: `\${aws_api_gateway_deployment.${deploymentId}.id}`,
      stage_name: "v1",
      access_log_settings: { destination_arn: `\${aws_cloudwatch_log_group.${logId}.arn}`, format: REST_ACCESS_LOG_FORMAT },
      tags: { team: "edge" },
    });
    expect(only(json, "aws_api_gateway_method_settings")).toEqual({
      rest_api_id: `\${aws_api_gateway_rest_api.${restId}.id}`,
      stage_name: `\${aws_api_gateway_stage.${stageId}.stage_name}`,
      method_path: "*/*",
      settings: { throttling_burst_limit: 100, throttling_rate_limit: 50 },
    });
    expect(JSON.parse(REST_ACCESS_LOG_FORMAT)).toMatchObject({ resourcePath: "$context.resourcePath", integrationError: "$context.integration.error" });
  });

  it("maps a Regional custom domain through a base path mapping, with a Route 53 alias", () => {
    const j = synth(restProps({ domain: { name: "api.example.com", certificateArn: CERT, route53ZoneId: "Z0123456789" }, region: "eu-west-1" }));
    const [domainId, domain] = Object.entries(resources(j, "aws_api_gateway_domain_name"))[0] ?? [];
    expect(domain).toEqual({ domain_name: "api.example.com", regional_certificate_arn: CERT, endpoint_configuration: { types: ["REGIONAL"] }, security_policy: "TLS_1_2", tags: { team: "edge" } });
    const [stageId] = Object.keys(resources(j, "aws_api_gateway_stage"));
    const [apiId] = Object.keys(resources(j, "aws_api_gateway_rest_api"));
    expect(only(j, "aws_api_gateway_base_path_mapping")).toEqual({
      api_id: `\${aws_api_gateway_rest_api.${apiId}.id}`,
      stage_name: `\${aws_api_gateway_stage.${stageId}.stage_name}`,
      domain_name: `\${aws_api_gateway_domain_name.${domainId}.domain_name}`,
    });
    expect(only(j, "aws_route53_record")).toMatchObject({
      name: "api.example.com",
      type: "A",
      alias: { name: `\${aws_api_gateway_domain_name.${domainId}.regional_domain_name}`, zone_id: `\${aws_api_gateway_domain_name.${domainId}.regional_zone_id}`, evaluate_target_health: false },
    });
    expect(resources(j, "aws_apigatewayv2_domain_name")).toEqual({});
  });

  it("admits the link on the NLB's security group on the routed ports", () => {
    const j = synth(restProps({ nlbSecurityGroupId: "sg-nlb" }));
    expect(Object.values(resources(j, "aws_vpc_security_group_ingress_rule")).map((r) => [r.security_group_id, r.from_port]).sort()).toEqual([["sg-nlb", 443], ["sg-nlb", 80]]);
  });

  it("exposes the REST resources and the stage's invoke URL", () => {
    const j = synthWithOutputs(restProps());
    expect(built?.http).toBeUndefined();
    const [stageId] = Object.keys(resources(j, "aws_api_gateway_stage"));
    expect(outputs(j)).toEqual({ endpoint: `\${aws_api_gateway_stage.${stageId}.invoke_url}`, invoke_url: `\${aws_api_gateway_stage.${stageId}.invoke_url}` });
    expect(Object.keys(built?.rest?.resources ?? {}).sort()).toEqual(["/orders", "/orders/{proxy+}", "/{proxy+}"]);
    expect(Object.keys(built?.rest?.methods ?? {}).sort()).toEqual(Object.keys(REST_ROUTES).sort());
  });
});

describe("ApiGateway backend paths", () => {
  const LIVE = { name: "live", throttling: { burstLimit: 100, rateLimit: 50 }, accessLogRetentionDays: 30 };
  const ROUTES = { "ANY /orders/{proxy+}": "https", "ANY /orders": "https", "GET /items/{id}/parts": "http", "GET /": "http" };
  // Each request as the client sends it after the stage (https://<id>.execute-api.<region>.amazonaws.com/live/…).
  const REQUESTS: ReadonlyArray<readonly [ClientRequest, string]> = [
    [{ method: "GET", path: "/orders/a/b" }, "/orders/a/b"],
    [{ method: "DELETE", path: "/orders/42" }, "/orders/42"],
    [{ method: "POST", path: "/orders" }, "/orders"],
    [{ method: "GET", path: "/items/7/parts" }, "/items/7/parts"],
    [{ method: "GET", path: "/" }, "/"],
  ];
  const http = synth(props({ routes: ROUTES, stage: LIVE }));
  const rest = synth(restProps({ routes: ROUTES, stage: LIVE }));
  const clone = (json: TfJson): TfJson => structuredClone(json);

  it("sends the backend the path the client asked for, without the stage, through an HTTP API and a REST API alike", () => {
    const expected = REQUESTS.map(([, path]) => path);
    expect(REQUESTS.map(([request]) => sentPath(http, request))).toEqual(expected);
    expect(REQUESTS.map(([request]) => sentPath(rest, request))).toEqual(expected);
    // What makes it so, for ANY /orders/{proxy+}: the HTTP API overwrites the path with the request
    // path; the REST integration's URI carries the route's path, {proxy} mapped from the request.
    expect(Object.values(resources(http, "aws_apigatewayv2_integration")).map((i) => i.request_parameters)).toEqual([{ "overwrite:path": "$request.path" }, { "overwrite:path": "$request.path" }]);
    const restOrders = Object.values(resources(rest, "aws_api_gateway_integration")).find((i) => String(i.uri).endsWith("/orders/{proxy}"));
    expect(restOrders).toMatchObject({ type: "HTTP_PROXY", uri: "https://api.example.com:443/orders/{proxy}", request_parameters: { "integration.request.path.proxy": "method.request.path.proxy" } });
    for (const i of Object.values(resources(rest, "aws_api_gateway_integration"))) {
      expect(String(i.uri)).not.toContain("live");
      expect(i.request_templates).toBeUndefined();
    }
  });

  it("reads the configuration as AWS documents it: without the overwrite, an HTTP API sends the stage first", () => {
    const bare = clone(http);
    for (const i of Object.values(bare.resource?.aws_apigatewayv2_integration ?? {})) delete i.request_parameters;
    expect(sentPath(bare, { method: "GET", path: "/orders/a/b" })).toBe("/live/orders/a/b");
    const atDefault = clone(bare);
    for (const st of Object.values(atDefault.resource?.aws_apigatewayv2_stage ?? {})) st.name = "$default";
    expect(sentPath(atDefault, { method: "GET", path: "/orders/a/b" })).toBe("/orders/a/b");
  });

  it("reads a REST path only from the URI and its path mappings, never from a mapping template", () => {
    const unmapped = clone(rest);
    for (const i of Object.values(unmapped.resource?.aws_api_gateway_integration ?? {})) delete i.request_parameters;
    expect(() => sentPath(unmapped, { method: "GET", path: "/orders/a/b" })).toThrow("{proxy} in https://api.example.com:443/orders/{proxy} is not mapped from a path variable of /orders/{proxy+}");
    const templated = clone(rest);
    for (const i of Object.values(templated.resource?.aws_api_gateway_integration ?? {})) i.request_templates = { "application/json": "#set($context.requestOverride.path.proxy = $input.params('proxy'))" };
    expect(() => sentPath(templated, { method: "GET", path: "/orders/a/b" })).toThrow("mapping templates apply to non-proxy integrations only");
  });
});

describe("ApiGateway construct ids and literal text", () => {
  const ids = (json: TfJson, type: string) => Object.keys(resources(json, type)).sort();

  it("derives route ids from the route key alone: adding a route renames nothing", () => {
    const before = synth(props());
    const after = synth(props({ routes: { ...props().routes, "POST /orders": "https" } }));
    const old = ids(before, "aws_apigatewayv2_route");
    expect(ids(after, "aws_apigatewayv2_route").filter((id) => old.includes(id))).toEqual(old);
    expect(ids(after, "aws_apigatewayv2_integration")).toEqual(ids(before, "aws_apigatewayv2_integration"));
    const restBefore = synth(restProps());
    const restAfter = synth(restProps({ routes: { "GET /health": "http", ...REST_ROUTES } }));
    for (const type of ["aws_api_gateway_resource", "aws_api_gateway_method", "aws_api_gateway_integration"]) {
      const o = ids(restBefore, type);
      expect(ids(restAfter, type).filter((id) => o.includes(id))).toEqual(o);
    }
  });

  it("gives readable ids that never collide", () => {
    expect(keySlug("ANY /orders/{proxy+}")).toMatch(/^any-orders-proxy-plus-[0-9a-f]{6}$/);
    expect(keySlug("$default")).toMatch(/^default-[0-9a-f]{6}$/);
    expect(keySlug("ANY /a-b")).not.toBe(keySlug("ANY /a/b"));
    expect(keySlug("GET /A")).not.toBe(keySlug("GET /a"));
    expect(keySlug("GET /x")).toBe(keySlug("GET /x"));
    const j = synth(props({ routes: { "ANY /a-b": "http", "ANY /a/b": "http", "GET /A": "http", "GET /a": "http" } }));
    expect(ids(j, "aws_apigatewayv2_route")).toHaveLength(4);
  });

  it("emits route keys and paths literally: every ${ in the JSON is a reference", () => {
    for (const j of [synth(props({ domain: { name: "api.example.com", certificateArn: CERT, route53ZoneId: "Z1" } })), synth(restProps({ nlbSecurityGroupId: "sg-1" }))]) {
      for (const s of strings(j)) {
        for (const m of s.matchAll(/[$%]\{/g)) expect(s.slice(m.index)).toMatch(/^\$\{(data\.aws_|aws_|sha1\(jsonencode\()/);
      }
    }
  });

  it("refuses ${ and %{ anywhere in its input, keys included", () => {
    expect(problemsOf(() => synth(props({ tags: { team: "${file(\"/etc/passwd\")}" } })))).toContain('tags.team: holds "${" or "%{", which Terraform would evaluate; write the text without them');
    expect(problemsOf(() => synth(props({ tags: { "%{if}": "x" } })))).toContain('tags.%{if}: holds "${" or "%{", which Terraform would evaluate; write the text without them');
    expect(problemsOf(() => synth(props({ routes: { "GET /a${b}": "http" } })))).toEqual([
      'routes.GET /a${b}: holds "${" or "%{", which Terraform would evaluate; write the text without them',
      `routes.GET /a\${b}: path ${PATH}`,
    ]);
  });

  it("does not check Terraform references as literals", () => {
    const j = synthConstruct((s) => {
      const lbName = new TerraformVariable(s, "lb_name", { type: "string" }).stringValue;
      const days = new TerraformVariable(s, "days", { type: "number" }).numberValue;
      new ApiGateway(s, "api", props({ lbName, stage: { name: "$default", throttling: { burstLimit: 10, rateLimit: 5 }, accessLogRetentionDays: days } }));
    });
    expect(Object.values(dataSources(j, "aws_lb"))).toEqual([{ name: "${var.lb_name}" }]);
  });
});

describe("ApiGateway validation", () => {
  it.each([
    [{ name: "sg-api" }, 'name: would name a security group "sg-api-vpc-link", and EC2 refuses group names starting "sg-" (they look like group ids)'],
    [{ name: "a b" }, 'name: must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    [{ lbName: "internal-x" }, 'lbName: load balancer names must not begin with "internal-" (1-32 characters, letters, digits and hyphens, no leading or trailing hyphen)'],
    [{ routes: {} }, "routes: needs at least one route"],
    [{ routes: { "ANY /x": "nope" } }, 'routes.ANY /x: names target "nope", which is not in targets (known: http, https, mqtt)'],
    [{ routes: { "FETCH /x": "http" } }, 'routes.FETCH /x: method "FETCH" is not one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS'],
    [{ routes: { "ANY /{proxy+}/x": "http" } }, `routes.ANY /{proxy+}/x: path a greedy path variable ("{name+}") must be the last segment of the path; ${PATH}`],
    [{ targets: { "a.b": { port: 80 } }, routes: { "GET /": "a.b" } }, 'targets.a.b: must be 1-63 letters, digits, "-" or "_"'],
    [{ targets: { http: { port: 0 } }, routes: { "GET /": "http" } }, "targets.http.port: must be a whole number from 1 to 65535"],
    [{ targets: { http: { port: 80, tls: { serverName: "*.example.com" } } }, routes: { "GET /": "http" } }, 'targets.http.tls.serverName: must be a lowercase DNS name such as "example.com"; wildcards are not allowed here'],
    [{ vpcLink: { subnetIds: [], vpcId: "vpc-1" } }, "vpcLink.subnetIds: a VPC link needs at least one subnet"],
    [{ vpcLink: { subnetIds: ["s"], vpcId: "vpc-1", cidrs: ["10.0.0.1/16"] } }, "vpcLink.cidrs.0: has host bits set; the network address for /16 is 10.0.0.0/16"],
    [{ vpcLink: { subnetIds: ["s"], vpcId: "vpc-1", cidrs: [] } }, "vpcLink.cidrs: give at least one CIDR, or leave cidrs out to use the VPC's"],
    [{ stage: { name: "v 1", throttling: { burstLimit: 1, rateLimit: 1 }, accessLogRetentionDays: 30 } }, 'stage.name: must be "$default" or 1-128 letters, digits, "-" and "_"'],
    [{ stage: { name: "v1", throttling: { burstLimit: 5001, rateLimit: 1 }, accessLogRetentionDays: 30 } }, "stage.throttling.burstLimit: must be a whole number of requests from 0 to 5000 (the account's burst quota per Region)"],
    [{ stage: { name: "v1", throttling: { burstLimit: 1, rateLimit: 10001 }, accessLogRetentionDays: 30 } }, "stage.throttling.rateLimit: must be from 0 to 10000 requests per second (the account's throttle quota per Region)"],
    [{ stage: { name: "v1", throttling: { burstLimit: 1, rateLimit: 1 }, accessLogRetentionDays: 10 } }, `stage.accessLogRetentionDays: must be one of CloudWatch Logs' retention periods: ${gw.LOG_RETENTION_DAYS.join(", ")} days`],
    [{ domain: { name: "API.example.com", certificateArn: CERT } }, 'domain.name: must be a lowercase DNS name such as "example.com"; label "API" is not valid'],
    [{ domain: { name: "api.example.com", certificateArn: CERT }, region: "us-east-1" }, "domain.certificateArn: is in eu-west-1, but a Regional custom domain name needs an ACM certificate in the API's Region (us-east-1)"],
    [{ domain: { name: "api.example.com", certificateArn: "arn:aws:iam::123456789012:server-certificate/x" } }, "domain.certificateArn: must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)"],
  ])("HTTP API refuses %j", (change, message) => {
    expect(problemsOf(() => synth(props(change as Partial<ApiGatewayProps>)))).toContain(message);
  });

  it.each([
    [{ routes: { $default: "http" } }, 'routes.$default: REST APIs have no "$default" route; use "ANY /{proxy+}" (and "ANY /" for the root) to send every request to one target'],
    [{ stage: { name: "$default", throttling: { burstLimit: 1, rateLimit: 1 }, accessLogRetentionDays: 30 } }, 'stage.name: REST API stages cannot be named "$default"; use letters, digits, "-" and "_" (1-128 characters)'],
    [{ targets: { http: { port: 1000 } }, routes: { "GET /": "http" } }, "targets.http.port: REST API integrations reach ports 80, 443 or 1024-65535 only"],
    [{ routes: { "GET /a/{id}": "http", "GET /a/{name}": "http" } }, "routes.GET /a/{name}: resource /a would get a second variable path part {name} besides {id}; REST APIs allow only one variable path part per parent resource"],
  ])("REST API refuses %j", (change, message) => {
    expect(problemsOf(() => synth(restProps(change as Partial<ApiGatewayProps>)))).toContain(message);
  });

  it("reports every problem at once, with the construct path", () => {
    let error: unknown;
    try {
      synth(props({ name: "sg-x", stage: { name: "v 1", throttling: { burstLimit: -1, rateLimit: -1 }, accessLogRetentionDays: 2 } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.path)).toEqual(["name", "stage.name", "stage.throttling.burstLimit", "stage.throttling.rateLimit", "stage.accessLogRetentionDays"]);
    expect(new Set(problems.map((p) => p.env))).toEqual(new Set(["test/api"]));
  });
});

describe("api-gateway-rules", () => {
  it.each([
    ["ANY /orders/{proxy+}", undefined],
    ["GET /", undefined],
    ["$default", undefined],
    ["OPTIONS /a/{id}/b.c~d_e-f", undefined],
    ["get /", 'must be "$default" or "<METHOD> <path>" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, e.g. "ANY /orders/{proxy+}" or "GET /"'],
    ["ANY  /", 'must be "$default" or "<METHOD> <path>" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, e.g. "ANY /orders/{proxy+}" or "GET /"'],
    ["ANY", 'must be "$default" or "<METHOD> <path>" with METHOD one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, e.g. "ANY /orders/{proxy+}" or "GET /"'],
    ["CONNECT /", 'method "CONNECT" is not one of ANY, GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS'],
  ])("httpRouteKey(%j)", (key, message) => {
    expect(gw.httpRouteKey(key)).toBe(message);
  });

  it.each([
    ["/", undefined],
    ["/orders/{proxy+}", undefined],
    ["/a/{id}/b/{rest+}", undefined],
    ["orders", PATH],
    ["/orders/", PATH],
    ["//x", PATH],
    ["/a{id}", PATH],
    ["/{}", PATH],
    ["/{a-b}", PATH],
    ["/a$b", PATH],
    ["/a%7B", PATH],
    ["/{proxy+}/x", `a greedy path variable ("{name+}") must be the last segment of the path; ${PATH}`],
    ["/{id}/{id}", 'path variable "id" appears twice; the variables of one path need distinct names'],
  ])("resourcePath(%j)", (path, message) => {
    expect(gw.resourcePath(path)).toBe(message);
  });

  it("parses route keys into method and segments", () => {
    expect(gw.parseRouteKey("ANY /orders/{proxy+}")).toEqual({
      kind: "route",
      method: "ANY",
      path: "/orders/{proxy+}",
      segments: [{ kind: "literal", text: "orders" }, { kind: "variable", name: "proxy", greedy: true }],
    });
    expect(gw.parseRouteKey("$default")).toEqual({ kind: "default" });
    expect(gw.parseRouteKey("ANY /{a+}/b")).toBeUndefined();
  });

  it("restRouteKey refuses $default and checks the rest like an HTTP route key", () => {
    expect(gw.restRouteKey("ANY /{proxy+}")).toBeUndefined();
    expect(gw.restRouteKey("$default")).toBe('REST APIs have no "$default" route; use "ANY /{proxy+}" (and "ANY /" for the root) to send every request to one target');
  });

  it("restVariableSiblings allows one variable path part per parent", () => {
    expect(gw.restVariableSiblings(["GET /a/{id}", "ANY /a/{id}", "GET /a/{id}/b", "ANY /{proxy+}", "GET /"])).toEqual([]);
    expect(gw.restVariableSiblings(["GET /a/{id}", "ANY /a/{proxy+}"])).toEqual([
      { key: "ANY /a/{proxy+}", message: "resource /a would get a second variable path part {proxy+} besides {id}; REST APIs allow only one variable path part per parent resource" },
    ]);
    expect(gw.restVariableSiblings(["GET /{id}", "GET /{key}/x"])).toEqual([
      { key: "GET /{key}/x", message: "resource / would get a second variable path part {key} besides {id}; REST APIs allow only one variable path part per parent resource" },
    ]);
  });

  it.each([
    ["a", undefined],
    ["a".repeat(128), undefined],
    ["", "API Gateway API and VPC link names are 1-128 characters"],
    ["a".repeat(129), "API Gateway API and VPC link names are 1-128 characters"],
  ])("apiGatewayName(%j)", (name, message) => {
    expect(gw.apiGatewayName(name)).toBe(message);
  });

  it.each([
    ["prod--prod-eks", undefined],
    ["a".repeat(100), undefined],
    ["a".repeat(101), 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    ["-a", 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit'],
    ["SG-a", 'would name a security group "SG-a-vpc-link", and EC2 refuses group names starting "sg-" (they look like group ids)'],
  ])("apiNamePrefix(%j)", (name, message) => {
    expect(gw.apiNamePrefix(name)).toBe(message);
  });

  it.each([
    ["v1", "http", undefined],
    ["$default", "http", undefined],
    ["prod_v-2", "rest", undefined],
    ["a".repeat(128), "rest", undefined],
    ["a".repeat(129), "rest", 'must be 1-128 letters, digits, "-" and "_"'],
    ["", "http", 'must be "$default" or 1-128 letters, digits, "-" and "_"'],
    ["v.1", "rest", 'must be 1-128 letters, digits, "-" and "_"'],
    ["$default", "rest", 'REST API stages cannot be named "$default"; use letters, digits, "-" and "_" (1-128 characters)'],
  ] as const)("stageName(%j, %s)", (name, type, message) => {
    expect(gw.stageName(name, type)).toBe(message);
  });

  it("throttling: burst 0-5000 whole, rate 0-10000, both within a raised quota when given", () => {
    expect(gw.throttling({ burstLimit: 0, rateLimit: 0 })).toEqual([]);
    expect(gw.throttling({ burstLimit: 5000, rateLimit: 10000 })).toEqual([]);
    expect(gw.throttling({ burstLimit: 10.5, rateLimit: 0.5 })).toEqual([{ field: "burstLimit", value: 10.5, message: "must be a whole number of requests from 0 to 5000 (the account's burst quota per Region)" }]);
    expect(gw.throttling({ burstLimit: 1, rateLimit: Number.NaN }).map((p) => p.field)).toEqual(["rateLimit"]);
    expect(gw.throttling({ burstLimit: 6000, rateLimit: 20000 }, { burstLimit: 10000, rateLimit: 20000 })).toEqual([]);
    expect(gw.ACCOUNT_THROTTLE_QUOTA).toEqual({ rateLimit: 10000, burstLimit: 5000 });
  });

  it("logRetentionDays takes CloudWatch Logs' periods only", () => {
    for (const d of gw.LOG_RETENTION_DAYS) expect(gw.logRetentionDays(d)).toBeUndefined();
    for (const d of [0, 2, 31, 366, 3654]) expect(gw.logRetentionDays(d)).toBe(`must be one of CloudWatch Logs' retention periods: ${gw.LOG_RETENTION_DAYS.join(", ")} days`);
  });

  it("regionalCertificateArn checks ACM and the Region", () => {
    expect(gw.regionalCertificateArn(CERT)).toBeUndefined();
    expect(gw.regionalCertificateArn(CERT, "eu-west-1")).toBeUndefined();
    expect(gw.regionalCertificateArn(CERT, "us-east-1")).toBe("is in eu-west-1, but a Regional custom domain name needs an ACM certificate in the API's Region (us-east-1)");
    expect(gw.regionalCertificateArn("cert")).toBe("must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)");
  });

  it("customDomainName takes a DNS name without wildcard", () => {
    expect(gw.customDomainName("api.example.com")).toBeUndefined();
    expect(gw.customDomainName("*.example.com")).toBe('must be a lowercase DNS name such as "example.com"; wildcards are not allowed here');
  });

  it.each([
    [80, undefined],
    [443, undefined],
    [1024, undefined],
    [65535, undefined],
    [8080, undefined],
    [81, "REST API integrations reach ports 80, 443 or 1024-65535 only"],
    [1023, "REST API integrations reach ports 80, 443 or 1024-65535 only"],
    [65536, "must be a whole number from 1 to 65535"],
  ])("restIntegrationPort(%d)", (port, message) => {
    expect(gw.restIntegrationPort(port)).toBe(message);
  });

  it("targetName takes letters, digits, - and _", () => {
    expect(gw.targetName("mqtt_tls-2")).toBeUndefined();
    expect(gw.targetName("a/b")).toBe('must be 1-63 letters, digits, "-" or "_"');
  });
});
