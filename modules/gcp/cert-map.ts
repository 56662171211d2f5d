/**
 * Certificate Manager with DNS authorization: one authorization per base domain (it covers the
 * domain and its wildcard), its CNAME written into the zone from the authorization's own
 * `dns_resource_record`, one Google-managed certificate over all hostnames, a certificate map,
 * an entry per hostname and a PRIMARY entry for clients that send no SNI.
 *
 * DNS authorization lets the certificate be issued before traffic reaches the load balancer and
 * allows wildcards, unlike load-balancer authorization.
 */
import { Construct } from "constructs";
import { CertificateManagerCertificate } from "@cdktf/provider-google/lib/certificate-manager-certificate";
import { CertificateManagerCertificateMap } from "@cdktf/provider-google/lib/certificate-manager-certificate-map";
import { CertificateManagerCertificateMapEntry } from "@cdktf/provider-google/lib/certificate-manager-certificate-map-entry";
import { CertificateManagerDnsAuthorization } from "@cdktf/provider-google/lib/certificate-manager-dns-authorization";
import { DnsRecordSet } from "@cdktf/provider-google/lib/dns-record-set";
import { gcpChildName, hostKey } from "../naming";

export interface CertMapProps {
  /** Prefix of every name made here. */
  readonly namePrefix: string;
  /** Hostnames on the certificate; `*.example.com` allowed. At most 100 (managed cert limit). */
  readonly hostnames: readonly string[];
  /** Managed zone (name) the authorization records go into. */
  readonly zone: string;
}

/** `*.a.example.com` and `a.example.com` share the authorization of `a.example.com`. */
export function authorizationDomains(hostnames: readonly string[]): string[] {
  return [...new Set(hostnames.map((h) => h.replace(/^\*\./, "")))].sort();
}

export class CertMap extends Construct {
  public readonly authorizations: Readonly<Record<string, CertificateManagerDnsAuthorization>>;
  public readonly certificate: CertificateManagerCertificate;
  public readonly map: CertificateManagerCertificateMap;
  public readonly entries: Readonly<Record<string, CertificateManagerCertificateMapEntry>>;
  /** The map as target proxies take it: `//certificatemanager.googleapis.com/<map id>`. */
  public readonly mapReference: string;

  constructor(scope: Construct, id: string, props: CertMapProps) {
    super(scope, id);
    const auths: Record<string, CertificateManagerDnsAuthorization> = {};
    for (const domain of authorizationDomains(props.hostnames)) {
      const auth = new CertificateManagerDnsAuthorization(this, `auth-${hostKey(domain)}`, {
        name: gcpChildName(props.namePrefix, [domain], 63),
        domain,
        description: `gatehouse: DNS authorization for ${domain}`,
      });
      const rr = auth.dnsResourceRecord.get(0);
      new DnsRecordSet(this, `auth-record-${hostKey(domain)}`, { managedZone: props.zone, name: rr.name, type: rr.type, ttl: 300, rrdatas: [rr.data] });
      auths[domain] = auth;
    }
    this.authorizations = auths;

    this.certificate = new CertificateManagerCertificate(this, "certificate", {
      name: gcpChildName(props.namePrefix, ["cert"]),
      scope: "DEFAULT",
      managed: { domains: [...props.hostnames], dnsAuthorizations: Object.values(auths).map((a) => a.id) },
    });
    this.map = new CertificateManagerCertificateMap(this, "map", { name: gcpChildName(props.namePrefix, ["map"]) });
    const entries: Record<string, CertificateManagerCertificateMapEntry> = {};
    for (const host of props.hostnames) {
      entries[host] = new CertificateManagerCertificateMapEntry(this, `entry-${hostKey(host)}`, {
        name: gcpChildName(props.namePrefix, [hostKey(host)]),
        // The entry's `map` is the map's name, not its id.
        map: this.map.name,
        certificates: [this.certificate.id],
        hostname: host,
      });
    }
    entries.PRIMARY = new CertificateManagerCertificateMapEntry(this, "entry-primary", {
      name: gcpChildName(props.namePrefix, ["primary"]),
      map: this.map.name,
      certificates: [this.certificate.id],
      matcher: "PRIMARY",
    });
    this.entries = entries;
    this.mapReference = `//certificatemanager.googleapis.com/${this.map.id}`;
  }
}
