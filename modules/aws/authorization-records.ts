/**
 * Records another service asks for in a Route 53 zone to prove control of a domain: Google
 * Certificate Manager's DNS authorizations, when the hostnames' zone is in Route 53 (aws.dns). The
 * record's name, type and value are the service's own (references); each is keyed by its domain.
 */
import { Construct } from "constructs";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { isToken } from "../core/cdktf";
import { failIfAny, type FieldProblem } from "../core/errors";
import { hostKey } from "../core/naming";
import * as rules from "../core/rules";
import { DNS_RECORD_TTL } from "../model/defaults";

export interface AuthorizationRecordsProps {
  /** The hosted zone the records go into (a literal id or a reference). */
  readonly zoneId: string;
  /** The records, keyed by the domain each proves (a literal: it names the record's construct id). */
  readonly records: Readonly<Record<string, { readonly name: string; readonly type: string; readonly data: string }>>;
  /** @default DNS_RECORD_TTL (300) */
  readonly ttl?: number;
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function authorizationRecordsProblems(props: AuthorizationRecordsProps): FieldProblem[] {
  const out: FieldProblem[] = [];
  const keys = new Map<string, string>();
  for (const domain of Object.keys(props.records)) {
    const bad = isToken(domain) ? "must be a literal domain: it names the record's Terraform address" : rules.hostname(domain, false);
    if (bad) out.push({ path: `records.${domain}`, value: domain, message: bad });
    const other = keys.get(hostKey(domain));
    if (other !== undefined) out.push({ path: `records.${domain}`, value: domain, message: `maps to the same Terraform address as "${other}"` });
    keys.set(hostKey(domain), domain);
  }
  return out;
}

export class AuthorizationRecords extends Construct {
  /** Keyed by domain. */
  public readonly records: Readonly<Record<string, Route53Record>>;

  constructor(scope: Construct, id: string, props: AuthorizationRecordsProps) {
    super(scope, id);
    failIfAny(this.node.path, authorizationRecordsProblems(props));
    const ttl = props.ttl ?? DNS_RECORD_TTL;
    this.records = Object.fromEntries(
      Object.entries(props.records).map(([domain, r]) => [domain, new Route53Record(this, `auth-record-${hostKey(domain)}`, { zoneId: props.zoneId, name: r.name, type: r.type, ttl, records: [r.data] })]),
    );
  }
}
