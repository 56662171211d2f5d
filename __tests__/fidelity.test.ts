/** The default prod env reproduces the reference design's values on AWS. */
import { dataSources, only, resources, synthDefaults, type TfJson } from "./helpers/synth";

describe("reference design (prod, AWS)", () => {
  let edge: TfJson;
  let cluster: TfJson;
  beforeAll(() => {
    const all = synthDefaults();
    edge = all["prod-aws-edge"] as TfJson;
    cluster = all["prod-aws-cluster"] as TfJson;
  });

  it("is an internet-facing network load balancer with deletion protection and the Kubernetes tags", () => {
    const lb = only(edge, "aws_lb");
    expect(lb).toMatchObject({ load_balancer_type: "network", internal: false, enable_deletion_protection: true });
    // The reference design tagged the NLB "owned"; Terraform owns it here, so cluster cleanup tools
    // are told "shared" (aws.nlb.clusterTag brings back "owned").
    expect(lb.tags).toEqual({ "kubernetes.io/cluster/prod-eks": "shared", "kubernetes.io/service-name": "ingress-nginx/ingress-nginx-controller" });
  });

  it("has an ip target group on 30080, TCP, deregistration delay 5, HTTP health check on 30200 /healthz", () => {
    const http = Object.values(resources(edge, "aws_lb_target_group")).find((tg) => tg.port === 30080);
    expect(http).toMatchObject({
      target_type: "ip",
      protocol: "TCP",
      deregistration_delay: "5",
      health_check: { protocol: "HTTP", port: "30200", path: "/healthz" },
    });
    const https = Object.values(resources(edge, "aws_lb_target_group")).find((tg) => tg.port === 30443);
    expect(https).toMatchObject({ target_type: "ip", protocol: "TCP", health_check: { protocol: "HTTP", port: "30200" } });
  });

  it("listens on 80 and 443 with TCP (TLS ends in the controller); MQTT's TLS ends on the NLB", () => {
    const listeners = Object.values(resources(edge, "aws_lb_listener"));
    expect(listeners.map((l) => [l.port, l.protocol]).sort()).toEqual([[443, "TCP"], [80, "TCP"], [8883, "TLS"]].sort());
  });

  it("discovers workers by their Name tag and attaches every private IP to every group", () => {
    const workers = Object.values(dataSources(edge, "aws_instances"));
    expect(workers).toEqual([
      expect.objectContaining({
        filter: [
          { name: "tag:Name", values: ["prod-eks-node"] },
          { name: "vpc-id", values: ["vpc-0123456789abcdef0"] },
        ],
        instance_state_names: ["running"],
      }),
    ]);
    const attachments = Object.values(resources(edge, "aws_lb_target_group_attachment"));
    expect(attachments).toHaveLength(3);
    for (const a of attachments) {
      expect(a.for_each).toMatch(/^\$\{toset\(data\.aws_instances\.[^.]+\.private_ips\)\}$/);
      expect(a.target_id).toBe("${each.value}");
    }
    expect(attachments.map((a) => a.port).sort()).toEqual([30080, 30443, 30883]);
  });

  it("admits the traffic and health NodePorts from 10.0.0.0/16 only", () => {
    const rules = Object.values(resources(edge, "aws_vpc_security_group_ingress_rule"));
    expect(new Set(rules.map((r) => r.cidr_ipv4))).toEqual(new Set(["10.0.0.0/16"]));
    expect(rules.map((r) => r.from_port).sort()).toEqual([30080, 30200, 30443, 30883]);
    for (const r of rules) expect(r).toMatchObject({ ip_protocol: "tcp", security_group_id: "sg-0123456789abcdef0" });
  });

  it("runs the health-check Service on nodePort 30200 → 10254, externalTrafficPolicy Local", () => {
    const svc = only(cluster, "kubernetes_service_v1") as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    expect(svc.metadata).toMatchObject({ name: "ingress-nginx-healthcheck", namespace: "ingress-nginx" });
    expect(svc.spec).toMatchObject({ type: "NodePort", external_traffic_policy: "Local", port: [expect.objectContaining({ node_port: 30200, port: 10254, target_port: "10254" })] });
  });
});
