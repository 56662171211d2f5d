/**
 * Amazon VPC Lattice for an EKS cluster, the AWS side: what Terraform owns so that the AWS Gateway
 * API controller (modules/k8s/aws-gateway-controller.ts) only has to create Lattice services for
 * the cluster's routes.
 *
 * - The service network (`aws_vpclattice_service_network`), auth NONE or AWS_IAM; with AWS_IAM its
 *   auth policy (`aws_vpclattice_auth_policy`) from the JSON given.
 * - The cluster VPC's association with it (`aws_vpclattice_service_network_vpc_association`) and
 *   the association's security group: one gatehouse makes (clients in on the listener ports) or
 *   ones given. The controller would otherwise make the association itself (its
 *   `defaultServiceNetwork` setting, left empty by gatehouse).
 * - The rule the controller's deploy guide requires and is easily forgotten: Lattice reaches the
 *   pods from its managed prefix lists (`com.amazonaws.<region>.vpc-lattice` and
 *   `com.amazonaws.<region>.ipv6.vpc-lattice`), so the security groups the pods' traffic meets
 *   admit those prefix lists on the pod ports, or Lattice cannot reach any target and every health
 *   check fails. The guide opens "the EKS nodes' security group" (docs/guides/deploy.md, "Allow
 *   traffic from Amazon VPC Lattice"), naming the EKS cluster security group only for eksctl
 *   clusters, whose managed node groups carry it: so both the worker nodes' groups and the
 *   cluster security group admit Lattice, and nodes with groups of their own (self-managed nodes,
 *   launch templates) are reached too. The ports are the pods' own (the Services' targetPorts):
 *   the controller registers pod IPs with the EndpointSlice ports
 *   (pkg/gateway/model_build_targets.go).
 * - The controller's identity: an IAM policy from the controller's recommended policy
 *   (policies/recommended-inline-policy.json, unchanged), a role for it, and either an EKS Pod
 *   Identity association (role trusted by `pods.eks.amazonaws.com`, optionally the
 *   `eks-pod-identity-agent` add-on at the newest version for the cluster's Kubernetes version)
 *   or IRSA (role trusted by the cluster's OIDC provider for exactly the controller's service
 *   account).
 * - A plan-time check on the cluster: Kubernetes ≥ 1.31, which controller v2.1.x requires
 *   (docs/guides/upgrading-v2-0-x-to-v2-1-y.md).
 */
import { Construct } from "constructs";
import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { DataAwsEksAddonVersion } from "@cdktf/provider-aws/lib/data-aws-eks-addon-version";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsIamOpenidConnectProvider } from "@cdktf/provider-aws/lib/data-aws-iam-openid-connect-provider";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpclatticeAuthPolicy } from "@cdktf/provider-aws/lib/vpclattice-auth-policy";
import { VpclatticeServiceNetwork } from "@cdktf/provider-aws/lib/vpclattice-service-network";
import { VpclatticeServiceNetworkVpcAssociation } from "@cdktf/provider-aws/lib/vpclattice-service-network-vpc-association";
import { Fn, isToken, Token } from "../core/cdktf";
import { failIfAny, type FieldProblem } from "../core/errors";
import * as latticeRules from "../model/lattice";
import { LATTICE_CONTROLLER, type LatticeAuthType } from "../model/lattice";
import { escapeTerraform } from "../core/literal";
import { awsIamName } from "../core/naming";
import * as rules from "../core/rules";
import controllerPolicy from "./policies/recommended-inline-policy.json";

/** How the controller gets its AWS credentials. */
export type LatticeControllerIdentity =
  /**
   * EKS Pod Identity (the controller's recommended way). `installAgent`: also install the
   * `eks-pod-identity-agent` add-on; leave false when the cluster already runs it (EKS Auto Mode
   * clusters have it built in, and a second add-on of the same name fails to create).
   */
  | { readonly mode: "pod-identity"; readonly installAgent: boolean }
  /** IAM roles for service accounts: the cluster needs an IAM OIDC provider. */
  | { readonly mode: "irsa" };

