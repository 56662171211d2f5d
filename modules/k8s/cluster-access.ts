/**
 * Helm and Kubernetes providers wired to a cluster, with no kubeconfig file needed in CI:
 * - EKS: `data "aws_eks_cluster"` (endpoint, CA) + `data "aws_eks_cluster_auth"` (token);
 * - GKE: `data "google_container_cluster"` (endpoint, CA) + `data "google_client_config"`
 *   (the caller's access token);
 * - self-managed: a kubeconfig path and optional context.
 * The AWS / Google provider these data sources need is configured by the stack.
 */
import { Construct } from "constructs";
import { DataAwsEksCluster } from "@cdktf/provider-aws/lib/data-aws-eks-cluster";
import { DataAwsEksClusterAuth } from "@cdktf/provider-aws/lib/data-aws-eks-cluster-auth";
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { DataGoogleContainerCluster } from "@cdktf/provider-google/lib/data-google-container-cluster";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn } from "../core/cdktf";

export type ClusterAccessProps =
  | { readonly type: "eks"; readonly clusterName: string }
  | { readonly type: "gke"; readonly clusterName: string; readonly location: string; readonly project: string }
  | { readonly type: "kubeconfig"; readonly path: string; readonly context?: string };

interface Connection {
  readonly host?: string;
  readonly clusterCaCertificate?: string;
  readonly token?: string;
  readonly configPath?: string;
  readonly configContext?: string;
}

export class ClusterAccess extends Construct {
  public readonly helm: HelmProvider;
  public readonly kubernetes: KubernetesProvider;
  /** The EKS cluster (type eks): what else the stack reads of it, such as its Kubernetes version. */
  public readonly eks?: DataAwsEksCluster;
  /** The GKE cluster (type gke): its master version, its Gateway API channel. */
  public readonly gke?: DataGoogleContainerCluster;
  /** How messages name the cluster: "EKS cluster prod-eks", "GKE cluster euw1", "the cluster of kubeconfig …". */
  public readonly description: string;

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const { conn, eks, gke } = connect(this, props);
    this.eks = eks;
    this.gke = gke;
    this.description = describe(props);
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { ...conn });
    // Helm provider 3.x takes the connection as an object attribute, not a block.
    this.helm = new HelmProvider(this, "helm", { kubernetes: { ...conn } });
  }
}

function describe(props: ClusterAccessProps): string {
  switch (props.type) {
    case "eks":
      return `EKS cluster ${props.clusterName}`;
    case "gke":
      return `GKE cluster ${props.clusterName}`;
    case "kubeconfig":
      return `the cluster of kubeconfig ${props.path}${props.context === undefined ? "" : ` (context ${props.context})`}`;
  }
}

function connect(scope: Construct, props: ClusterAccessProps): { conn: Connection; eks?: DataAwsEksCluster; gke?: DataGoogleContainerCluster } {
  switch (props.type) {
    case "eks": {
      const cluster = new DataAwsEksCluster(scope, "eks", { name: props.clusterName });
      const auth = new DataAwsEksClusterAuth(scope, "eks-auth", { name: props.clusterName });
      return { conn: { host: cluster.endpoint, clusterCaCertificate: Fn.base64decode(cluster.certificateAuthority.get(0).data), token: auth.token }, eks: cluster };
    }
    case "gke": {
      const cluster = new DataGoogleContainerCluster(scope, "gke", { name: props.clusterName, location: props.location, project: props.project });
      const client = new DataGoogleClientConfig(scope, "gcp-client");
      return {
        conn: {
          host: `https://${cluster.endpoint}`,
          clusterCaCertificate: Fn.base64decode(cluster.masterAuth.get(0).clusterCaCertificate),
          token: client.accessToken,
        },
        gke: cluster,
      };
    }
    case "kubeconfig":
      return { conn: { configPath: props.path, configContext: props.context } };
  }
}
