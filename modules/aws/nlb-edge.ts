/**
 * The AWS edge: a Network Load Balancer with one TCP listener and one IP-type target group per
 * entry point of the port contract, health-checked over HTTP on the contract's health port.
 */
import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { PortContract, TargetKind, TargetPorts } from "../model/contract";
import type { FieldProblem } from "../core/errors";
import { failIfAny } from "../core/errors";
import * as rules from "../core/rules";
import { DEFAULT_IDLE_TIMEOUT, NLB_DEFAULTS } from "../model/defaults";

export interface SubnetMapping {
  readonly subnetId: string;
  /** Elastic IP allocation for a static public address (internet-facing only). */
  readonly allocationId?: string;
  /** Fixed private address (internal only). */
  readonly privateIpv4Address?: string;
}

export interface TlsAtLoadBalancer {
  /** ACM certificate of the TLS listeners (every entry point whose `tls` is `terminate`). */
  readonly certificateArn: string;
  /** @default "ELBSecurityPolicy-TLS13-1-2-2021-06" (TLS 1.3 and 1.2, forward secrecy only) */
  readonly sslPolicy?: string;
  /** ALPN policy of the TLS listener, e.g. "HTTP2Preferred". @default none */
  readonly alpnPolicy?: "HTTP1Only" | "HTTP2Only" | "HTTP2Optional" | "HTTP2Preferred" | "None";
}

export interface TargetGroupHealthCheck {
  /** @default 10 */
  readonly interval?: number;
  /** @default 6 (the AWS default for HTTP checks) */
  readonly timeout?: number;
  /** @default 3 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
  /** HTTP codes that count as healthy. @default "200" */
  readonly matcher?: string;
}

/** An entry point's NLB settings that are not part of the port contract. */
export interface NlbEntrySettings {
  /** Close open connections when a target is deregistered. @default the contract's (true for tcp entries) */
  readonly connectionTermination?: boolean;
  /** TCP listener idle timeout, seconds (60-6000); TLS listeners have it fixed. @default the contract's, else AWS's 350 */
  readonly idleTimeout?: number;
}

/** What happens to established connections when a target turns unhealthy (TCP/TLS target groups). */
export interface UnhealthyTargets {
  /** @default true (AWS's default) */
  readonly connectionTermination: boolean;
  /** Seconds connections may keep running (0-360000); only with `connectionTermination: false`. */
  readonly drainingInterval?: number;
}

export interface AccessLogs {
  /** S3 bucket in the NLB's Region. */
  readonly bucket: string;
  readonly prefix?: string;
  /** @default true */
  readonly enabled?: boolean;
}