/** The service network VPC association's security groups. */
export type LatticeAssociationSecurityGroups =
  /**
   * A group gatehouse makes in the VPC, admitting the clients (literal CIDRs, IPv4 or IPv6) on
   * the Lattice listener ports (the Gateway's: 80, and 443 with HTTPS).
   */
  | { readonly create: { readonly clientCidrs: readonly string[]; readonly listenerPorts: readonly number[] } }
  /** Existing groups (at most 5). */
  | { readonly ids: readonly string[] };

export interface LatticeNetworkProps {
  /** The service network's name; the Gateway of the same name points to it. */
  readonly serviceNetworkName: string;
  /** @default "NONE" */
  readonly authType?: LatticeAuthType;
  /** The auth policy (JSON text) with authType AWS_IAM; IAM policy variables (`${aws:…}`) stay literal. */
  readonly authPolicy?: string;
  /** The EKS cluster's name (a literal: it names the IAM role). */
  readonly clusterName: string;
  /** The VPC to associate. @default the cluster's VPC */
  readonly vpcId?: string;
  readonly associationSecurityGroups: LatticeAssociationSecurityGroups;
  /**
   * Security groups of the pods Lattice sends traffic to, keyed by a stable name (keys become
   * Terraform addresses). @default `{ cluster: <the EKS cluster security group> }`, which EKS
   * attaches to managed node groups' nodes and so to pods without security groups of their own.
   */
  readonly podSecurityGroups?: Readonly<Record<string, string>>;
  /**
   * The worker nodes' security groups (literal ids: each names its rules' Terraform addresses),
   * admitted like the pods' groups: pods take their addresses from the nodes' network interfaces,
   * so nodes that do not carry the cluster security group need the rule on their own groups. A
   * group listed here and in `podSecurityGroups` gets its rules once, here (AWS refuses a second,
   * equal rule): a literal is left out of the pods' rules, a reference (the default cluster
   * security group) gets `count = 0` when, at plan time, it is one of these.
   * @default none
   */
  readonly nodeSecurityGroupIds?: readonly string[];
  /**
   * Pod ports Lattice reaches (traffic and health checks): the backend Services' targetPorts.
   * `"all"` admits the prefix lists on every protocol and port, as the controller's deploy guide does.
   */
  readonly podPorts: readonly number[] | "all";
  /** Admit the IPv6 prefix list too. @default true */
  readonly ipv6?: boolean;
  readonly identity: LatticeControllerIdentity;
  /**
   * The controller role's (and policy's) name. IAM names are global to the account: give one
   * that no other cluster's role in the account has.
   * @default `<region>--<clusterName>--lattice` (latticeControllerRoleName; without `region`,
   * `<clusterName>--lattice`, which the same cluster name in another region would share)
   */
  readonly roleName?: string;
  /** The region (names the managed prefix lists). @default the provider's, read with `data "aws_region"` */
  readonly region?: string;
  /** Tags for everything that takes them. */
  readonly tags?: Readonly<Record<string, string>>;
}

export const LATTICE_DEFAULTS = { authType: "NONE", ipv6: true } as const;

