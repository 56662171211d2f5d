/** Unit tests of the AWS constructs. */
import { Fn, TerraformVariable, Token } from "cdktf";
import type { Construct } from "constructs";
import { NlbEdge, type NlbEdgeProps } from "../modules/aws/nlb-edge";
import { NodeAccessRules } from "../modules/aws/node-access";
import { TargetRegistration } from "../modules/aws/targets";
import type { PortContract } from "../modules/model/contract";
import { awsElbName } from "../modules/core/naming";
import { contract as fixtureContract, MQTTS } from "./helpers/fixtures";
import { dataSources, only, resources, synthConstruct } from "./helpers/synth";
import { problemsOf } from "./helpers/problems";

function contract(change: { proxyProtocol?: boolean; tlsAtLoadBalancer?: boolean; mqtts?: "passthrough" | "terminate" } = {}): PortContract {
  return fixtureContract({
    env: "t",
    cluster: "eks",
    proxyProtocol: change.proxyProtocol ?? false,
    https: { listenerPort: 443, nodePort: 30443, tls: change.tlsAtLoadBalancer ? "terminate" : "passthrough" },
    tcp: change.mqtts ? { mqtts: { ...MQTTS.mqtts, tls: change.mqtts } } : {},
  });
}
const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/abc-123";

function edgeProps(change: Partial<NlbEdgeProps> = {}): NlbEdgeProps {
  return {
    contract: contract(),
    targetKind: "node",
    name: "t-eks",
    targetGroupNames: { http: "t-eks-http", https: "t-eks-https" },
    vpcId: "vpc-1",
    subnets: ["subnet-1", "subnet-2"],
    ...change,
  };
}

const edge = (change: Partial<NlbEdgeProps> = {}) => synthConstruct((s: Construct) => void new NlbEdge(s, "edge", edgeProps(change)));