export interface NlbEdgeProps {
  /** Ports, names and protocol choices of the cluster behind this NLB. */
  readonly contract: PortContract;
  /** Whether targets are nodes (NodePorts) or pods (container ports, TargetGroupBinding). */
  readonly targetKind: TargetKind;
  /** Load balancer name (≤ 32 characters). */
  readonly name: string;
  /** Target group name per entry point (≤ 32 characters each). */
  readonly targetGroupNames: Readonly<Record<string, string>>;
  readonly vpcId: string;
  /** @default true: an internet-facing NLB; false makes it internal. */
  readonly internetFacing?: boolean;
  /** Subnets to place the NLB in. Exactly one of `subnets` and `subnetMappings`. */
  readonly subnets?: readonly string[];
  /** Subnets with Elastic IPs or fixed private addresses. */
  readonly subnetMappings?: readonly SubnetMapping[];
  /** @default true */
  readonly deletionProtection?: boolean;
  /** Spread each AZ's traffic over targets in every AZ. @default true */
  readonly crossZone?: boolean;
  /**
   * Security groups on the NLB. AWS only attaches security groups to an NLB at creation:
   * going from none to some (or back) replaces the NLB and its DNS name. @default none
   */
  readonly securityGroupIds?: readonly string[];
  /**
   * The NLB's TLS listeners, for the contract's entry points that end TLS at the load balancer.
   * Required exactly when some entry point does. @default none
   */
  readonly tls?: TlsAtLoadBalancer;
  /**
   * Value of the `kubernetes.io/cluster/<cluster>` tag. `shared`: Terraform owns the NLB and
   * cluster cleanup tools must leave it alone. @default "shared"
   */
  readonly clusterTag?: "shared" | "owned";
  /** Seconds a deregistering target keeps its connections. @default 5 */
  readonly deregistrationDelay?: number;
  readonly healthCheck?: TargetGroupHealthCheck;
  /** Per entry point (and service) name: settings on top of the contract's. */
  readonly entrySettings?: Readonly<Record<string, NlbEntrySettings>>;
  /** target_health_state of every target group. @default AWS's (close at once) */
  readonly unhealthyTargets?: UnhealthyTargets;
  /**
   * Access logs to S3. An NLB logs TLS connections only: refused unless an entry point ends TLS
   * here. (Connection logs are an Application Load Balancer feature.) @default none
   */
  readonly accessLogs?: AccessLogs;
  /** `dns_record_client_routing_policy`. @default AWS's any_availability_zone */
  readonly dnsClientRoutingPolicy?: "any_availability_zone" | "availability_zone_affinity" | "partial_availability_zone_affinity";
  /** `enable_zonal_shift`. @default AWS's (off) */
  readonly zonalShift?: boolean;
  /** Tags on the NLB and target groups, on top of the Kubernetes ownership tags. */
  readonly tags?: Readonly<Record<string, string>>;
}

export class NlbEdge extends Construct {
  public readonly lb: Lb;
  /** Listener per entry point name. */
  public readonly listeners: Readonly<Record<string, LbListener>>;
  /** Target group per entry point name. */
  public readonly targetGroups: Readonly<Record<string, LbTargetGroup>>;
  /** Ports each target group sends traffic and health checks to. */
  public readonly targetPorts: readonly TargetPorts[];