/** The security group gatehouse makes for the service network's VPC association. */
export const latticeClientsSecurityGroupName = (serviceNetworkName: string): string => `${serviceNetworkName}-lattice-clients`;

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** What is wrong with these props; empty when nothing is. Paths are relative to the props. */
export function latticeNetworkProblems(props: LatticeNetworkProps): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const name = latticeRules.serviceNetworkName(props.serviceNetworkName);
  if (name) problems.push({ path: "serviceNetworkName", value: props.serviceNetworkName, message: name });
  // The association's security group is named after the service network.
  const sgName = "create" in props.associationSecurityGroups ? rules.securityGroupName(latticeClientsSecurityGroupName(props.serviceNetworkName)) : undefined;
  if (sgName) problems.push({ path: "serviceNetworkName", value: props.serviceNetworkName, message: sgName });
  problems.push(...latticeRules.authProblems(props.authType ?? LATTICE_DEFAULTS.authType, props.authPolicy));
  if (isToken(props.clusterName) || props.clusterName.length === 0) problems.push({ path: "clusterName", value: props.clusterName, message: "must be the EKS cluster's name as a literal: it names the controller's IAM role" });
  const role = latticeRules.iamRoleName(roleNameOf(props));
  if (role) problems.push({ path: "roleName", value: roleNameOf(props), message: role });
  const sgs = props.associationSecurityGroups;
  if ("ids" in sgs) {
    if (sgs.ids.length === 0 || sgs.ids.length > 5) problems.push({ path: "associationSecurityGroups.ids", value: sgs.ids.length, message: "must list 1-5 security groups (a VPC association takes at most 5)" });
  } else {
    if (sgs.create.clientCidrs.length === 0) problems.push({ path: "associationSecurityGroups.create.clientCidrs", value: [], message: "must list the CIDRs of the clients that call the network (such as the VPC's)" });
    for (const cidr of sgs.create.clientCidrs) {
      const bad = isToken(cidr) ? "must be a literal CIDR: it names the rule's Terraform address" : rules.cidr(cidr);
      if (bad) problems.push({ path: "associationSecurityGroups.create.clientCidrs", value: cidr, message: bad });
    }
    if (sgs.create.listenerPorts.length === 0) problems.push({ path: "associationSecurityGroups.create.listenerPorts", value: [], message: "must list the Lattice listener ports (80, and 443 with HTTPS)" });
    for (const p of sgs.create.listenerPorts) {
      const bad = rules.port(p);
      if (bad) problems.push({ path: "associationSecurityGroups.create.listenerPorts", value: p, message: bad });
    }
  }
  for (const key of Object.keys(props.podSecurityGroups ?? {}))
    if (!KEY.test(key)) problems.push({ path: `podSecurityGroups.${key}`, value: key, message: "keys name Terraform addresses: 1-63 letters, digits, '.', '_' or '-'" });
  // Rule ids turn "." into "_" (see admit in the constructor): "a.b" and "a_b" would share them.
  const podKeys = Object.keys(props.podSecurityGroups ?? {});
  for (const r of rules.repeats(podKeys, (k) => k.replace(/[^A-Za-z0-9-]/g, "_")))
    problems.push({ path: `podSecurityGroups.${podKeys[r.index]}`, value: podKeys[r.index], message: `names the same Terraform addresses as "${podKeys[r.first]}" ("." and "_" read alike there); rename one` });
  const nodeIds = [...new Set(props.nodeSecurityGroupIds ?? [])];
  for (const r of rules.repeats(nodeIds, (k) => k.replace(/[^A-Za-z0-9-]/g, "_")))
    problems.push({ path: "nodeSecurityGroupIds", value: nodeIds[r.index], message: `names the same Terraform addresses as "${nodeIds[r.first]}" ("." and "_" read alike there)` });
  if (props.podSecurityGroups && Object.keys(props.podSecurityGroups).length === 0) problems.push({ path: "podSecurityGroups", value: {}, message: "must name at least one security group (or leave it unset for the EKS cluster security group)" });
  (props.nodeSecurityGroupIds ?? []).forEach((id, i) => {
    if (isToken(id)) problems.push({ path: `nodeSecurityGroupIds.${i}`, value: id, message: "must be a literal security group id: it names the rules' Terraform addresses (pass references as podSecurityGroups with a stable key)" });
    else if (!KEY.test(id)) problems.push({ path: `nodeSecurityGroupIds.${i}`, value: id, message: "must be a security group id such as sg-0123456789abcdef0: it names the rules' Terraform addresses" });
  });
  if (props.podPorts !== "all") {
    if (props.podPorts.length === 0) problems.push({ path: "podPorts", value: [], message: 'must list the pod ports Lattice sends traffic and health checks to, or be "all"' });
    for (const p of props.podPorts) {
      const bad = rules.port(p) ?? (isToken(p) ? "must be a literal port: it names the rule's Terraform address" : undefined);
      if (bad) problems.push({ path: "podPorts", value: p, message: bad });
    }
  }
  return problems;
}

