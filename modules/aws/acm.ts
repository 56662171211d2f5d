/**
 * An ACM certificate for the AWS edge's hostnames, validated by DNS in a Route 53 zone.
 *
 * ACM asks for one CNAME per name, known only once the certificate is requested: the records are
 * made with `for_each` over the certificate's `domain_validation_options`, keyed by domain name.
 * `example.com` and `*.example.com` are validated by the same record, so the records may
 * overwrite each other. The listeners take the ARN through `aws_acm_certificate_validation`, which
 * completes when the certificate is issued: no listener is given a certificate that is still
 * pending. ACM renews a DNS-validated certificate by itself as long as the CNAMEs stay.
 */
import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { isToken, TerraformIterator, Token } from "../core/cdktf";
import { failIfAny, type Check, type FieldProblem } from "../core/errors";
import * as rules from "../core/rules";
import { ACM_DEFAULTS, ACM_KEY_ALGORITHMS, ACM_LIMITS } from "../model/defaults";

export type AcmKeyAlgorithm = (typeof ACM_KEY_ALGORITHMS)[number];

export interface DnsValidatedCertificateProps {
  /** The first is the certificate's domain name (its Common Name), the rest its alternative names; wildcards allowed. */
  readonly hostnames: readonly string[];
  /** The Route 53 zone the validation CNAMEs go into (a literal id or a reference). */
  readonly zoneId: string;
  /** @default ACM_DEFAULTS.keyAlgorithm ("RSA_2048": the widest client support) */
  readonly keyAlgorithm?: AcmKeyAlgorithm;
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * ACM's rules for the names of a requested certificate (API_RequestCertificate, ACM quotas):
 * at most 10 names by default, the first (the Common Name) at most 64 characters, every name at
 * most 253, and "*" only as the whole leftmost label (a wildcard covers one label).
 * https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html
 * https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate-characteristics.html
 */
function nameProblem(name: string, index: number): Check {
  if (isToken(name)) return "must be a literal name, not a Terraform reference: the validation records are keyed by it";
  if (name.length > ACM_LIMITS.nameLength) return `is ${name.length} characters; ACM takes names of at most ${ACM_LIMITS.nameLength}`;
  if (name.includes("*") && !(name.startsWith("*.") && name.indexOf("*", 1) < 0))
    return 'ACM takes "*" only as the whole leftmost label ("*.example.com"); a wildcard covers names one label below it';
  const bad = rules.hostname(name, true);
  if (bad) return bad;
  if (index === 0 && name.length > ACM_LIMITS.firstNameLength)
    return `is ${name.length} characters; the first name becomes the certificate's Common Name, which ACM limits to ${ACM_LIMITS.firstNameLength}: put a shorter name first (longer names fit as alternative names)`;
  return undefined;
}

/** What is wrong with these props, at their prop paths; empty when nothing is. */
export function dnsValidatedCertificateProblems(props: DnsValidatedCertificateProps): FieldProblem[] {
  const names = props.hostnames;
  const out: FieldProblem[] = [];
  if (names.length === 0) out.push({ path: "hostnames", value: [], message: "needs at least one name: the first becomes the certificate's domain name" });
  if (names.length > ACM_LIMITS.namesPerCertificate)
    out.push({
      path: "hostnames",
      value: names,
      message:
        `${names.length} names; an ACM certificate takes at most ${ACM_LIMITS.namesPerCertificate} (the domain name and its alternative names together). ` +
        "AWS can raise that quota per account, but gatehouse keeps to the default so the certificate can be issued in any account: " +
        'use fewer names, or a wildcard ("*.example.com" covers every name one label below example.com)',
    });
  names.forEach((name, i) => {
    const m = nameProblem(name, i);
    if (m) out.push({ path: `hostnames.${i}`, value: name, message: m });
  });
  for (const { index, first } of rules.repeats(names, (n) => n.toLowerCase()))
    out.push({ path: `hostnames.${index}`, value: names[index], message: `repeats hostnames.${first} (names compare case-insensitively): a certificate names each domain once` });
  const zone = rules.route53ZoneId(props.zoneId);
  if (zone) out.push({ path: "zoneId", value: props.zoneId, message: zone });
  if (props.keyAlgorithm !== undefined && !(ACM_KEY_ALGORITHMS as readonly string[]).includes(props.keyAlgorithm))
    out.push({
      path: "keyAlgorithm",
      value: props.keyAlgorithm,
      message: `must be one of ${ACM_KEY_ALGORITHMS.join(", ")}: the key algorithms ACM issues certificates with (the others are for imported certificates)`,
    });
  return out;
}

export class DnsValidatedCertificate extends Construct {
  public readonly certificate: AcmCertificate;
  /** One CNAME per validation record ACM asks for (`for_each` over the certificate's domain_validation_options). */
  public readonly validationRecords: Route53Record;
  public readonly validation: AcmCertificateValidation;
  /** The ARN to give listeners: the validation's, so a listener waits until the certificate is issued. */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    failIfAny(this.node.path, dnsValidatedCertificateProblems(props));
    const [domainName, ...alternatives] = props.hostnames;
    this.certificate = new AcmCertificate(this, "certificate", {
      domainName,
      subjectAlternativeNames: alternatives.length > 0 ? alternatives : undefined,
      validationMethod: "DNS",
      keyAlgorithm: props.keyAlgorithm ?? ACM_DEFAULTS.keyAlgorithm,
      tags: props.tags,
      // A change of names replaces the certificate: the new one is issued before the listeners let go of the old.
      lifecycle: { createBeforeDestroy: true },
    });

    const options = TerraformIterator.fromComplexList(this.certificate.domainValidationOptions, "domain_name");
    this.validationRecords = new Route53Record(this, "validation-record", {
      forEach: options,
      zoneId: props.zoneId,
      name: options.getString("resource_record_name"),
      type: options.getString("resource_record_type"),
      records: [options.getString("resource_record_value")],
      ttl: ACM_DEFAULTS.validationRecordTtl,
      // A name and its wildcard share one validation record.
      allowOverwrite: true,
    });

    this.validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: this.certificate.arn,
      validationRecordFqdns: Token.asList(TerraformIterator.fromResources(this.validationRecords).pluckProperty("fqdn")),
    });
    this.certificateArn = this.validation.certificateArn;
  }
}
