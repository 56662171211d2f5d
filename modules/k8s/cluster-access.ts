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
import { Fn } from "../cdktf";

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

  constructor(scope: Construct, id: string, props: ClusterAccessProps) {
    super(scope, id);
    const conn = connect(this, props);
    this.kubernetes = new KubernetesProvider(this, "kubernetes", { ...conn });
    // Helm provider 3.x takes the connection as an object attribute, not a block.
    this.helm = new HelmProvider(this, "helm", { kubernetes: { ...conn } });
  }
}

function connect(scope: Construct, props: ClusterAccessProps): Connection {
  switch (props.type) {
    case "eks": {
      const cluster = new DataAwsEksCluster(scope, "eks", { name: props.clusterName });
      const auth = new DataAwsEksClusterAuth(scope, "eks-auth", { name: props.clusterName });
      return { host: cluster.endpoint, clusterCaCertificate: Fn.base64decode(cluster.certificateAuthority.get(0).data), token: auth.token };
    }
    case "gke": {
      const cluster = new DataGoogleContainerCluster(scope, "gke", { name: props.clusterName, location: props.location, project: props.project });
      const client = new DataGoogleClientConfig(scope, "gcp-client");
      return {
        host: `https://${cluster.endpoint}`,
        clusterCaCertificate: Fn.base64decode(cluster.masterAuth.get(0).clusterCaCertificate),
        token: client.accessToken,
      };
    }
    case "kubeconfig":
      return { configPath: props.path, configContext: props.context };
  }
}
