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
  TerraformStack,
  Token,
} from "cdktf";
export type { ITerraformDependable, TerraformRemoteState } from "cdktf";
import { TerraformOutput as CdktfTerraformOutput, Token, type TerraformOutputConfig, type TerraformStack } from "cdktf";
import type { Construct } from "constructs";

/**
 * cdktf's TerraformOutput, with a list or map value handed to cdktf as one token. cdktf 0.21 tests
 * every object value with node's deprecated `util.isArray`, a DEP0044 warning on every synth from
 * Node 22 on (hashicorp/terraform-cdk#3860, fixed only in the cdktn fork). A token skips that test,
 * and the stack resolves it to the same JSON. A resource given as the value (cdktf writes its
 * address) goes to cdktf as it is.
 */
export class TerraformOutput extends CdktfTerraformOutput {
  constructor(scope: Construct, id: string, config: TerraformOutputConfig) {
    const structured = typeof config.value === "object" && config.value !== null && !("fqn" in config.value) && !Token.isUnresolved(config.value);
    super(scope, id, structured ? { ...config, value: Token.asAny(config.value) } : config);
  }
}

/** True when the value is a Terraform reference that only has a value at plan time. */
export function isToken(value: unknown): boolean {
  return (typeof value === "string" || typeof value === "number") && Token.isUnresolved(value);
}

/**
 * cdktf records a full stack trace for every token it creates (`captureStackTrace` with no frame
 * limit, kept only to decorate token-misuse errors): about a tenth of synth time. This makes cdktf's
 * own capture return no frames, and changes nothing else: no global hook, so every Error keeps its
 * usual stack (source-mapped under --enable-source-maps). Returns a function that restores the
 * capture. Set GATEHOUSE_TOKEN_STACKS=1 to keep token creation traces when debugging a cdktf
 * token error.
 */
export function skipTokenCreationStacks(env: Readonly<Record<string, string | undefined>>): () => void {
  if (env.GATEHOUSE_TOKEN_STACKS === "1") return () => undefined;
  // The very module object cdktf's tokens call into (a namespace import would be a copy once bundled).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };
  const capture = traces.captureStackTrace;
  traces.captureStackTrace = () => [];
  return () => {
    traces.captureStackTrace = capture;
  };
}

/**
 * gatehouse's stacks never reference another stack's resources: what one stack needs from another
 * it looks up by name at plan time (data sources), and stack order is declared with
 * addDependency. cdktf's preparing pass (`prepareStack`) resolves every element once only to find
 * such references, about a third of synth time; for these stacks it only makes sure a backend
 * exists. A test synthesizes every built-in env and example both ways and compares the bytes.
 */
export function skipCrossStackPreparation(stack: TerraformStack): void {
  stack.prepareStack = () => {
    stack.ensureBackendExists();
  };
}

/**
 * A stand-in for a reference that exists only once a stack makes it (a certificate's ARN, an
 * address read by name): a token that never resolves. The plan runs a construct's check on props
 * with a stand-in where the stack will pass the reference, so the check treats the value as the
 * reference it will be; a stand-in that reaches a synthesized stack fails the synth.
 */
export function referenceStandIn(what: string): string {
  return Token.asString({
    creationStack: [],
    resolve: () => {
      throw new Error(`gatehouse: a stand-in for ${what} reached a stack; the stack must pass the reference itself`);
    },
    toString: () => `\${stand-in:${what}}`,
  });
}
