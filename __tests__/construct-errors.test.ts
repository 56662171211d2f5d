/** Construct-level checks for people composing the constructs directly, and the NLB's own security group. */
import type { Construct } from "constructs";
import { NlbSecurityGroup } from "../modules/aws/nlb-security-group";
import { NodeAccessRules } from "../modules/aws/node-access";
import { TargetRegistration, type TargetSource } from "../modules/aws/targets";
import { ConfigError } from "../modules/core/errors";
import { AddressRecords, GlobalAddresses } from "../modules/gcp/address-dns";
import { FrontEndFirewall } from "../modules/gcp/firewall";
import { contract } from "./helpers/fixtures";
import { resources, synthConstruct } from "./helpers/synth";

function problemsOf(build: (s: Construct) => void): string[] {
  try {
    synthConstruct(build);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.env}: ${p.path}: ${p.message}`);
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const groups = { http: { arn: "arn:tg:http", port: 30080 } };
const targets = (source: TargetSource) => (s: Construct) => void new TargetRegistration(s, "targets", { targetGroups: groups, vpcCidrs: ["10.0.0.0/16"], source });

describe("NlbSecurityGroup", () => {
  const json = synthConstruct((s) => void new NlbSecurityGroup(s, "sg", { name: "t-nlb", vpcId: "vpc-1", clientCidrs: ["0.0.0.0/0"], vpcCidrs: ["10.0.0.0/16"], targetPorts: contract().targets("node") }));

  it("admits clients on the listener ports only", () => {
    const ingress = Object.values(resources(json, "aws_vpc_security_group_ingress_rule"));
    expect(ingress.map((r) => [r.from_port, r.to_port, r.cidr_ipv4]).sort()).toEqual([[443, 443, "0.0.0.0/0"], [80, 80, "0.0.0.0/0"]]);
  });

  it("lets the NLB out to the VPC on the traffic and health ports only (a new group has no egress)", () => {
    const egress = Object.values(resources(json, "aws_vpc_security_group_egress_rule"));
    expect(egress.map((r) => [r.from_port, r.cidr_ipv4]).sort()).toEqual([[30080, "10.0.0.0/16"], [30200, "10.0.0.0/16"], [30443, "10.0.0.0/16"]]);
  });

  it("refuses no client CIDRs and a malformed one", () => {
    const make = (clientCidrs: string[]) => (s: Construct) => void new NlbSecurityGroup(s, "sg", { name: "t", vpcId: "vpc-1", clientCidrs, vpcCidrs: ["10.0.0.0/16"], targetPorts: contract().targets("node") });
    expect(problemsOf(make([]))).toEqual(["test/sg: clientCidrs: needs at least one CIDR; an NLB security group with no ingress admits nobody"]);
    expect(problemsOf(make(["0.0.0.0"]))).toEqual(["test/sg: clientCidrs.0: must be an IPv4 CIDR block such as 10.0.0.0/16"]);
  });
});

describe("TargetRegistration checks", () => {
  it.each<[TargetSource, string]>([
    [{ mode: "discover", tagKey: " ", tagValues: ["n"], vpcId: "vpc-1" }, "test/targets: source.tagKey: must name the tag that marks worker instances"],
    [{ mode: "discover", tagKey: "Name", tagValues: [], vpcId: "vpc-1" }, "test/targets: source.tagValues: needs at least one tag value"],
    [{ mode: "static", ips: [] }, "test/targets: source.ips: needs at least one IP"],
    [{ mode: "static", ips: ["10.0.0.5", "10.0.0.5"] }, "test/targets: source.ips.1: is listed twice"],
  ])("%j", (source, message) => {
    expect(problemsOf(targets(source))).toEqual([message]);
  });
});

describe("other construct checks", () => {
  it("NodeAccessRules needs a source", () => {
    expect(problemsOf((s) => void new NodeAccessRules(s, "rules", { targetPorts: contract().targets("node"), targetSecurityGroups: { w: "sg-w" }, from: { securityGroups: {} } }))).toEqual([
      "test/rules: from: at least one source (NLB security group or VPC CIDR) is needed",
    ]);
  });

  it("GlobalAddresses refuses an invalid address name (once); AddressRecords an invalid hostname", () => {
    expect(problemsOf((s) => void new GlobalAddresses(s, "a", { name: "Prod_IP", ipv6: true }))).toEqual(["test/a: name: must match [a-z]([-a-z0-9]*[a-z0-9])? and be at most 63 characters"]);
    expect(problemsOf((s) => void new AddressRecords(s, "a", { zone: "z", hostnames: ["bad_host.example.com"], addresses: { v4: "1.2.3.4" } }))).toEqual([
      'test/a: hostnames.0: must be a lowercase DNS name such as "app.example.com" or a wildcard "*.example.com"; label "bad_host" is not valid',
    ]);
  });

  it("GlobalAddresses checks the IPv6 name's length only with IPv6", () => {
    const name = `a${"b".repeat(61)}`;
    expect(() => synthConstruct((s) => void new GlobalAddresses(s, "a", { name }))).not.toThrow();
    expect(problemsOf((s) => void new GlobalAddresses(s, "a", { name, ipv6: true }))).toEqual(["test/a: name: must match [a-z]([-a-z0-9]*[a-z0-9])? and be at most 63 characters"]);
  });

  it("FrontEndFirewall needs node tags or service accounts", () => {
    expect(problemsOf((s) => void new FrontEndFirewall(s, "fw", { name: "fw", network: "default", project: "p-123456", contract: contract(), targets: { tags: [] } }))).toEqual([
      "test/fw: targets: name at least one node network tag or service account",
    ]);
  });
});
