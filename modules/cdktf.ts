/**
 * The CDKTF core surface gatehouse uses, in one place.
 *
 * cdktf 0.21 is the last HashiCorp release; the community fork (cdktn) keeps the same API under
 * other package names. Every module imports the core from here, so moving to the fork is a
 * change to this file and package.json (provider bindings are imported by deep path and move
 * with a search-and-replace of `@cdktf/provider-` to the fork's scope).
 */
export {
  App,
  AssetType,
  Fn,
  GcsBackend,
  LocalBackend,
  S3Backend,
  TerraformAsset,
  TerraformBackend,
  TerraformIterator,
  TerraformOutput,
  TerraformStack,
  Token,
} from "cdktf";
export type { ITerraformDependable, TerraformRemoteState } from "cdktf";
import { Token } from "cdktf";

/** True when the value is a Terraform reference that only has a value at plan time. */
export function isToken(value: unknown): boolean {
  return (typeof value === "string" || typeof value === "number") && Token.isUnresolved(value);
}

/**
 * cdktf records a full stack trace for every token it creates (`captureStackTrace` on a plain
 * object, kept only to decorate token-misuse errors). Formatting those traces is about a third
 * of synth time for large environments. This formats them as empty, and only them: real errors
 * (Error instances) keep their usual `Name: message\n    at ...` stack. Set
 * GATEHOUSE_TOKEN_STACKS=1 to keep token creation traces when debugging a cdktf token error.
 */
export function skipTokenCreationStacks(env: Readonly<Record<string, string | undefined>>): void {
  if (env.GATEHOUSE_TOKEN_STACKS === "1") return;
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (target: Error, frames: NodeJS.CallSite[]): unknown => {
    if (!(target instanceof Error)) return "";
    if (previous) return previous(target, frames);
    return `${Error.prototype.toString.call(target)}${frames.map((f) => `\n    at ${f}`).join("")}`;
  };
}
