/**
 * Token resolution that costs what the tokens cost.
 *
 * cdktf resolves a stack (`TerraformStack.toTerraform`) by walking every value of every element
 * twice, once per element and once more for the merged stack, and for every value it builds a
 * resolution context (closures, a copy of the key path) and for every string and key runs its
 * token patterns, though almost no string gatehouse writes holds a token. That walk was the
 * largest single cost of a synth after loading the code.
 *
 * `resolveTokensSparingly` gives the stacks under a scope a resolver that copies plain data
 * (strings without a token marker, ordinary numbers, plain arrays and objects) itself and hands
 * every value that is or holds a token, and every value cdktf would reject, to cdktf's own
 * `resolve` at the same key path, so what comes out, and every error, is what cdktf makes. It is
 * applied to the stack instances, for the duration of their `toTerraform` only: no global hook,
 * nothing else in the process sees it. Returns a function that takes it off again.
 * GATEHOUSE_PLAIN_RESOLVE=1 leaves cdktf's resolver in place (the tests compare both).
 */
import { DefaultTokenResolver, StringConcat, TerraformStack, Token } from "cdktf";
import { BEGIN_LIST_TOKEN_MARKER, BEGIN_MAP_TOKEN_MARKER, BEGIN_STRING_TOKEN_MARKER, TokenString } from "cdktf/lib/tokens/private/encoding";
import { resolve as cdktfResolve } from "cdktf/lib/tokens/private/resolve";
import type { IConstruct } from "constructs";

/** cdktf's internal resolve entry point: `(scope, obj, preparing?)`, called by `toTerraform` through its module object. */
interface TokensModule {
  resolve: (scope: IConstruct, obj: unknown, preparing?: boolean) => unknown;
}

/** The module object itself (a namespace import would be a copy once bundled). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tokensModule = require("cdktf/lib/_tokens") as TokensModule;

/** The same resolver cdktf's stacks use (stateless: a token resolver over string concatenation). */
const resolver = new DefaultTokenResolver(new StringConcat());

/** cdktf's own pattern for a number in a string (a number token is a double written out). */
const NUMBER_PATTERN = (TokenString.forNumbers("") as unknown as { re: RegExp }).re.source;
const HAS_NUMBER = new RegExp(NUMBER_PATTERN);
const NUMBERS = new RegExp(NUMBER_PATTERN, "g");
const MARKERS = [BEGIN_STRING_TOKEN_MARKER, BEGIN_LIST_TOKEN_MARKER, BEGIN_MAP_TOKEN_MARKER];
/** cdktf refuses deeper paths (a cyclic reference); beyond it, cdktf's resolve raises its error. */
const MAX_DEPTH = 200;

// cdktf encodes a number token in the top 16 bits of a double (encoding.ts: extractTokenDouble).
const DOUBLE = new Float64Array(1);
const WORDS = new Uint32Array(DOUBLE.buffer);
const NUMBER_TOKEN_BITS = 0xfdff << 16;
const NUMBER_LIST_TOKEN_BITS = 0xfbff << 16;

/** The top 16 bits of a double as cdktf reads them (the same view of the same bits, no allocation). */
function topBits(n: number): number {
  DOUBLE[0] = n;
  return (WORDS[1] ?? 0) & 0xffff0000;
}

/**
 * True when cdktf's resolve returns the string unchanged: no token marker in it (every token
 * pattern starts with one), not a map-token placeholder, and no number token written into it.
 */
function isPlainString(s: string): boolean {
  for (const marker of MARKERS) if (s.includes(marker)) return false;
  return s !== Token.STRING_MAP_TOKEN_VALUE && s !== Token.ANY_MAP_TOKEN_VALUE && !holdsNumberToken(s);
}

/**
 * cdktf splits a string at every match of its number pattern ("-e1-" in a logical id matches)
 * and looks each match up as a number token; the string comes back unchanged unless a match
 * reads as an encoded token double.
 */
function holdsNumberToken(s: string): boolean {
  if (!HAS_NUMBER.test(s)) return false;
  NUMBERS.lastIndex = 0;
  for (let m = NUMBERS.exec(s); m !== null; m = NUMBERS.exec(s)) if (topBits(parseFloat(m[0])) === NUMBER_TOKEN_BITS) return true;
  return false;
}

/** True when cdktf's resolve returns the number unchanged: not an encoded token nor the map placeholder. */
function isPlainNumber(n: number): boolean {
  if (n === Token.NUMBER_MAP_TOKEN_VALUE) return false;
  const top = topBits(n);
  return top !== NUMBER_TOKEN_BITS && top !== NUMBER_LIST_TOKEN_BITS;
}