  constructor(scope: Construct, id: string, props: NlbEdgeProps) {
    super(scope, id);
    const c = props.contract;
    const hc = { ...NLB_DEFAULTS.healthCheck, ...props.healthCheck };
    const delay = props.deregistrationDelay ?? NLB_DEFAULTS.deregistrationDelay;
    const internetFacing = props.internetFacing ?? NLB_DEFAULTS.internetFacing;
    this.targetPorts = c.targets(props.targetKind);
    failIfAny(this.node.path, nlbEdgeProblems(props));

    this.lb = new Lb(this, "nlb", {
      name: props.name,
      loadBalancerType: "network",
      internal: !internetFacing,
      subnets: props.subnets ? [...props.subnets] : undefined,
      subnetMapping: props.subnetMappings?.map((m) => ({ subnetId: m.subnetId, allocationId: m.allocationId, privateIpv4Address: m.privateIpv4Address })),
      securityGroups: props.securityGroupIds ? [...props.securityGroupIds] : undefined,
      enableCrossZoneLoadBalancing: props.crossZone ?? NLB_DEFAULTS.crossZone,
      enableDeletionProtection: props.deletionProtection ?? NLB_DEFAULTS.deletionProtection,
      dnsRecordClientRoutingPolicy: props.dnsClientRoutingPolicy,
      enableZonalShift: props.zonalShift,
      accessLogs: props.accessLogs ? { bucket: props.accessLogs.bucket, prefix: props.accessLogs.prefix, enabled: props.accessLogs.enabled ?? true } : undefined,
      tags: {
        ...props.tags,
        // The tags the in-tree and AWS Load Balancer controllers put on an NLB, so tooling that
        // looks for "the NLB of this Service" finds this one; "shared" because Terraform, not
        // the cluster, owns its lifecycle.
        [`kubernetes.io/cluster/${c.cluster}`]: props.clusterTag ?? NLB_DEFAULTS.clusterTag,
        "kubernetes.io/service-name": `${c.namespace}/${c.serviceName}`,
      },
    });

    const listeners: Record<string, LbListener> = {};
    const groups: Record<string, LbTargetGroup> = {};
    for (const t of this.targetPorts) {
      const e = t.entry;
      const settings = props.entrySettings?.[e.name];
      const idleTimeout = settings?.idleTimeout ?? e.idleTimeout;
      const unhealthy = props.unhealthyTargets;
      const group = new LbTargetGroup(this, `tg-${e.name}`, {
        name: props.targetGroupNames[e.name],
        targetType: "ip",
        protocol: "TCP",
        port: t.trafficPort,
        vpcId: props.vpcId,
        deregistrationDelay: String(delay),
        // Long-lived connections (MQTT, websockets) to a deregistered target are closed after the
        // delay, so clients reconnect to a live one instead of hanging on a drained node.
        connectionTermination: settings?.connectionTermination ?? e.connectionTermination,
        // Every group is TCP, where AWS takes the unhealthy-target settings.
        targetHealthState: unhealthy ? [{ enableUnhealthyConnectionTermination: unhealthy.connectionTermination, unhealthyDrainingInterval: unhealthy.drainingInterval }] : undefined,
        proxyProtocolV2: c.proxyProtocol,
        // IP targets see the NLB's address, not the client's: that is what lets the node
        // security group admit only the VPC or the NLB. PROXY protocol carries the client IP.
        preserveClientIp: "false",
        // The controller's readiness endpoint over HTTP; a directly reached service may use a
        // TCP check, which the provider refuses with a path or matcher.
        healthCheck: {
          enabled: true,
          protocol: t.healthProtocol,
          port: String(t.healthPort),
          path: t.healthProtocol === "HTTP" ? t.healthPath : undefined,
          matcher: t.healthProtocol === "HTTP" ? hc.matcher : undefined,
          interval: hc.interval,
          timeout: hc.timeout,
          healthyThreshold: hc.healthyThreshold,
          unhealthyThreshold: hc.unhealthyThreshold,
        },
        tags: { ...props.tags, "gatehouse/entry-point": e.name },
      });
      groups[e.name] = group;
      const tlsHere = e.tls === "terminate";
      listeners[e.name] = new LbListener(this, `listener-${e.name}`, {
        loadBalancerArn: this.lb.arn,
        port: e.listenerPort,
        protocol: tlsHere ? "TLS" : "TCP",
        certificateArn: tlsHere ? props.tls?.certificateArn : undefined,
        sslPolicy: tlsHere ? (props.tls?.sslPolicy ?? NLB_DEFAULTS.sslPolicy) : undefined,
        alpnPolicy: tlsHere ? props.tls?.alpnPolicy : undefined,
        // Only TCP listeners take an idle timeout; AWS fixes TLS listeners' at 350 s.
        tcpIdleTimeoutSeconds: !tlsHere && idleTimeout !== undefined ? idleTimeout : undefined,
        defaultAction: [{ type: "forward", targetGroupArn: group.arn }],
        tags: props.tags ? { ...props.tags } : undefined,
      });
    }
    this.listeners = listeners;
    this.targetGroups = groups;
  }
}

/**
 * What is wrong with these props, each at its prop path; empty when nothing is. The one statement
 * of the NLB's rules: the constructor refuses what it reports, and the plan runs it on the props
 * it builds, each path mapped to the environment field it came from.
 */