/** Each block once, by value (`2001:DB8::/32` and `2001:db8::/32` are one block), in the order given: the first spelling stays. */
function distinctBlocks(cidrs: readonly string[]): string[] {
  const seen = new Set<string>();
  return cidrs.filter((c) => {
    const key = rules.canonicalCidr(c);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The construct id part of a client CIDR. Each character maps on its own: hex digits stay, `:` and
 * `/` become `_`, and `.` becomes `_` in an IPv4 block but `-` in an IPv6 one, so an IPv6 block
 * with an IPv4 tail (`::ffff:10.0.0.0/104`) never meets `::ffff:10:0:0:0/104`. Injective over
 * valid blocks: in IPv6 only the last `_` is the `/` (the prefix length holds no `:`), and an IPv4
 * block (exactly four `_`, no letters) is never an IPv6 one (which has `__` or at least eight `_`).
 */
function cidrIdPart(cidr: string): string {
  return cidr.includes(":") ? cidr.replace(/[:/]/g, "_").replace(/\./g, "-") : cidr.replace(/[^0-9]/g, "_");
}

/** What a controller role's name is made of: whatever tells its owner apart within one AWS account. */
export interface LatticeRoleOwner {
  /** The gatehouse environment; two environments on one cluster would otherwise share a role. */
  readonly env?: string;
  /** IAM is global to the account: the same cluster name in two regions needs two roles. */
  readonly region?: string;
  readonly cluster: string;
}

/**
 * The controller role's name, and its policy's: `<env>--<region>--<cluster>--lattice`, within
 * IAM's 64 characters (a longer one keeps a prefix and gets a hash of the whole, so names that
 * share their first 64 characters still differ; modules/core/naming.ts).
 */
export function latticeControllerRoleName(owner: LatticeRoleOwner): string {
  return awsIamName([owner.env ?? "", owner.region ?? "", owner.cluster, "lattice"]);
}

function roleNameOf(props: LatticeNetworkProps): string {
  // A region given as a reference is known only at plan time: it cannot be part of a name checked here.
  const region = props.region !== undefined && !isToken(props.region) ? props.region : undefined;
  return props.roleName ?? latticeControllerRoleName({ region, cluster: props.clusterName });
}

/** The Pod Identity trust policy of the controller's deploy guide. */
export const POD_IDENTITY_TRUST_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Sid: "AllowEksAuthToAssumeRoleForPodIdentity", Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
} as const;

export class LatticeNetwork extends Construct {
  public readonly serviceNetwork: VpclatticeServiceNetwork;
  public readonly authPolicy?: VpclatticeAuthPolicy;
  public readonly association: VpclatticeServiceNetworkVpcAssociation;
  /** The association's security group, when gatehouse made it. */
  public readonly associationSecurityGroup?: SecurityGroup;
  /** The cluster, checked for the controller's Kubernetes minimum at plan time. */
  public readonly cluster: DataAwsEksCluster;
  /** The Lattice managed prefix lists, by address family. */
  public readonly prefixLists: Readonly<Partial<Record<"ipv4" | "ipv6", DataAwsEc2ManagedPrefixList>>>;
  /**
   * Pod security-group rules admitting Lattice, keyed `<sg key>/<family>/<port | all>`. Those of a
   * referenced group carry a `count` when node groups are given (see `nodeSecurityGroupIds`).
   */
  public readonly podRules: Readonly<Record<string, VpcSecurityGroupIngressRule>>;
  /** Node security-group rules admitting Lattice, keyed `<sg id>/<family>/<port | all>`. */
  public readonly nodeRules: Readonly<Record<string, VpcSecurityGroupIngressRule>>;
  public readonly policy: IamPolicy;
  public readonly role: IamRole;
  public readonly podIdentityAssociation?: EksPodIdentityAssociation;
  public readonly podIdentityAgent?: EksAddon;

  /** The service network's id, ARN and name. */
  public readonly serviceNetworkId: string;
  public readonly serviceNetworkArn: string;
  public readonly serviceNetworkName: string;
  /** The controller role's ARN (IRSA: the service account's `eks.amazonaws.com/role-arn`). */
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: LatticeNetworkProps) {
    super(scope, id);
    failIfAny(this.node.path, latticeNetworkProblems(props));
    const tags = props.tags ? { ...props.tags } : undefined;
    const authType = props.authType ?? LATTICE_DEFAULTS.authType;

    this.cluster = new DataAwsEksCluster(this, "cluster", {
      name: props.clusterName,
      lifecycle: {
        postcondition: [
          {
            condition: `\${can(regex("${latticeRules.kubernetesMinimumPattern(LATTICE_CONTROLLER.minKubernetes)}", self.version))}`,
            errorMessage: `EKS cluster ${props.clusterName} runs Kubernetes older than ${LATTICE_CONTROLLER.minKubernetes}, which the AWS Gateway API controller ${LATTICE_CONTROLLER.version} requires (Gateway API ${LATTICE_CONTROLLER.minGatewayApi} CRDs use CEL rules that need it); upgrade the cluster first.`,
          },
        ],
      },
    });
    const vpc = this.cluster.vpcConfig.get(0);

    this.serviceNetwork = new VpclatticeServiceNetwork(this, "service-network", { name: props.serviceNetworkName, authType, tags });
    if (authType === "AWS_IAM" && props.authPolicy !== undefined)
      this.authPolicy = new VpclatticeAuthPolicy(this, "auth-policy", {
        resourceIdentifier: this.serviceNetwork.arn,
        policy: isToken(props.authPolicy) ? props.authPolicy : escapeTerraform(props.authPolicy),
      });

    const vpcId = props.vpcId ?? vpc.vpcId;
    const sgs = props.associationSecurityGroups;
    let securityGroupIds: string[];
    if ("ids" in sgs) {
      securityGroupIds = [...sgs.ids];
    } else {
      const name = latticeClientsSecurityGroupName(props.serviceNetworkName);
      const sg = new SecurityGroup(this, "association-sg", {
        name,
        description: `gatehouse: clients in the VPC to VPC Lattice service network ${props.serviceNetworkName}`,
        vpcId,
        tags: { ...tags, Name: name },
      });
      for (const port of [...new Set(sgs.create.listenerPorts)].sort((a, b) => a - b))
        for (const cidr of distinctBlocks(sgs.create.clientCidrs))
          new VpcSecurityGroupIngressRule(this, `association-in-${port}-${cidrIdPart(cidr)}`, {
            securityGroupId: sg.id,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
            description: `gatehouse: clients to Lattice listener port ${port}`,
            tags,
          });
      this.associationSecurityGroup = sg;
      securityGroupIds = [sg.id];
    }
    this.association = new VpclatticeServiceNetworkVpcAssociation(this, "vpc-association", {
      serviceNetworkIdentifier: this.serviceNetwork.id,
      vpcIdentifier: vpcId,
      securityGroupIds,
      tags,
    });

    // The prefix lists are per region: the given one, else the provider's.
    const region = props.region !== undefined ? { region: props.region } : new DataAwsRegion(this, "region");
    const families: Array<"ipv4" | "ipv6"> = props.ipv6 ?? LATTICE_DEFAULTS.ipv6 ? ["ipv4", "ipv6"] : ["ipv4"];
    const prefixLists: Partial<Record<"ipv4" | "ipv6", DataAwsEc2ManagedPrefixList>> = {};
    for (const family of families)
      prefixLists[family] = new DataAwsEc2ManagedPrefixList(this, `prefix-list-${family}`, {
        name: `com.amazonaws.${region.region}.${family === "ipv6" ? "ipv6." : ""}vpc-lattice`,
      });
    this.prefixLists = prefixLists;

    // One rule per group, address family and port: "all" is the deploy guide's own rule (every
    // protocol, IpProtocol=-1); listed ports open TCP only, which is all Lattice sends (HTTP,
    // HTTPS, gRPC and TLS passthrough, and its health checks).
    const ports: Array<number | "all"> = props.podPorts === "all" ? ["all"] : [...new Set(props.podPorts)].sort((a, b) => a - b);
    const admit = (prefix: string, groupKey: string, securityGroupId: string, count?: number): Record<string, VpcSecurityGroupIngressRule> => {
      const made: Record<string, VpcSecurityGroupIngressRule> = {};
      for (const family of families)
        for (const port of ports) {
          const key = `${groupKey}/${family}/${port}`;
          made[key] = new VpcSecurityGroupIngressRule(this, `${prefix}-${key.replace(/[^A-Za-z0-9-]/g, "_")}`, {
            count,
            securityGroupId,
            prefixListId: (prefixLists[family] as DataAwsEc2ManagedPrefixList).id,
            ...(port === "all" ? { ipProtocol: "-1" } : { ipProtocol: "tcp", fromPort: port, toPort: port }),
            description: `gatehouse: VPC Lattice (${family}) to pods${port === "all" ? "" : ` on ${port}`}`,
            tags,
          });
        }
      return made;
    };

    const nodeIds = [...new Set(props.nodeSecurityGroupIds ?? [])];
    const podSgs = props.podSecurityGroups ?? { cluster: vpc.clusterSecurityGroupId };
    const podRules: Record<string, VpcSecurityGroupIngressRule> = {};
    for (const [sgKey, sgId] of Object.entries(podSgs)) {
      if (!isToken(sgId) && nodeIds.includes(sgId)) continue;
      // The cluster security group is known only at plan time, and is often one of the workers'
      // (managed node groups carry it): then its rules exist once, as a node group's.
      const count = isToken(sgId) && nodeIds.length > 0 ? Token.asNumber(Fn.conditional(Fn.contains(nodeIds, sgId), 0, 1)) : undefined;
      Object.assign(podRules, admit("pods", sgKey, sgId, count));
    }
    this.podRules = podRules;
    const nodeRules: Record<string, VpcSecurityGroupIngressRule> = {};
    for (const id of nodeIds) Object.assign(nodeRules, admit("nodes", id, id));
    this.nodeRules = nodeRules;

    // The controller's identity.
    const roleName = roleNameOf(props);
    this.policy = new IamPolicy(this, "controller-policy", {
      name: roleName,
      description: `AWS Gateway API controller for VPC Lattice (${LATTICE_CONTROLLER.version} recommended policy), cluster ${props.clusterName}`,
      policy: JSON.stringify(controllerPolicy),
      tags,
    });
    let trust: string;
    if (props.identity.mode === "pod-identity") {
      trust = JSON.stringify(POD_IDENTITY_TRUST_POLICY);
    } else {
      const issuer = this.cluster.identity.get(0).oidc.get(0).issuer;
      const provider = new DataAwsIamOpenidConnectProvider(this, "oidc-provider", { url: issuer });
      const issuerHostPath = Fn.replace(issuer, "https://", "");
      trust = new DataAwsIamPolicyDocument(this, "irsa-trust", {
        statement: [
          {
            effect: "Allow",
            actions: ["sts:AssumeRoleWithWebIdentity"],
            principals: [{ type: "Federated", identifiers: [provider.arn] }],
            condition: [
              { test: "StringEquals", variable: `${issuerHostPath}:sub`, values: [`system:serviceaccount:${LATTICE_CONTROLLER.namespace}:${LATTICE_CONTROLLER.serviceAccount}`] },
              { test: "StringEquals", variable: `${issuerHostPath}:aud`, values: ["sts.amazonaws.com"] },
            ],
          },
        ],
      }).json;
    }
    this.role = new IamRole(this, "controller-role", {
      name: roleName,
      description: `AWS Gateway API controller for VPC Lattice, cluster ${props.clusterName} (${props.identity.mode})`,
      assumeRolePolicy: trust,
      tags,
    });
    new IamRolePolicyAttachment(this, "controller-policy-attachment", { role: this.role.name, policyArn: this.policy.arn });

    if (props.identity.mode === "pod-identity") {
      if (props.identity.installAgent) {
        const version = new DataAwsEksAddonVersion(this, "pod-identity-agent-version", {
          addonName: "eks-pod-identity-agent",
          kubernetesVersion: this.cluster.version,
          mostRecent: true,
        });
        this.podIdentityAgent = new EksAddon(this, "pod-identity-agent", {
          clusterName: props.clusterName,
          addonName: "eks-pod-identity-agent",
          addonVersion: version.version,
          // Other workloads may use Pod Identity too: removing this stack leaves the agent running.
          preserve: true,
          tags,
        });
      }
      this.podIdentityAssociation = new EksPodIdentityAssociation(this, "pod-identity", {
        clusterName: props.clusterName,
        namespace: LATTICE_CONTROLLER.namespace,
        serviceAccount: LATTICE_CONTROLLER.serviceAccount,
        roleArn: this.role.arn,
        tags,
        // The agent hands out the role's credentials; it must run before the controller asks.
        dependsOn: this.podIdentityAgent ? [this.podIdentityAgent] : undefined,
      });
    }

    this.serviceNetworkId = this.serviceNetwork.id;
    this.serviceNetworkArn = this.serviceNetwork.arn;
    this.serviceNetworkName = props.serviceNetworkName;
    this.roleArn = this.role.arn;
  }
}