/** True for a number cdktf reads as an element of a list token. */
function isListTokenNumber(n: number): boolean {
  return topBits(n) === NUMBER_LIST_TOKEN_BITS;
}

/**
 * True unless cdktf's resolve hands the whole array to its list resolvers: an element holding a
 * list-token marker, or a number carrying a list-token encoding.
 */
function isPlainArray(xs: readonly unknown[]): boolean {
  for (const x of xs) {
    if (typeof x === "string" && x.includes(BEGIN_LIST_TOKEN_MARKER)) return false;
    if (typeof x === "number" && isListTokenNumber(x)) return false;
  }
  return true;
}

/**
 * True unless cdktf's resolve treats the object as a whole: a key that is or holds a token (map
 * tokens among them), a token object (IResolvable), or a construct (which cdktf refuses).
 */
function isPlainObject(obj: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const key of keys) if (!isPlainString(key)) return false;
  if (typeof obj.resolve === "function") return false;
  return !(obj._children !== undefined && obj._metadata !== undefined);
}

/**
 * cdktf's `resolve(obj)` at key path `path` with no enclosing context (what `toTerraform` asks
 * for): plain data is copied here, anything else goes to cdktf at the same path.
 */
function resolvePlain(scope: IConstruct, obj: unknown, path: string[]): unknown {
  if (path.length > MAX_DEPTH) return delegate(scope, obj, path);
  switch (typeof obj) {
    case "undefined":
      return undefined;
    case "string":
      return isPlainString(obj) ? obj : delegate(scope, obj, path);
    case "number":
      return isPlainNumber(obj) ? obj : delegate(scope, obj, path);
    case "object":
      break;
    case "function":
      return delegate(scope, obj, path); // cdktf's error
    default:
      return obj; // boolean, bigint, symbol
  }
  if (obj === null) return null;
  if (obj instanceof Date) return obj;
  if (Array.isArray(obj)) {
    const xs = obj as readonly unknown[];
    if (!isPlainArray(xs)) return delegate(scope, obj, path);
    const out: unknown[] = [];
    for (let i = 0; i < xs.length; i++) {
      if (!(i in xs)) continue; // cdktf maps over the array, which skips holes
      path.push(`${i}`);
      const v = resolvePlain(scope, xs[i], path);
      path.pop();
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  const record = obj as Record<string, unknown>;
  const keys = Object.keys(record);
  if (!isPlainObject(record, keys)) return delegate(scope, obj, path);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    path.push(key);
    const v = resolvePlain(scope, record[key], path);
    path.pop();
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** cdktf's own resolve, at the same key path and with the same resolver as a stack's. */
function delegate(scope: IConstruct, obj: unknown, path: readonly string[]): unknown {
  return cdktfResolve(obj, { scope, preparing: false, resolver, prefix: [...path] }) as unknown;
}

/** Drop-in for cdktf's `_tokens.resolve(scope, obj, preparing)`; the preparing pass stays cdktf's. */
function resolveSparingly(this: void, scope: IConstruct, obj: unknown, preparing = false): unknown {
  return preparing ? cdktfResolve(obj, { scope, preparing, resolver }) : resolvePlain(scope, obj, []);
}

/** Stacks that currently resolve sparingly, so a second call does not wrap them twice. */
const tunedStacks = new WeakSet<TerraformStack>();

/**
 * Gives every stack under `scope` (the app, or one stack) the sparing resolver for its
 * `toTerraform`; returns a function that gives them cdktf's back. With GATEHOUSE_PLAIN_RESOLVE=1
 * it changes nothing.
 */
export function resolveTokensSparingly(scope: IConstruct, env: Readonly<Record<string, string | undefined>>): () => void {
  if (env.GATEHOUSE_PLAIN_RESOLVE === "1") return () => undefined;
  const restores: (() => void)[] = [];
  for (const c of scope.node.findAll()) {
    if (!TerraformStack.isStack(c) || tunedStacks.has(c)) continue;
    const stack = c;
    const hadOwn = Object.prototype.hasOwnProperty.call(stack, "toTerraform");
    const toTerraform = stack.toTerraform;
    stack.toTerraform = function (this: TerraformStack): ReturnType<TerraformStack["toTerraform"]> {
      const cdktfs = tokensModule.resolve;
      tokensModule.resolve = resolveSparingly;
      try {
        return toTerraform.call(this);
      } finally {
        tokensModule.resolve = cdktfs;
      }
    };
    tunedStacks.add(stack);
    restores.push(() => {
      if (hadOwn) stack.toTerraform = toTerraform;
      else delete (stack as Partial<Pick<TerraformStack, "toTerraform">>).toTerraform;
      tunedStacks.delete(stack);
    });
  }
  return () => {
    for (const restore of restores.splice(0)) restore();
  };
}
