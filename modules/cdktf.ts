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
  Fn,
  GcsBackend,
  LocalBackend,
  S3Backend,
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
