/**
 * Certificate Manager with DNS authorization: one authorization per base domain (it covers the
 * domain and its wildcard), its CNAME written into the zone from the authorization's own
 * `dns_resource_record`, Google-managed certificates over the hostnames (one per 100, the most a
 * managed certificate takes), a certificate map, an entry per hostname pointing at the
 * certificate that holds it and a PRIMARY entry (the first certificate) for clients that send no
 * SNI. Up to 100 hostnames make one certificate, `<prefix>--cert`; the 101st starts
 * `<prefix>--cert-2` and leaves the first one in place.
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
import { gcpChildName, hostKey } from "../core/naming";
import { DNS_RECORD_TTL } from "../model/defaults";

export interface CertMapProps {
  /** Prefix of every name made here. */
  readonly namePrefix: string;
  /** Hostnames on the certificates; `*.example.com` allowed. Split 100 per certificate, in order. */
  readonly hostnames: readonly string[];
  /**
   * Cloud DNS managed zone (name) the authorization records go into. Without it the map writes no
   * records: another zone (Route 53) takes `authorizationRecords`.
   */
  readonly zone?: string;
}

/** A DNS authorization's record, as the authorization gives it (a CNAME, the name fully qualified). */
export interface AuthorizationRecord {
  readonly name: string;
  readonly type: string;
  readonly data: string;
}

/** `*.a.example.com` and `a.example.com` share the authorization of `a.example.com`. */
export function authorizationDomains(hostnames: readonly string[]): string[] {
  return [...new Set(hostnames.map((h) => h.replace(/^\*\./, "")))].sort();
}

/** Domains per Google-managed certificate (Certificate Manager quotas). */
export const MANAGED_CERT_MAX_DOMAINS = 100;

/** The hostnames in groups of at most 100, in the order given: one managed certificate each. */
export function certificateGroups(hostnames: readonly string[]): string[][] {
  const groups: string[][] = [];
  for (let i = 0; i < hostnames.length; i += MANAGED_CERT_MAX_DOMAINS) groups.push(hostnames.slice(i, i + MANAGED_CERT_MAX_DOMAINS));
  return groups;
}

/**
 * The construct id of a domain's DNS authorization, `auth-<key>`, beside the records'
 * `auth-record-<key>`: the authorization of `record.example.com` would take the id of the record
 * of `example.com`. When that record is there too, the authorization gets `auth_<key>` instead;
 * hostKey never makes `_`, so no other id can be that. Only a certificate map that could not be
 * built before gets a new id: every other keeps the ids it always had (a renamed authorization
 * would be replaced, and with it the certificate).
 */
export function authorizationId(domain: string, domains: readonly string[]): string {
  const key = hostKey(domain);
  const takesRecordId = key.startsWith("record-") && domains.some((d) => `record-${hostKey(d)}` === key);
  return takesRecordId ? `auth_${key}` : `auth-${key}`;
}

export class CertMap extends Construct {
  public readonly authorizations: Readonly<Record<string, CertificateManagerDnsAuthorization>>;
  /** Each authorization's record, keyed by its domain. */
  public readonly authorizationRecords: Readonly<Record<string, AuthorizationRecord>>;
  /** The first certificate (the PRIMARY entry's). */
  public readonly certificate: CertificateManagerCertificate;
  /** Every certificate, 100 hostnames each, in hostname order. */
  public readonly certificates: readonly CertificateManagerCertificate[];
  public readonly map: CertificateManagerCertificateMap;
  public readonly entries: Readonly<Record<string, CertificateManagerCertificateMapEntry>>;
  /** The map as target proxies take it: `//certificatemanager.googleapis.com/<map id>`. */
  public readonly mapReference: string;

  constructor(scope: Construct, id: string, props: CertMapProps) {
    super(scope, id);
    const auths: Record<string, CertificateManagerDnsAuthorization> = {};
    const records: Record<string, AuthorizationRecord> = {};
    const domains = authorizationDomains(props.hostnames);
    for (const domain of domains) {
      const auth = new CertificateManagerDnsAuthorization(this, authorizationId(domain, domains), {
        name: gcpChildName(props.namePrefix, [domain], 63),
        domain,
        description: `gatehouse: DNS authorization for ${domain}`,
      });
      const rr = auth.dnsResourceRecord.get(0);
      records[domain] = { name: rr.name, type: rr.type, data: rr.data };
      if (props.zone !== undefined) new DnsRecordSet(this, `auth-record-${hostKey(domain)}`, { managedZone: props.zone, name: rr.name, type: rr.type, ttl: DNS_RECORD_TTL, rrdatas: [rr.data] });
      auths[domain] = auth;
    }
    this.authorizations = auths;
    this.authorizationRecords = records;

    // The first certificate keeps the id and name it had before hostnames were split, so going
    // past 100 hostnames adds certificates and replaces none.
    const holder = new Map<string, CertificateManagerCertificate>();
    this.certificates = certificateGroups(props.hostnames).map((hosts, i) => {
      const suffix = i === 0 ? "" : `-${i + 1}`;
      const domains = new Set(authorizationDomains(hosts));
      const cert = new CertificateManagerCertificate(this, `certificate${suffix}`, {
        name: gcpChildName(props.namePrefix, [`cert${suffix}`]),
        scope: "DEFAULT",
        managed: { domains: [...hosts], dnsAuthorizations: Object.entries(auths).filter(([d]) => domains.has(d)).map(([, a]) => a.id) },
      });
      for (const h of hosts) holder.set(h, cert);
      return cert;
    });
    const first = this.certificates[0];
    if (!first) throw new Error(`${this.node.path}: a certificate map needs at least one hostname`);
    this.certificate = first;
    this.map = new CertificateManagerCertificateMap(this, "map", { name: gcpChildName(props.namePrefix, ["map"]) });
    const entries: Record<string, CertificateManagerCertificateMapEntry> = {};
    for (const host of props.hostnames) {
      entries[host] = new CertificateManagerCertificateMapEntry(this, `entry-${hostKey(host)}`, {
        name: gcpChildName(props.namePrefix, [hostKey(host)]),
        // The entry's `map` is the map's name, not its id.
        map: this.map.name,
        certificates: [(holder.get(host) ?? first).id],
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
