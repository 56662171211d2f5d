/**
 * Where each stack keeps its state: local files (the default, synthesizes anywhere), HCP
 * Terraform / Terraform Enterprise (one workspace per stack), S3 or GCS.
 *
 * cdktf's own CloudBackend adds a synth-time validation that runs `terraform version`, so a
 * synth with it needs a terraform binary on PATH. `CloudBlock` writes the same `cloud` block and
 * states the version requirement in the output instead (`required_version >= 1.1`), where
 * terraform itself enforces it at `init`: synthesis stays binary-free and every other validation
 * stays on.
 */
import type { Construct } from "constructs";
import { DataTerraformRemoteState } from "cdktf";
import { GcsBackend, LocalBackend, S3Backend, TerraformBackend, type TerraformRemoteState, type TerraformStack } from "../core/cdktf";

import type { StateConfig } from "../model/env";

export type { StateConfig };

export interface CloudBlockProps {
  readonly organization: string;
  readonly workspace: string;
  readonly project?: string;
  readonly hostname?: string;
}

/** The `terraform { cloud { ... } }` block for one named workspace. */
export class CloudBlock extends TerraformBackend {
  constructor(
    scope: Construct,
    private readonly props: CloudBlockProps,
  ) {
    super(scope, "backend", "cloud");
  }

  public override toTerraform(): Record<string, unknown> {
    const workspaces: Record<string, string> = { name: this.props.workspace };
    if (this.props.project) workspaces.project = this.props.project;
    const cloud: Record<string, unknown> = { organization: this.props.organization, workspaces };
    if (this.props.hostname) cloud.hostname = this.props.hostname;
    return { terraform: { cloud, required_version: ">= 1.1.0" } };
  }

  public override toMetadata(): Record<string, unknown> {
    const host = this.props.hostname;
    return { ...super.toMetadata(), cloud: host === undefined || host === "app.terraform.io" ? "tfc" : "tfe" };
  }

  public getRemoteStateDataSource(scope: Construct, name: string): TerraformRemoteState {
    return new DataTerraformRemoteState(scope, name, {
      organization: this.props.organization,
      workspaces: { name: this.props.workspace },
      hostname: this.props.hostname,
    });
  }
}

/** The directory beside the output directory that holds local Terraform state (never inside it: synth replaces the output). */
export const LOCAL_STATE_DIR = "state";

/** The state file of a stack with local state, inside LOCAL_STATE_DIR. */
export function localStateFile(stack: string): string {
  return `terraform.${stack}.tfstate`;
}

/**
 * The local backend's `path` for a stack. Terraform resolves it from the stack directory
 * (`<out>/stacks/<stack>`), so it names `<out>/../state/terraform.<stack>.tfstate`: outside the
 * output, which synth replaces, and the same text on every machine and for every output location
 * (cdktf's own default is an absolute path, which would differ between machines).
 */
export function localStatePath(stack: string): string {
  return `../../../${LOCAL_STATE_DIR}/${localStateFile(stack)}`;
}

/** Workspace (or state key) name of a stack: `<prefix>-<stack>`. */
export function workspaceName(prefix: string, stackName: string): string {
  return `${prefix}-${stackName}`;
}

/** Attaches the configured state backend to a stack. */
export function configureState(stack: TerraformStack, stackName: string, state: StateConfig): void {
  switch (state.type) {
    case "local":
      new LocalBackend(stack, { path: localStatePath(stackName) });
      return;
    case "cloud":
      new CloudBlock(stack, { organization: state.organization, workspace: workspaceName(state.workspacePrefix, stackName), project: state.project, hostname: state.hostname });
      return;
    case "s3":
      new S3Backend(stack, { bucket: state.bucket, region: state.region, key: `${state.keyPrefix}/${stackName}.tfstate`, encrypt: true });
      // S3-native state locking (Terraform >= 1.10; DynamoDB locking is deprecated). cdktf 0.21
      // predates the argument, so it is written as an override.
      stack.addOverride("terraform.backend.s3.use_lockfile", true);
      stack.addOverride("terraform.required_version", ">= 1.10.0");
      return;
    case "gcs":
      new GcsBackend(stack, { bucket: state.bucket, prefix: `${state.prefix}/${stackName}` });
      return;
  }
}
