/**
 * `<env>-aws-lattice`: the VPC Lattice service network, its association with the cluster's VPC
 * (Terraform owns it, not the controller), the prefix-list rules that let Lattice reach the pods
 * (on the env's worker security groups and the EKS cluster security group), and the AWS Gateway
 * API controller's IAM identity. It applies before the cluster stack, where the controller runs:
 * the controller needs its role (and pod identity association) at start.
 */
import type { Construct } from "constructs";
import { LatticeNetwork } from "../aws/lattice";
import { TerraformOutput, TerraformStack } from "../core/cdktf";
import type { LatticePlan } from "../plan";
import { awsStackBase } from "./aws";

export class AwsLatticeStack extends TerraformStack {
  public readonly network: LatticeNetwork;

  constructor(scope: Construct, id: string, plan: LatticePlan) {
    super(scope, id);
    awsStackBase(this, id, plan.settings);
    this.network = new LatticeNetwork(this, "lattice", plan.network);
    new TerraformOutput(this, "service_network_arn", { value: this.network.serviceNetworkArn, description: "The Lattice service network." });
    new TerraformOutput(this, "controller_role_arn", { value: this.network.roleArn, description: "The AWS Gateway API controller's IAM role." });
  }
}
