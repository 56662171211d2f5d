/**
 * The firewall rule that admits Google's front ends and health checkers, and nothing else, to
 * the ports NEG endpoints serve on: the controller pod ports of the NEG entry points and its
 * health port. GFE proxy traffic and health checks come from the same ranges (GCP "Firewall
 * rules" for global external load balancers), so one rule covers both.
 */
import { Construct } from "constructs";
import { ComputeFirewall } from "@cdktf/provider-google/lib/compute-firewall";
import { negEntryPoints, type PortContract } from "../model/contract";
import { failIfAny, type FieldProblem } from "../core/errors";
import { GOOGLE_FRONT_END_RANGES } from "../model/front-end-ranges";

export interface FrontEndFirewallProps {
  readonly name: string;
  readonly network: string;
  readonly project: string;
  readonly contract: PortContract;
  /** The GKE nodes: network tags or node service accounts (not both). */
  readonly targets: { readonly tags: readonly string[] } | { readonly serviceAccounts: readonly string[] };
}

/** Ports the firewall opens: NEG endpoint ports plus the health port, ascending. */
export function frontEndPorts(contract: PortContract): number[] {
  const neg = new Set(negEntryPoints(contract).map((e) => e.name));
  const ports = contract.targets("pod").filter((t) => neg.has(t.entry.name)).flatMap((t) => [t.trafficPort, t.healthPort]);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function frontEndFirewallProblems(props: FrontEndFirewallProps): FieldProblem[] {
  const t = props.targets;
  const list = "tags" in t ? t.tags : t.serviceAccounts;
  return list.length === 0 ? [{ path: "targets", value: t, message: "name at least one node network tag or service account" }] : [];
}

export class FrontEndFirewall extends Construct {
  public readonly firewall: ComputeFirewall;
  public readonly ports: readonly number[];

  constructor(scope: Construct, id: string, props: FrontEndFirewallProps) {
    super(scope, id);
    failIfAny(this.node.path, frontEndFirewallProblems(props));
    const t = props.targets;
    this.ports = frontEndPorts(props.contract);
    this.firewall = new ComputeFirewall(this, "gfe", {
      name: props.name,
      network: props.network,
      project: props.project,
      description: "gatehouse: Google front ends and health checks to the ingress controller pods",
      direction: "INGRESS",
      priority: 1000,
      sourceRanges: [...GOOGLE_FRONT_END_RANGES],
      allow: [{ protocol: "tcp", ports: this.ports.map(String) }],
      targetTags: "tags" in t ? [...t.tags] : undefined,
      targetServiceAccounts: "serviceAccounts" in t ? [...t.serviceAccounts] : undefined,
    });
  }
}
