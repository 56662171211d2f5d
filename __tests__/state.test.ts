/** State backends per environment, and the published JSON Schema. */
import { readFileSync } from "node:fs";
import { envJsonSchema, SCHEMA_FILE } from "../scripts/write-schema";
import { awsEnv } from "./helpers/fixtures";
import { synthEnvs } from "./helpers/synth";

const terraformBlock = (state: object, stack = "t-aws-edge") => synthEnvs([awsEnv({ state } as never)])[stack]?.terraform as Record<string, unknown>;

describe("state backends", () => {
  it("local by default: a state file per stack", () => {
    expect(terraformBlock({ type: "local" }).backend).toEqual({ local: { path: "terraform.t-aws-edge.tfstate" } });
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
  it("envs/gatehouse.schema.json is current (run `npm run schema` after changing envs/schema.ts)", () => {
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
