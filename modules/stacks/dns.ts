/**
 * `<env>-dns`: the hostnames steered between the AWS and GCP edges (dns.steering failover or
 * weighted) in the Route 53 zone of aws.dns, each edge behind a Route 53 health check. It reads
 * both edges by name (the NLB's DNS name and zone, Google's global address) and applies after
 * them, so a name is published once both edges exist.
 */
import type { Construct } from "constructs";
import { DataAwsLb } from "@cdktf/provider-aws/lib/data-aws-lb";
import { GoogleProvider } from "@cdktf/provider-google/lib/provider";
import { HostedZone, SteeredRecords } from "../aws/route53";
import { TerraformOutput, TerraformStack } from "../core/cdktf";
import { GlobalAddressLookup } from "../gcp/address-dns";
import type { DnsPlan } from "../plan";
import { awsStackBase } from "./aws";

export interface DnsStackProps {
  readonly plan: DnsPlan;
  /** The stacks of both edges: this one applies after them. */
  readonly after: readonly TerraformStack[];
}

export class DnsStack extends TerraformStack {
  public readonly records: SteeredRecords;

  constructor(scope: Construct, id: string, props: DnsStackProps) {
    super(scope, id);
    const plan = props.plan;
    awsStackBase(this, id, plan.aws);
    // Google's provider only reads the address; it labels nothing here.
    new GoogleProvider(this, "google", { project: plan.gcp.project });
    for (const s of props.after) this.addDependency(s);

    const zone = new HostedZone(this, "zone", { zone: plan.zone });
    const nlb = new DataAwsLb(this, "nlb", { name: plan.nlbName });
    const address = new GlobalAddressLookup(this, "address", plan.addresses).addresses.v4;
    if (!address) throw new Error(`${id}: the environment has no global IPv4 address to steer to`);
    this.records = new SteeredRecords(this, "steering", { ...plan.records, zoneId: zone.zoneId, aws: { dnsName: nlb.dnsName, zoneId: nlb.zoneId }, gcp: { address: address.address } });

    new TerraformOutput(this, "health_check_ids", {
      value: { aws: this.records.healthChecks.aws.id, gcp: this.records.healthChecks.gcp.id },
      description: "Route 53 health checks of the AWS and GCP edges.",
    });
  }
}