export function nlbEdgeProblems(props: NlbEdgeProps): FieldProblem[] {
  const hc = { ...NLB_DEFAULTS.healthCheck, ...props.healthCheck };
  const delay = props.deregistrationDelay ?? NLB_DEFAULTS.deregistrationDelay;
  const internetFacing = props.internetFacing ?? NLB_DEFAULTS.internetFacing;
  const out: FieldProblem[] = [];
  const add = (path: string, value: unknown, message: string | undefined) => {
    if (message) out.push({ path, value, message });
  };
  add("name", props.name, rules.awsElbName(props.name, "load balancer"));
  const listeners = props.contract.entryPoints.length + props.contract.services.length;
  add("contract", listeners, rules.nlbListenerCount(listeners));
  for (const e of [...props.contract.entryPoints, ...props.contract.services]) {
    const tg = props.targetGroupNames[e.name];
    if (tg === undefined) add(`targetGroupNames.${e.name}`, tg, "every entry point needs a target group name");
    else add(`targetGroupNames.${e.name}`, tg, rules.awsElbName(tg, "target group"));
  }
  add("subnets", props.subnets, rules.exactlyOneOf(props.subnets, props.subnetMappings, "subnets", "subnetMappings"));
  const subnetCount = props.subnets?.length ?? props.subnetMappings?.length ?? 0;
  if (subnetCount === 0 && (props.subnets || props.subnetMappings)) add("subnets", [], "an NLB needs at least one subnet");
  props.subnetMappings?.forEach((m, i) => {
    if (m.allocationId && !internetFacing) add(`subnetMappings.${i}.allocationId`, m.allocationId, "Elastic IPs only apply to an internet-facing NLB");
    if (m.privateIpv4Address && internetFacing) add(`subnetMappings.${i}.privateIpv4Address`, m.privateIpv4Address, "fixed private addresses only apply to an internal NLB (internetFacing: false)");
  });
  add("deregistrationDelay", delay, rules.deregistrationDelay(delay));
  for (const p of rules.nlbHealthCheck({ protocol: "HTTP", path: props.contract.health.path, ...hc })) add(`healthCheck.${p.field}`, p.value, p.message);
  if (props.tls) {
    add("tls.certificateArn", props.tls.certificateArn, rules.certificateArn(props.tls.certificateArn));
    if (props.tls.sslPolicy !== undefined) add("tls.sslPolicy", props.tls.sslPolicy, rules.elbSslPolicy(props.tls.sslPolicy));
  }
  const ending = props.contract.entryPoints.filter((e) => e.tls === "terminate").map((e) => e.name);
  if (ending.length > 0 && props.tls === undefined)
    add("tls.certificateArn", undefined, `is required: entry point${ending.length === 1 ? "" : "s"} ${ending.join(", ")} ${ending.length === 1 ? "ends" : "end"} TLS at the load balancer (tls: terminate), whose TLS listeners need an ACM certificate`);
  if (ending.length === 0 && props.tls !== undefined)
    add("tls.certificateArn", props.tls.certificateArn, 'is unused: no entry point ends TLS at the load balancer; set an entry point\'s tls to "terminate", or remove the certificate');
  for (const e of props.contract.entryPoints) {
    const idle = props.entrySettings?.[e.name]?.idleTimeout ?? e.idleTimeout;
    if (e.tls === "terminate" && idle !== undefined && idle !== DEFAULT_IDLE_TIMEOUT) add(`contract.${e.name}.idleTimeout`, idle, `must be ${DEFAULT_IDLE_TIMEOUT} when TLS ends at the load balancer: AWS fixes the idle timeout of NLB TLS listeners at ${DEFAULT_IDLE_TIMEOUT} s (use tls: passthrough for a longer one)`);
  }
  for (const [name, s] of Object.entries(props.entrySettings ?? {})) if (s.idleTimeout !== undefined) add(`entrySettings.${name}.idleTimeout`, s.idleTimeout, rules.tcpIdleTimeout(s.idleTimeout));
  if (props.unhealthyTargets) add("unhealthyTargets.drainingInterval", props.unhealthyTargets.drainingInterval, rules.unhealthyTargets(props.unhealthyTargets));
  if (props.accessLogs) {
    add("accessLogs.bucket", props.accessLogs.bucket, rules.s3BucketName(props.accessLogs.bucket));
    if (props.accessLogs.prefix !== undefined) add("accessLogs.prefix", props.accessLogs.prefix, rules.accessLogPrefix(props.accessLogs.prefix));
    add("accessLogs", props.accessLogs, rules.nlbAccessLogs(props.accessLogs.enabled ?? true, ending.length > 0));
  }
  return out;
}
