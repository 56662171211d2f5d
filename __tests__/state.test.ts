/** State backends per environment, and the published JSON Schema. */
import { readFileSync } from "node:fs";
import { Testing, TerraformStack } from "cdktf";
import { gcpLabels } from "../modules/stacks/gcp";
import { CloudBlock } from "../modules/stacks/state";
import { envJsonSchema, SCHEMA_FILE } from "../scripts/write-schema";
import { awsEnv, gcpEnv } from "./helpers/fixtures";
import { synthEnvs } from "./helpers/synth";

const terraformBlock = (state: object, stack = "t-aws-edge") => synthEnvs([awsEnv({ state } as never)])[stack]?.terraform as Record<string, unknown>;

describe("state backends", () => {
  it("local by default: a state file per stack, in state/ beside the output directory (never inside it)", () => {
    expect(terraformBlock({ type: "local" }).backend).toEqual({ local: { path: "../../../state/terraform.t-aws-edge.tfstate" } });
  });

  it("HCP Terraform: a cloud block with the organization, project and one workspace per stack", () => {
    const edge = terraformBlock({ type: "cloud", organization: "acme", project: "edge", workspacePrefix: "gh" });
    const cluster = terraformBlock({ type: "cloud", organization: "acme", project: "edge", workspacePrefix: "gh" }, "t-aws-cluster");
    expect(edge.cloud).toEqual({ organization: "acme", workspaces: { name: "gh-t-aws-edge", project: "edge" } });
    expect(cluster.cloud).toEqual({ organization: "acme", workspaces: { name: "gh-t-aws-cluster", project: "edge" } });
    expect(edge.backend).toBeUndefined();
    expect(edge.required_version).toBe(">= 1.1.0");
  });

  it("Terraform Enterprise: the hostname goes into the cloud block", () => {
    expect(terraformBlock({ type: "cloud", organization: "acme", hostname: "tfe.acme.internal" }).cloud).toEqual({
      organization: "acme",
      hostname: "tfe.acme.internal",
      workspaces: { name: "gatehouse-t-aws-edge" },
    });
  });

  it("marks the backend for the cdktf CLI as HCP Terraform or Terraform Enterprise by hostname", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    expect(new CloudBlock(stack, { organization: "acme", workspace: "w" }).toMetadata()).toMatchObject({ cloud: "tfc" });
    const other = new TerraformStack(Testing.app(), "s");
    expect(new CloudBlock(other, { organization: "acme", workspace: "w", hostname: "tfe.acme.internal" }).toMetadata()).toMatchObject({ cloud: "tfe" });
  });

  it("S3: encrypted, one key per stack, S3-native locking", () => {
    const tf = terraformBlock({ type: "s3", bucket: "acme-tfstate", region: "eu-west-1" });
    expect(tf.backend).toEqual({ s3: { bucket: "acme-tfstate", region: "eu-west-1", key: "gatehouse/t-aws-edge.tfstate", encrypt: true, use_lockfile: true } });
    expect(tf.required_version).toBe(">= 1.10.0");
  });

  it("GCS: one prefix per stack", () => {
    expect(terraformBlock({ type: "gcs", bucket: "acme-tfstate" }).backend).toEqual({ gcs: { bucket: "acme-tfstate", prefix: "gatehouse/t-aws-edge" } });
  });
});

describe("published JSON Schema", () => {
  it("envs/gatehouse.schema.json is current (run `npm run schema` after changing modules/config/schema.ts)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(envJsonSchema());
  });

  it("is strict and carries the defaults editors show", () => {
    const schema = JSON.parse(envJsonSchema());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["name"]);
    expect(schema.properties.ports.properties.health.properties.nodePort.default).toBe(30200);
    expect(schema.properties.aws.properties.nlb.properties.deletionProtection.default).toBe(true);
  });
});

describe("GCP labels", () => {
  it("turns tags into valid label keys and values", () => {
    expect(gcpLabels({ Team: "Platform Edge", "cost:center": "4711", ["k".repeat(70)]: "v" })).toEqual({ team: "platform_edge", cost_center: "4711", ["k".repeat(63)]: "v" });
  });

  it("labels everything through the provider's default_labels, keys as written", () => {
    const stacks = synthEnvs([gcpEnv({ tags: { Team: "Platform", "cost-center": "4711" } })]);
    for (const stack of ["g-gcp-edge", "g-gcp-cluster-c1"]) {
      // Keys exactly as labelled: cdktf would snake-case "cost-center" to "cost_center" here.
      expect(stacks[stack]?.provider?.google?.[0]?.default_labels).toEqual({ team: "platform", "cost-center": "4711", "gatehouse-env": "g", "managed-by": "gatehouse" });
    }
  });
});