describe("NlbEdge", () => {
  it("defaults to an internet-facing NLB with deletion protection and cross-zone on", () => {
    expect(only(edge(), "aws_lb")).toMatchObject({ load_balancer_type: "network", internal: false, enable_deletion_protection: true, enable_cross_zone_load_balancing: true, subnets: ["subnet-1", "subnet-2"] });
  });

  it("tags the NLB as shared with the cluster by default (Terraform owns it), owned on request", () => {
    expect((only(edge(), "aws_lb").tags as Record<string, string>)["kubernetes.io/cluster/eks"]).toBe("shared");
    expect((only(edge({ clusterTag: "owned" }), "aws_lb").tags as Record<string, string>)["kubernetes.io/cluster/eks"]).toBe("owned");
  });

  it("makes an internal NLB with fixed private addresses", () => {
    const lb = only(edge({ internetFacing: false, subnets: undefined, subnetMappings: [{ subnetId: "subnet-1", privateIpv4Address: "10.0.1.10" }] }), "aws_lb");
    expect(lb).toMatchObject({ internal: true, subnet_mapping: [{ subnet_id: "subnet-1", private_ipv4_address: "10.0.1.10" }] });
    expect(lb.subnets).toBeUndefined();
  });

  it("attaches security groups to the NLB only when given", () => {
    expect(only(edge(), "aws_lb").security_groups).toBeUndefined();
    expect(only(edge({ securityGroupIds: ["sg-1"] }), "aws_lb").security_groups).toEqual(["sg-1"]);
  });

  it("makes one ip target group per entry point with an HTTP health check on the health NodePort", () => {
    const groups = Object.values(resources(edge(), "aws_lb_target_group"));
    expect(groups.map((g) => [g.name, g.port])).toEqual([["t-eks-http", 30080], ["t-eks-https", 30443]]);
    for (const g of groups) {
      expect(g).toMatchObject({ target_type: "ip", protocol: "TCP", vpc_id: "vpc-1", deregistration_delay: "5", proxy_protocol_v2: false, preserve_client_ip: "false", connection_termination: false });
      expect(g.health_check).toEqual({ enabled: true, protocol: "HTTP", port: "30200", path: "/healthz", matcher: "200", interval: 10, timeout: 6, healthy_threshold: 3, unhealthy_threshold: 3 });
    }
  });

  it("targets pod ports and probes 10254 when the targets are pods", () => {
    const groups = Object.values(resources(edge({ targetKind: "pod" }), "aws_lb_target_group"));
    expect(groups.map((g) => [g.port, (g.health_check as { port: string }).port])).toEqual([[80, "10254"], [443, "10254"]]);
  });

  it("turns PROXY protocol v2 on from the contract", () => {
    for (const g of Object.values(resources(edge({ contract: contract({ proxyProtocol: true }) }), "aws_lb_target_group"))) expect(g.proxy_protocol_v2).toBe(true);
  });

  it("passes 443 through as TCP by default", () => {
    const listeners = Object.values(resources(edge(), "aws_lb_listener"));
    expect(listeners.map((l) => [l.port, l.protocol, l.certificate_arn, l.ssl_policy])).toEqual([[80, "TCP", undefined, undefined], [443, "TCP", undefined, undefined]]);
  });

  it("terminates TLS on 443 with the certificate, a TLS 1.3 policy and ALPN", () => {
    const json = edge({ contract: contract({ tlsAtLoadBalancer: true }), tls: { certificateArn: CERT, alpnPolicy: "HTTP2Preferred" } });
    const https = Object.values(resources(json, "aws_lb_listener")).find((l) => l.port === 443);
    expect(https).toMatchObject({ protocol: "TLS", certificate_arn: CERT, ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06", alpn_policy: "HTTP2Preferred" });
    const http = Object.values(resources(json, "aws_lb_listener")).find((l) => l.port === 80);
    expect(http?.protocol).toBe("TCP");
  });

  it("sends plain-HTTP clients to the redirect pod port when TLS ends at the NLB (pod targets)", () => {
    const groups = Object.values(resources(edge({ contract: contract({ tlsAtLoadBalancer: true }), tls: { certificateArn: CERT }, targetKind: "pod" }), "aws_lb_target_group"));
    expect(groups.map((g) => [g.name, g.port])).toEqual([["t-eks-http", 2443], ["t-eks-https", 80]]);
  });

  it("applies each tcp entry's TLS choice: TCP listener with its idle timeout, or TLS listener", () => {
    const pass = Object.values(resources(edge({ contract: contract({ mqtts: "passthrough" }), targetGroupNames: { http: "a", https: "b", mqtts: "c" } }), "aws_lb_listener")).find((l) => l.port === 8883);
    expect(pass).toMatchObject({ protocol: "TCP", tcp_idle_timeout_seconds: 350 });
    expect(pass?.certificate_arn).toBeUndefined();
    const json = edge({ contract: contract({ mqtts: "terminate" }), tls: { certificateArn: CERT }, targetGroupNames: { http: "a", https: "b", mqtts: "c" } });
    const term = Object.values(resources(json, "aws_lb_listener")).find((l) => l.port === 8883);
    expect(term).toMatchObject({ protocol: "TLS", certificate_arn: CERT });
    // AWS fixes a TLS listener's idle timeout; the provider would refuse the argument.
    expect(term?.tcp_idle_timeout_seconds).toBeUndefined();
    expect(Object.values(resources(json, "aws_lb_listener")).find((l) => l.port === 443)?.protocol).toBe("TCP");
    // Long-lived connections are closed on deregistration so clients move to a live target.
    expect(Object.values(resources(json, "aws_lb_target_group")).find((g) => g.name === "c")?.connection_termination).toBe(true);
  });

  it.each([
    [{ name: "a".repeat(33) }, "name: load balancer names must be 1-32 characters, letters, digits and hyphens, no leading or trailing hyphen"],
    [{ name: "internal-edge" }, 'name: load balancer names must not begin with "internal-" (1-32 characters, letters, digits and hyphens, no leading or trailing hyphen)'],
    [{ name: "-edge" }, "name: load balancer names must be 1-32 characters, letters, digits and hyphens, no leading or trailing hyphen"],
    [{ targetGroupNames: { http: "t_http", https: "t-https" } }, "targetGroupNames.http: target group names must be 1-32 characters, letters, digits and hyphens, no leading or trailing hyphen"],
    [{ deregistrationDelay: 3601 }, "deregistrationDelay: must be a whole number of seconds from 0 to 3600"],
    [{ healthCheck: { interval: 4 } }, "healthCheck.interval: must be a whole number from 5 to 300"],
    [{ healthCheck: { timeout: 121, interval: 300 } }, "healthCheck.timeout: must be a whole number from 2 to 120"],
    [{ healthCheck: { timeout: 20, interval: 10 } }, "healthCheck.timeout: must not exceed the interval (10 s)"],
    [{ healthCheck: { healthyThreshold: 11 } }, "healthCheck.healthyThreshold: must be a whole number from 2 to 10"],
    [{ healthCheck: { unhealthyThreshold: 1 } }, "healthCheck.unhealthyThreshold: must be a whole number from 2 to 10"],
    [{ healthCheck: { matcher: "100" } }, 'healthCheck.matcher: must be HTTP codes from 200 to 599: "200", "200,202" or "200-299"'],
    [{ subnetMappings: [{ subnetId: "subnet-1" }] }, "subnets: give exactly one of subnets and subnetMappings"],
    [{ tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" } }, `tls.certificateArn: is unused: no entry point ends TLS at the load balancer; set an entry point's tls to "terminate", or remove the certificate`],
    [{ contract: contract({ tlsAtLoadBalancer: true }) }, "tls.certificateArn: is required: entry point https ends TLS at the load balancer (tls: terminate), whose TLS listeners need an ACM certificate"],
    [{ subnets: [] }, "subnets: an NLB needs at least one subnet"],
    [{ targetGroupNames: { http: "t-eks-http" } }, "targetGroupNames.https: every entry point needs a target group name"],
    [{ contract: contract({ tlsAtLoadBalancer: true }), tls: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x", sslPolicy: "TLS13" } }, 'tls.sslPolicy: must be a predefined ELB security policy ("ELBSecurityPolicy-...")'],
  ])("refuses %j", (change, message) => {
    expect(problemsOf(() => edge(change as Partial<NlbEdgeProps>))).toContain(message);
  });

  it("refuses a TLS listener without a valid certificate ARN", () => {
    expect(problemsOf(() => edge({ contract: contract({ tlsAtLoadBalancer: true }), tls: { certificateArn: "my-cert" } }))).toEqual([
      "tls.certificateArn: must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>) or an IAM server certificate ARN",
    ]);
  });

  it("does not validate Terraform references as literals", () => {
    const json = synthConstruct((s) => {
      const name = new TerraformVariable(s, "lb_name", { type: "string" }).stringValue;
      new NlbEdge(s, "edge", edgeProps({ name }));
    });
    expect(only(json, "aws_lb").name).toBe("${var.lb_name}");
  });
});

describe("derived names", () => {
  it("always fit the ELB limits and stay stable", () => {
    const long = awsElbName(["production-europe", "a-very-long-cluster-name", "https"]);
    expect(long.length).toBeLessThanOrEqual(32);
    expect(long).toBe(awsElbName(["production-europe", "a-very-long-cluster-name", "https"]));
    expect(long).not.toBe(awsElbName(["production-europe", "a-very-long-cluster-name", "http"]));
    expect(awsElbName(["internal", "x"])).toBe("0-internal--x");
  });

  it("join env, cluster and entry point with a separator no name holds, so two configs never share a name", () => {
    expect(awsElbName(["a-b", "c"])).toBe("a-b--c");
    expect(awsElbName(["a", "b-c"])).toBe("a--b-c");
    expect(awsElbName(["prod", "prod-eks", "https"])).toBe("prod--prod-eks--https");
  });
});

describe("TargetRegistration", () => {
  const groups = { http: { arn: "arn:tg:http", port: 30080 }, https: { arn: "arn:tg:https", port: 30443 } };

  it("discovers running workers by tag and attaches every private IP with for_each", () => {
    const json = synthConstruct((s) => void new TargetRegistration(s, "targets", { targetGroups: groups, vpcCidrs: ["10.0.0.0/16"], source: { mode: "discover", tagKey: "Name", tagValues: ["eks-node"], vpcId: "vpc-1" } }));
    const [lookupId, lookup] = Object.entries(dataSources(json, "aws_instances"))[0] ?? [];
    // Bound to the env's VPC and to running instances: a same-named instance elsewhere in the
    // region is never registered.
    expect(lookup).toEqual({
      filter: [
        { name: "tag:Name", values: ["eks-node"] },
        { name: "vpc-id", values: ["vpc-1"] },
      ],
      instance_state_names: ["running"],
    });
    const attachments = Object.values(resources(json, "aws_lb_target_group_attachment"));
    expect(attachments).toEqual([
      { for_each: `\${toset(data.aws_instances.${lookupId}.private_ips)}`, target_group_arn: "arn:tg:http", target_id: "${each.value}", port: 30080 },
      { for_each: `\${toset(data.aws_instances.${lookupId}.private_ips)}`, target_group_arn: "arn:tg:https", target_id: "${each.value}", port: 30443 },
    ]);
  });

  it("registers static IPs, with availability_zone all for IPs outside the VPC", () => {
    const json = synthConstruct((s) => void new TargetRegistration(s, "targets", { targetGroups: { http: groups.http }, vpcCidrs: ["10.0.0.0/16"], source: { mode: "static", ips: ["10.0.1.5", "192.168.7.9"] } }));
    const a = Object.values(resources(json, "aws_lb_target_group_attachment"));
    expect(a).toEqual([
      { target_group_arn: "arn:tg:http", target_id: "10.0.1.5", port: 30080 },
      { target_group_arn: "arn:tg:http", target_id: "192.168.7.9", port: 30080, availability_zone: "all" },
    ]);
  });

  it("refuses public IPs outside the VPC and malformed IPs", () => {
    const make = (ips: string[]) => () => synthConstruct((s) => void new TargetRegistration(s, "t", { targetGroups: groups, vpcCidrs: ["10.0.0.0/16"], source: { mode: "static", ips } }));
    expect(problemsOf(make(["8.8.8.8"]))).toEqual(["source.ips.0: is outside the VPC and not private; IP targets outside the VPC must be in 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10"]);
    expect(problemsOf(make(["10.0.0.256"]))).toEqual(["source.ips.0: must be an IPv4 address such as 10.0.1.17"]);
  });
});

describe("NodeAccessRules", () => {
  const targets = contract().targets("node");

  it("opens each traffic port and the health port once per worker group, from the VPC CIDR", () => {
    const json = synthConstruct((s) => void new NodeAccessRules(s, "rules", { targetPorts: targets, targetSecurityGroups: { "sg-w": "sg-w" }, from: { cidrs: ["10.0.0.0/16"] } }));
    const rules = Object.values(resources(json, "aws_vpc_security_group_ingress_rule"));
    expect(rules.map((r) => [r.security_group_id, r.from_port, r.to_port, r.cidr_ipv4, r.ip_protocol])).toEqual([
      ["sg-w", 30080, 30080, "10.0.0.0/16", "tcp"],
      ["sg-w", 30200, 30200, "10.0.0.0/16", "tcp"],
      ["sg-w", 30443, 30443, "10.0.0.0/16", "tcp"],
    ]);
    expect(rules.find((r) => r.from_port === 30200)?.description).toBe("gatehouse: NLB to health check");
  });

  it("references the NLB's security group instead of a CIDR when it has one", () => {
    const json = synthConstruct((s) => void new NodeAccessRules(s, "rules", { targetPorts: targets, targetSecurityGroups: { "sg-w": "sg-w" }, from: { securityGroups: { nlb: "sg-nlb" } } }));
    for (const r of Object.values(resources(json, "aws_vpc_security_group_ingress_rule"))) {
      expect(r.referenced_security_group_id).toBe("sg-nlb");
      expect(r.cidr_ipv4).toBeUndefined();
    }
  });

  it("names its rules by the keys, never by a referenced security group's id", () => {
    const ids = (sg: string) =>
      Object.keys(
        resources(
          synthConstruct((s) => void new NodeAccessRules(s, "rules", { targetPorts: targets, targetSecurityGroups: { workers: "sg-w" }, from: { securityGroups: { nlb: sg } } })),
          "aws_vpc_security_group_ingress_rule",
        ),
      );
    const withReference = ids("${aws_security_group.nlb.id}");
    expect(withReference).toEqual(ids("sg-0123"));
    for (const id of withReference) expect(id).toMatch(/^rules_workers_30(080|200|443)_nlb_[A-Z0-9]+$/);
  });

  it("refuses a reference as a CIDR source (it would name a Terraform address)", () => {
    expect(problemsOf(() => synthConstruct((s) => void new NodeAccessRules(s, "r", { targetPorts: targets, targetSecurityGroups: { w: "sg-w" }, from: { cidrs: [Token.asString(Fn.element(["10.0.0.0/16"], 0))] } })))).toEqual([
      expect.stringMatching(/^from\.cidrs: must be a literal CIDR/),
    ]);
  });

  it("refuses a CIDR with host bits and an empty worker list", () => {
    const make = (cidr: string, sgs: string[]) => () =>
      synthConstruct((s) => void new NodeAccessRules(s, "r", { targetPorts: targets, targetSecurityGroups: Object.fromEntries(sgs.map((g) => [g, g])), from: { cidrs: [cidr] } }));
    expect(problemsOf(make("10.0.0.1/16", ["sg-w"]))).toEqual(["from.cidrs: has host bits set; the network address for /16 is 10.0.0.0/16"]);
    expect(problemsOf(make("10.0.0.0/16", []))).toEqual(["targetSecurityGroups: at least one worker security group is needed"]);
  });
});
