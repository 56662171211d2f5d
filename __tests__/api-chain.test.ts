/**
 * API Gateway in front of the cluster, followed link by link in the shipped example by value:
 * route → integration → listener (looked up by port on the NLB found by name) → the edge's
 * listener on that port → its target group → NodePort → the NodePort Service for that service.
 */
import { join } from "node:path";
import { loadEnvironments } from "../modules/config/loader";
import { awsEnv, patch } from "./helpers/fixtures";
import { dataSources, refId, resources, synthEnvs, type TfJson } from "./helpers/synth";
import { loadProblems } from "./helpers/problems";
import { sentPath } from "./helpers/api-gateway-request";

const [example] = loadEnvironments({ builtins: [], files: [join(__dirname, "../envs/examples/api-gateway.yaml")] }).map((l) => l.env);
if (!example) throw new Error("no example env");
const stacks = synthEnvs([example]);
const api = stacks["example-api-aws-api"] as TfJson;
const edge = stacks["example-api-aws-edge"] as TfJson;
const cluster = stacks["example-api-aws-cluster"] as TfJson;

const problems = loadProblems;

describe("API Gateway example: the chain from route to pod port", () => {
  const routes = Object.values(resources(api, "aws_apigatewayv2_route"));

  it("has a route per configured key, each to an integration through the VPC link", () => {
    expect(routes.map((r) => r.route_key).sort()).toEqual(Object.keys(example.aws?.apiGateway?.routes ?? {}).sort());
    const link = Object.keys(resources(api, "aws_apigatewayv2_vpc_link"))[0];
    for (const i of Object.values(resources(api, "aws_apigatewayv2_integration")))
      expect(i).toMatchObject({ integration_type: "HTTP_PROXY", connection_type: "VPC_LINK", connection_id: `\${aws_apigatewayv2_vpc_link.${link}.id}` });
  });

  it.each(Object.entries(example.aws?.apiGateway?.routes ?? {}))("%s reaches %s's pods on the fixed NodePort", (key, target) => {
    const route = routes.find((r) => r.route_key === key) as Record<string, unknown>;
    const integration = resources(api, "aws_apigatewayv2_integration")[String(route.target).replace(/^integrations\/\$\{aws_apigatewayv2_integration\.([^.]+)\.id\}$/, "$1")] as Record<string, unknown>;
    expect(integration).toBeDefined();
    const listener = dataSources(api, "aws_lb_listener")[refId(integration.integration_uri).split(".")[2] as string] as { port: number; load_balancer_arn: string };
    const nlb = dataSources(api, "aws_lb")[refId(listener.load_balancer_arn).split(".")[2] as string] as { name: string };
    // The NLB found by name is the edge's, and its listener on that port forwards to the service's group.
    expect(nlb.name).toBe(Object.values(resources(edge, "aws_lb"))[0]?.name);
    const edgeListener = Object.values(resources(edge, "aws_lb_listener")).find((l) => l.port === listener.port) as { default_action: Array<{ target_group_arn: string }> };
    const group = resources(edge, "aws_lb_target_group")[refId(edgeListener.default_action[0]?.target_group_arn).split(".")[1] as string] as { port: number; tags: Record<string, string> };
    expect(group.tags["gatehouse/entry-point"]).toBe(target);
    const service = Object.values(resources(cluster, "kubernetes_service_v1")).find((s) => (s.spec as { port: Array<{ node_port: number }> }).port[0]?.node_port === group.port) as { metadata: { name: string; namespace: string }; spec: { port: Array<{ target_port: string }> } };
    expect(service.metadata).toMatchObject({ name: `${target}-nodeport`, namespace: "shop" });
    expect(Number(service.spec.port[0]?.target_port)).toBe(example.ports.services[target]?.targetPort);
  });

  it("sends each service the path its client asked for, without the stage, as an HTTP API or a REST API", () => {
    const restApi = synthEnvs([patch(example, { aws: { apiGateway: { type: "rest" } } })])["example-api-aws-api"] as TfJson;
    expect(example.aws?.apiGateway?.stage.name).toBe("live");
    for (const key of Object.keys(example.aws?.apiGateway?.routes ?? {})) {
      const [method = "", template = ""] = key.split(" ");
      // GET https://<id>.execute-api.eu-west-1.amazonaws.com/live/orders/a/b reaches orders as /orders/a/b.
      const request = { method: method === "ANY" ? "POST" : method, path: template.replace("{proxy+}", "a/b") };
      expect([sentPath(api, request), sentPath(restApi, request)]).toEqual([request.path, request.path]);
    }
  });

  it("lets the VPC link out only on the routed listener ports, and the workers admit the NLB on the NodePorts", () => {
    const egress = Object.values(resources(api, "aws_vpc_security_group_egress_rule")).map((r) => r.from_port);
    expect([...new Set(egress)].sort()).toEqual([8081, 8082, 8083]);
    const opened = new Set(Object.values(resources(edge, "aws_vpc_security_group_ingress_rule")).map((r) => r.from_port));
    for (const port of [31081, 31082, 31083]) expect(opened).toContain(port);
  });

  it("keeps the NLB internal and puts the API in a stack applied after the edge", () => {
    expect(Object.values(resources(edge, "aws_lb"))[0]?.internal).toBe(true);
    expect(Object.keys(api.output ?? {}).sort()).toEqual(["api_endpoint", "stage_url"]);
  });
});

describe("API Gateway rules", () => {
  const withApi = (apiGateway: Record<string, unknown>, nlb: Record<string, unknown> = { internetFacing: false }) =>
    patch(awsEnv({ ports: { services: { orders: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "orders" }, targetPort: 8080 } } } }), { aws: { nlb, apiGateway } });

  it("refuses a route to an unknown entry point and a malformed route key", () => {
    expect(problems(withApi({ routes: { "ANY /orders/{proxy+}": "order" } }))).toEqual(["aws.apiGateway.routes.ANY /orders/{proxy+}: names no entry point or service; known: http, https, orders"]);
    expect(problems(withApi({ routes: { "FETCH /orders": "orders" } }))[0]).toMatch(/^aws\.apiGateway\.routes\.FETCH \/orders: /);
  });

  it("refuses an internet-facing NLB unless clients may bypass API Gateway on purpose", () => {
    expect(problems(withApi({ routes: { "ANY /orders/{proxy+}": "orders" } }, { internetFacing: true }))).toEqual([
      "aws.nlb.internetFacing: must be false with aws.apiGateway: an internet-facing NLB lets clients skip API Gateway's throttling and authorization; make it internal, or set aws.apiGateway.allowDirectClients: true on purpose",
    ]);
    expect(problems(withApi({ routes: { "ANY /orders/{proxy+}": "orders" }, allowDirectClients: true }, { internetFacing: true }))).toEqual([]);
  });

  it("needs a TLS server name to route to a listener where TLS reaches the target", () => {
    expect(problems(withApi({ routes: { "ANY /{proxy+}": "https" } }))).toEqual([
      'aws.apiGateway.tlsServerName: is required: route "ANY /{proxy+}" goes to https, where API Gateway speaks HTTPS and must verify the certificate against a name',
    ]);
  });
});
