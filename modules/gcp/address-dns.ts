/**
 * The global external IP (and optional IPv6 pair), and its Cloud DNS records in an existing
 * managed zone. The IP is global and fixed: clusters and regions behind it can change without a
 * DNS change.
 *
 * The addresses live in a stack of their own that applies first: the cluster stacks need them
 * (the controller trusts the forwarding rules' address in X-Forwarded-For) and the edge stack
 * points DNS and the forwarding rules at them. Both read them by name.
 */
import { Construct } from "constructs";
import { ComputeGlobalAddress } from "@cdktf/provider-google/lib/compute-global-address";
import { DataGoogleComputeGlobalAddress } from "@cdktf/provider-google/lib/data-google-compute-global-address";
import { DataGoogleDnsManagedZone } from "@cdktf/provider-google/lib/data-google-dns-managed-zone";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { failIfAny, type FieldProblem } from "../core/errors";
import { hostKey } from "../core/naming";
import * as rules from "../core/rules";
import { DNS_RECORD_TTL } from "../model/defaults";

export interface GlobalAddressesProps {
  /** Address name (IPv6 gets `-v6`). */
  readonly name: string;
  /** Reserve an IPv6 address too. @default false */
  readonly ipv6?: boolean;
  readonly project?: string;
}

/** Names of the addresses `GlobalAddresses` reserves, keyed "v4" / "v6". */
export function globalAddressNames(props: GlobalAddressesProps): Record<string, string> {
  return props.ipv6 ? { v4: props.name, v6: `${props.name}-v6` } : { v4: props.name };
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function globalAddressesProblems(props: GlobalAddressesProps): FieldProblem[] {
  return Object.values(globalAddressNames(props))
    .flatMap((n) => (rules.gcpName(n) ? [{ path: "name", value: n, message: rules.gcpName(n) ?? "" }] : []))
    .slice(0, 1);
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function addressRecordsProblems(props: Pick<AddressRecordsProps, "hostnames">): FieldProblem[] {
  return props.hostnames.flatMap((h, i) => (rules.hostname(h, true) ? [{ path: `hostnames.${i}`, value: h, message: rules.hostname(h, true) ?? "" }] : []));
}

/** Reserves the global addresses. */
export class GlobalAddresses extends Construct {
  /** Keyed "v4" / "v6". */
  public readonly addresses: Readonly<Record<string, ComputeGlobalAddress>>;

  constructor(scope: Construct, id: string, props: GlobalAddressesProps) {
    super(scope, id);
    const names = globalAddressNames(props);
    failIfAny(this.node.path, globalAddressesProblems(props));
    this.addresses = Object.fromEntries(
      Object.entries(names).map(([key, name]) => [
        key,
        new ComputeGlobalAddress(this, key === "v4" ? "ipv4" : "ipv6", { name, project: props.project, addressType: "EXTERNAL", ipVersion: key === "v4" ? "IPV4" : "IPV6" }),
      ]),
    );
  }
}

/** Looks the reserved addresses up by name, from a stack that applies after them. */
export class GlobalAddressLookup extends Construct {
  /** Keyed "v4" / "v6". */
  public readonly addresses: Readonly<Record<string, DataGoogleComputeGlobalAddress>>;

  constructor(scope: Construct, id: string, props: GlobalAddressesProps) {
    super(scope, id);
    this.addresses = Object.fromEntries(Object.entries(globalAddressNames(props)).map(([key, name]) => [key, new DataGoogleComputeGlobalAddress(this, key, { name, project: props.project })]));
  }
}

export interface AddressRecordsProps {
  /** Name of the existing managed zone. */
  readonly zone: string;
  /** Hostnames that resolve to the addresses; wildcards allowed. */
  readonly hostnames: readonly string[];
  /** The IPv4 address, and the IPv6 one for AAAA records. */
  readonly addresses: { readonly v4: string; readonly v6?: string };
  /** @default 300 */
  readonly ttl?: number;
}

/** A and AAAA records for every hostname in an existing managed zone. */
export class AddressRecords extends Construct {
  public readonly zone: DataGoogleDnsManagedZone;
  public readonly records: Readonly<Record<string, DnsRecordSet>>;

  constructor(scope: Construct, id: string, props: AddressRecordsProps) {
    super(scope, id);
    failIfAny(this.node.path, addressRecordsProblems(props));
    const ttl = props.ttl ?? DNS_RECORD_TTL;
    this.zone = new DataGoogleDnsManagedZone(this, "zone", { name: props.zone });
    const records: Record<string, DnsRecordSet> = {};
    for (const host of props.hostnames) {
      // Cloud DNS record names are fully qualified: the provider rejects a name without the dot.
      records[`${host}/A`] = new DnsRecordSet(this, `a-${hostKey(host)}`, { managedZone: this.zone.name, name: `${host}.`, type: "A", ttl, rrdatas: [props.addresses.v4] });
      if (props.addresses.v6 !== undefined)
        records[`${host}/AAAA`] = new DnsRecordSet(this, `aaaa-${hostKey(host)}`, { managedZone: this.zone.name, name: `${host}.`, type: "AAAA", ttl, rrdatas: [props.addresses.v6] });
    }
    this.records = records;
  }
}
