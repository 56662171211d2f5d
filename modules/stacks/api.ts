/**
 * `<env>-aws-api`: API Gateway in front of the NLB through a VPC link. It finds the NLB and its
 * listeners by name and port, so it applies after `<env>-aws-edge` (declared, so deploy order and
 * run triggers follow it).
 */
import type { Construct } from "constructs";
import { DataAwsSecurityGroup } from "@cdktf/provider-aws/lib/data-aws-security-group";
import { ApiGateway } from "../aws/api-gateway";
import { TerraformOutput, TerraformStack } from "../core/cdktf";
import type { ApiPlan } from "../plan";
import { awsStackBase } from "./aws";

export interface AwsApiStackProps {
  readonly plan: ApiPlan;
  readonly edgeStack: TerraformStack;
}

export class AwsApiStack extends TerraformStack {
  public readonly api: ApiGateway;

  constructor(scope: Construct, id: string, props: AwsApiStackProps) {
    super(scope, id);
    const plan = props.plan;
    awsStackBase(this, id, plan.settings);
    this.addDependency(props.edgeStack);
    const sg = plan.nlbSecurityGroup;
    let nlbSecurityGroupId: string | undefined;
    if (sg && "created" in sg) nlbSecurityGroupId = new DataAwsSecurityGroup(this, "nlb-sg", { name: sg.created, vpcId: sg.vpcId }).id;
    else if (sg) nlbSecurityGroupId = sg.ids[0];
    this.api = new ApiGateway(this, "api", { ...plan.props, nlbSecurityGroupId });
    new TerraformOutput(this, "api_endpoint", { value: this.api.apiEndpoint, description: "The API's default endpoint." });
    new TerraformOutput(this, "stage_url", { value: this.api.invokeUrl, description: "The stage's invoke URL." });
  }
}
