/** Every reference in every synthesized stack points at a resource or data source of that stack. */
import { danglingReferences, referencedAddresses, type StackJson } from "../scripts/lib/references";
import { synthDefaults } from "./helpers/synth";

describe("references resolve inside their stack", () => {
  const stacks = Object.entries(synthDefaults());

  it.each(stacks)("%s", (_name, json) => {
    expect(referencedAddresses(json as StackJson).size).toBeGreaterThan(0);
    expect(danglingReferences(json as StackJson)).toEqual([]);
  });

  it("finds a reference to nothing, and ignores variables, each and functions", () => {
    const stack: StackJson = {
      resource: { aws_lb: { edge: {} }, aws_lb_listener: { l: { load_balancer_arn: "${aws_lb.edge.arn}", x: "${aws_lb_target_group.gone.arn}" } } },
      data: { aws_instances: { w: {} } },
      output: { o: { value: '${toset(data.aws_instances.w.private_ips)} ${var.x} ${each.value} ${base64decode(data.aws_eks_cluster.missing.certificate_authority[0].data)} ${format("%s.y", local.z)}' } },
    };
    expect(danglingReferences(stack)).toEqual(["aws_lb_target_group.gone", "data.aws_eks_cluster.missing"]);
  });
});
