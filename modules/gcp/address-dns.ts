/**
 * The global external IP (and optional IPv6 pair) and its Cloud DNS records in an existing
 * managed zone. The IP is global and fixed: clusters and regions behind it can change without a
 * DNS change.
 */
import { Construct } from "constructs";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { DataGoogleDnsManagedZone } from "@cdktf/provider-google/lib/data-google-dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { failIfAny } from "../errors";
import { hostKey } from "../naming";
import * as rules from "../rules";

export interface GlobalAddressDnsProps {
  /** Address name (IPv6 gets `-v6`). */
  readonly name: string;
  /** Name of the existing managed zone. */
  readonly zone: string;
  /** Hostnames that resolve to the address; wildcards allowed. */
  readonly hostnames: readonly string[];
  /** Reserve an IPv6 address too and publish AAAA records. @default false */
  readonly ipv6?: boolean;
  /** @default 300 */
  readonly ttl?: number;
}

export class GlobalAddressDns extends Construct {
  public readonly zone: DataGoogleDnsManagedZone;
  public readonly address: ComputeGlobalAddress;
  public readonly addressV6?: ComputeGlobalAddress;
  public readonly records: Readonly<Record<string, DnsRecordSet>>;

  constructor(scope: Construct, id: string, props: GlobalAddressDnsProps) {
    super(scope, id);
    failIfAny(this.node.path, [
      ...[props.name, ...(props.ipv6 ? [`${props.name}-v6`] : [])].flatMap((n) => (rules.gcpName(n) ? [{ path: "name", value: n, message: rules.gcpName(n) ?? "" }] : [])).slice(0, 1),
      ...props.hostnames.flatMap((h, i) => (rules.hostname(h, true) ? [{ path: `hostnames.${i}`, value: h, message: rules.hostname(h, true) ?? "" }] : [])),
    ]);
    const ttl = props.ttl ?? 300;
    this.zone = new DataGoogleDnsManagedZone(this, "zone", { name: props.zone });
    this.address = new ComputeGlobalAddress(this, "ipv4", { name: props.name, addressType: "EXTERNAL", ipVersion: "IPV4" });
    if (props.ipv6) this.addressV6 = new ComputeGlobalAddress(this, "ipv6", { name: `${props.name}-v6`, addressType: "EXTERNAL", ipVersion: "IPV6" });
    const records: Record<string, DnsRecordSet> = {};
    for (const host of props.hostnames) {
      // Cloud DNS record names are fully qualified: the provider rejects a name without the dot.
      records[`${host}/A`] = new DnsRecordSet(this, `a-${hostKey(host)}`, { managedZone: this.zone.name, name: `${host}.`, type: "A", ttl, rrdatas: [this.address.address] });
      if (this.addressV6)
        records[`${host}/AAAA`] = new DnsRecordSet(this, `aaaa-${hostKey(host)}`, { managedZone: this.zone.name, name: `${host}.`, type: "AAAA", ttl, rrdatas: [this.addressV6.address] });
    }
    this.records = records;
  }
}
