/**
 * Terraform's expression language, the part gatehouse's plan-time conditions use, evaluated here
 * so tests check what a `precondition`/`postcondition` decides for a given cluster, not only its
 * text (no terraform binary is needed or available).
 *
 * Covered: templates (`${…}`, `$${` escapes; a template that is one interpolation yields its value,
 * as in Terraform), string/number/bool/null literals, tuples, `[for x in coll : expr if cond]`,
 * attribute and index access, `!`, `-`, `==`, `!=`, `<`, `<=`, `>`, `>=`, `&&`, `||`, `? :`, and the
 * functions `alltrue`, `anytrue`, `can`, `contains`, `format` (%s, %q, %d, %%), `length`, `lower`,
 * `regex`, `try`. Semantics follow HCL where it matters for these checks: indexing a missing key or
 * a null value is an error, which `try` and `can` absorb; `regex` fails when nothing matches; both
 * operands of `&&` and `||` are evaluated; a conditional reports only the chosen branch's errors.
 * Anything else (directives, splats, other functions) throws, so an unsupported expression is never
 * silently misjudged. Regular expressions are run by JavaScript: gatehouse writes its patterns
 * without backslashes, classes or lookarounds, where RE2 and JavaScript agree.
 */

export type HclValue = null | boolean | number | string | HclValue[] | { [key: string]: HclValue };

/** An evaluation error Terraform would report (absorbed by `try` and `can`). */
export class HclError extends Error {}

type Node =
  | { k: "lit"; v: HclValue }
  | { k: "tpl"; parts: Array<string | Node> }
  | { k: "ref"; name: string }
  | { k: "attr"; of: Node; name: string }
  | { k: "index"; of: Node; key: Node }
  | { k: "call"; name: string; args: Node[] }
  | { k: "tuple"; items: Node[] }
  | { k: "for"; key?: string; value: string; coll: Node; body: Node; cond?: Node }
  | { k: "unary"; op: "!" | "-"; x: Node }
  | { k: "binary"; op: string; a: Node; b: Node }
  | { k: "cond"; c: Node; a: Node; b: Node };

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  /** A whole template (the text of a Terraform string). */
  template(): Node {
    const parts = this.templateParts(undefined);
    if (this.i !== this.s.length) throw new Error(`unexpected text at ${this.i}: ${this.s.slice(this.i, this.i + 20)}`);
    return { k: "tpl", parts };
  }

  /** Template parts up to `close` (a quote inside an expression), or the end. */
  private templateParts(close: '"' | undefined): Array<string | Node> {
    const parts: Array<string | Node> = [];
    let text = "";
    while (this.i < this.s.length) {
      const ch = this.s[this.i] as string;
      if (close && ch === close) break;
      if (this.s.startsWith("$${", this.i) || this.s.startsWith("%%{", this.i)) {
        text += this.s.slice(this.i + 1, this.i + 3);
        this.i += 3;
      } else if (this.s.startsWith("${", this.i)) {
        if (text) parts.push(text);
        text = "";
        this.i += 2;
        parts.push(this.expr());
        this.ws();
        this.expect("}");
      } else if (this.s.startsWith("%{", this.i)) {
        throw new Error("template directives are not supported");
      } else if (close && ch === "\\") {
        const next = this.s[this.i + 1];
        const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
        const hex = next === "u" ? 4 : next === "U" ? 8 : 0;
        if (hex) {
          const digits = this.s.slice(this.i + 2, this.i + 2 + hex);
          if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) throw new Error(`bad escape \\${next}${digits}`);
          text += String.fromCodePoint(parseInt(digits, 16));
          this.i += 2 + hex;
          continue;
        }
        if (next === undefined || map[next] === undefined) throw new Error(`unsupported escape \\${next ?? ""}`);
        text += map[next];
        this.i += 2;
      } else {
        text += ch;
        this.i += 1;
      }
    }
    if (text) parts.push(text);
    return parts;
  }

  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i] as string)) this.i++;
  }

  private peek(token: string): boolean {
    this.ws();
    if (!this.s.startsWith(token, this.i)) return false;
    // A keyword must not run into an identifier.
    return !/^[a-z]+$/.test(token) || !/[\w-]/.test(this.s[this.i + token.length] ?? "");
  }

  private eat(token: string): boolean {
    if (!this.peek(token)) return false;
    this.i += token.length;
    return true;
  }

  private expect(token: string): void {
    if (!this.eat(token)) throw new Error(`expected "${token}" at ${this.i}: ${this.s.slice(this.i, this.i + 30)}`);
  }

  expr(): Node {
    const c = this.or();
    if (this.eat("?")) {
      const a = this.expr();
      this.expect(":");
      const b = this.expr();
      return { k: "cond", c, a, b };
    }
    return c;
  }

  private binaryLevel(ops: readonly string[], next: () => Node): Node {
    let a = next();
    for (;;) {
      const op = ops.find((o) => this.peek(o) && !(o === "<" && this.peek("<=")) && !(o === ">" && this.peek(">=")));
      if (!op) return a;
      this.i += op.length;
      a = { k: "binary", op, a, b: next() };
    }
  }

  private or = (): Node => this.binaryLevel(["||"], this.and);
  private and = (): Node => this.binaryLevel(["&&"], this.equality);
  private equality = (): Node => this.binaryLevel(["==", "!="], this.comparison);
  private comparison = (): Node => this.binaryLevel(["<=", ">=", "<", ">"], this.unary);

  private unary = (): Node => {
    if (this.peek("!") && !this.peek("!=")) {
      this.i += 1;
      return { k: "unary", op: "!", x: this.unary() };
    }
    if (this.eat("-")) return { k: "unary", op: "-", x: this.unary() };
    return this.postfix();
  };

  private postfix(): Node {
    let n = this.primary();
    for (;;) {
      if (this.eat(".")) {
        if (this.peek("*")) throw new Error("splat expressions are not supported");
        n = { k: "attr", of: n, name: this.ident() };
      } else if (this.peek("[") && !this.peek("[*")) {
        this.i += 1;
        const key = this.expr();
        this.expect("]");
        n = { k: "index", of: n, key };
      } else {
        return n;
      }
    }
  }

  private ident(): string {
    this.ws();
    const m = /^[A-Za-z_][\w-]*/.exec(this.s.slice(this.i));
    if (!m) throw new Error(`expected a name at ${this.i}: ${this.s.slice(this.i, this.i + 20)}`);
    this.i += m[0].length;
    return m[0];
  }

  private primary(): Node {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '"') {
      this.i += 1;
      const parts = this.templateParts('"');
      this.expect('"');
      return { k: "tpl", parts };
    }
    if (ch === "(") {
      this.i += 1;
      const e = this.expr();
      this.expect(")");
      return e;
    }
    if (ch === "[") {
      this.i += 1;
      if (this.peek("for")) return this.forTuple();
      const items: Node[] = [];
      while (!this.eat("]")) {
        items.push(this.expr());
        if (!this.eat(",")) {
          this.expect("]");
          break;
        }
      }
      return { k: "tuple", items };
    }
    const num = /^[0-9]+(\.[0-9]+)?/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return { k: "lit", v: Number(num[0]) };
    }
    const name = this.ident();
    if (name === "true" || name === "false") return { k: "lit", v: name === "true" };
    if (name === "null") return { k: "lit", v: null };
    if (this.eat("(")) {
      const args: Node[] = [];
      while (!this.eat(")")) {
        args.push(this.expr());
        if (!this.eat(",")) {
          this.expect(")");
          break;
        }
      }
      return { k: "call", name, args };
    }
    return { k: "ref", name };
  }

  private forTuple(): Node {
    this.expect("for");
    let value = this.ident();
    let key: string | undefined;
    if (this.eat(",")) {
      key = value;
      value = this.ident();
    }
    this.expect("in");
    const coll = this.expr();
    this.expect(":");
    const body = this.expr();
    const cond = this.eat("if") ? this.expr() : undefined;
    this.expect("]");
    return { k: "for", key, value, coll, body, cond };
  }
}

type Scope = Readonly<Record<string, HclValue>>;

function typeName(v: HclValue): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "tuple";
  return typeof v === "object" ? "object" : typeof v;
}

function asBool(v: HclValue, what: string): boolean {
  if (typeof v !== "boolean") throw new HclError(`${what}: a bool is required, got ${typeName(v)}`);
  return v;
}

function asString(v: HclValue, what: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new HclError(`${what}: a string is required, got ${typeName(v)}`);
}

function asList(v: HclValue, what: string): HclValue[] {
  if (!Array.isArray(v)) throw new HclError(`${what}: a list is required, got ${typeName(v)}`);
  return v;
}

function equal(a: HclValue, b: HclValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function format(spec: string, args: HclValue[]): string {
  let n = 0;
  return spec.replace(/%([%sqd])/g, (_m, verb: string) => {
    if (verb === "%") return "%";
    if (n >= args.length) throw new HclError("format: not enough arguments");
    const v = args[n++] as HclValue;
    if (verb === "q") return JSON.stringify(asString(v, "format %q"));
    if (verb === "d") {
      if (typeof v !== "number") throw new HclError("format %d: a number is required");
      return String(Math.trunc(v));
    }
    return asString(v, "format %s");
  });
}

function call(name: string, args: Node[], scope: Scope): HclValue {
  const value = (n: Node) => evaluate(n, scope);
  switch (name) {
    case "can":
      try {
        value(args[0] as Node);
        return true;
      } catch (e) {
        if (e instanceof HclError) return false;
        throw e;
      }
    case "try":
      for (const a of args) {
        try {
          return value(a);
        } catch (e) {
          if (!(e instanceof HclError)) throw e;
        }
      }
      throw new HclError("try: no expression succeeded");
    case "alltrue":
      return asList(value(args[0] as Node), "alltrue").every((v) => asBool(v, "alltrue"));
    case "anytrue":
      return asList(value(args[0] as Node), "anytrue").some((v) => asBool(v, "anytrue"));
    case "contains": {
      const item = value(args[1] as Node);
      return asList(value(args[0] as Node), "contains").some((v) => equal(v, item));
    }
    case "length": {
      const v = value(args[0] as Node);
      if (typeof v === "string") return [...v].length;
      if (Array.isArray(v)) return v.length;
      if (v !== null && typeof v === "object") return Object.keys(v).length;
      throw new HclError(`length: not a collection (${typeName(v)})`);
    }
    case "lower":
      return asString(value(args[0] as Node), "lower").toLowerCase();
    case "join": {
      const sep = asString(value(args[0] as Node), "join separator");
      return args
        .slice(1)
        .flatMap((a) => asList(value(a), "join"))
        .map((v) => asString(v, "join element"))
        .join(sep);
    }
    case "jsonencode":
      return goJson(value(args[0] as Node));
    case "format":
      return format(asString(value(args[0] as Node), "format"), args.slice(1).map(value));
    case "regex": {
      const pattern = asString(value(args[0] as Node), "regex pattern");
      if (/\\|\(\?/.test(pattern)) throw new Error(`regex pattern ${pattern} uses syntax where RE2 and JavaScript may differ`);
      const m = new RegExp(pattern).exec(asString(value(args[1] as Node), "regex string"));
      if (!m) throw new HclError(`regex: pattern did not match any part of the given string`);
      return m.length > 1 ? m.slice(1).map((g) => g ?? null) : m[0];
    }
    default:
      throw new Error(`function ${name} is not supported`);
  }
}

function evaluate(n: Node, scope: Scope): HclValue {
  switch (n.k) {
    case "lit":
      return n.v;
    case "tpl": {
      // One interpolation and nothing else: its value, whatever its type.
      if (n.parts.length === 1 && typeof n.parts[0] !== "string") return evaluate(n.parts[0] as Node, scope);
      return n.parts.map((p) => (typeof p === "string" ? p : asString(evaluate(p, scope), "template interpolation"))).join("");
    }
    case "ref": {
      if (!(n.name in scope) && resolver) return resolver(n.name);
      if (!(n.name in scope)) throw new Error(`reference to an undeclared name: ${n.name}`);
      return scope[n.name] as HclValue;
    }
    case "attr": {
      // A reference to a resource or data source of the stack (`data.x.y.attr`), when the caller resolves those.
      const path = resolver ? traversal(n) : undefined;
      if (path !== undefined && resolver && !((/^[^.[]+/.exec(path)?.[0] ?? "") in scope)) return resolver(path);
      const of = evaluate(n.of, scope);
      if (of === null) throw new HclError(`attempt to get attribute ${n.name} from a null value`);
      if (typeof of !== "object" || Array.isArray(of)) throw new HclError(`unsupported attribute ${n.name} of a ${typeName(of)}`);
      if (!(n.name in of)) throw new HclError(`unsupported attribute: this object does not have an attribute named ${n.name}`);
      return of[n.name] as HclValue;
    }
    case "index": {
      const path = resolver ? traversal(n) : undefined;
      if (path !== undefined && resolver && !((/^[^.[]+/.exec(path)?.[0] ?? "") in scope)) return resolver(path);
      const of = evaluate(n.of, scope);
      const key = evaluate(n.key, scope);
      if (of === null) throw new HclError("attempt to index a null value");
      if (Array.isArray(of)) {
        if (typeof key !== "number" || !Number.isInteger(key) || key < 0 || key >= of.length) throw new HclError(`invalid index ${JSON.stringify(key)} of a tuple of ${of.length}`);
        return of[key] as HclValue;
      }
      if (typeof of === "object") {
        const k = asString(key, "index");
        if (!(k in of)) throw new HclError(`invalid index: the given key ${JSON.stringify(k)} does not identify an element`);
        return of[k] as HclValue;
      }
      throw new HclError(`cannot index a ${typeName(of)}`);
    }
    case "call":
      return call(n.name, n.args, scope);
    case "tuple":
      return n.items.map((i) => evaluate(i, scope));
    case "for": {
      const coll = evaluate(n.coll, scope);
      const entries: Array<[HclValue, HclValue]> = Array.isArray(coll)
        ? coll.map((v, i) => [i, v])
        : coll !== null && typeof coll === "object"
          ? Object.entries(coll)
          : (() => {
              throw new HclError(`for: cannot iterate over a ${typeName(coll)}`);
            })();
      const out: HclValue[] = [];
      for (const [k, v] of entries) {
        const inner: Scope = { ...scope, [n.value]: v, ...(n.key ? { [n.key]: k } : {}) };
        if (n.cond && !asBool(evaluate(n.cond, inner), "for condition")) continue;
        out.push(evaluate(n.body, inner));
      }
      return out;
    }
    case "unary": {
      const x = evaluate(n.x, scope);
      if (n.op === "!") return !asBool(x, "!");
      if (typeof x !== "number") throw new HclError("unary -: a number is required");
      return -x;
    }
    case "binary": {
      const a = evaluate(n.a, scope);
      const b = evaluate(n.b, scope);
      switch (n.op) {
        case "&&":
          return asBool(a, "&&") && asBool(b, "&&");
        case "||":
          return asBool(a, "||") || asBool(b, "||");
        case "==":
          return equal(a, b);
        case "!=":
          return !equal(a, b);
        default: {
          if (typeof a !== "number" || typeof b !== "number") throw new HclError(`${n.op}: numbers are required`);
          return n.op === "<" ? a < b : n.op === "<=" ? a <= b : n.op === ">" ? a > b : a >= b;
        }
      }
    }
    case "cond": {
      const c = asBool(evaluate(n.c, scope), "condition");
      // HCL evaluates both results but reports only the chosen one's errors.
      return evaluate(c ? n.a : n.b, scope);
    }
  }
}

/** What references to the stack's objects evaluate to, while evaluateTemplate runs with a resolver. */
let resolver: ((reference: string) => HclValue) | undefined;

/** The dotted text of an attribute chain (`data.aws_caller_identity.account.account_id`), or undefined. */
function traversal(n: Node): string | undefined {
  if (n.k === "ref") return n.name;
  if (n.k === "index" && n.key.k === "lit" && (typeof n.key.v === "number" || typeof n.key.v === "string")) {
    const of = traversal(n.of);
    return of === undefined ? undefined : `${of}[${JSON.stringify(n.key.v)}]`;
  }
  if (n.k !== "attr") return undefined;
  const of = traversal(n.of);
  return of === undefined ? undefined : `${of}.${n.name}`;
}

/**
 * Terraform's jsonencode: Go's encoding/json, as cty marshals values: object keys sorted, `<`, `>`
 * and `&` written as \u003c, \u003e, \u0026, U+2028 and U+2029 escaped, \b and \f as \u0008 and
 * \u000c.
 */
export function goJson(v: HclValue): string {
  if (typeof v === "string") {
    let out = '"';
    for (const ch of v) {
      const c = ch.codePointAt(0) ?? 0;
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (c < 0x20 || ch === "<" || ch === ">" || ch === "&" || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, "0")}`;
      else out += ch;
    }
    return `${out}"`;
  }
  if (Array.isArray(v)) return `[${v.map(goJson).join(",")}]`;
  if (v !== null && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${goJson(k)}:${goJson(v[k] as HclValue)}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

/**
 * Evaluates a Terraform string (a template) from the synthesized JSON with the given names in scope.
 * With `resolve`, a reference whose first name is not in scope (`data.x.y.attr`, `aws_lb.x.arn`)
 * evaluates to what `resolve` returns for its dotted text: the value a plan would fill in.
 */
export function evaluateTemplate(text: string, scope: Scope, resolve?: (reference: string) => HclValue): HclValue {
  const previous = resolver;
  resolver = resolve;
  try {
    return evaluate(new Parser(text).template(), scope);
  } finally {
    resolver = previous;
  }
}

/** A condition: must come out a bool. */
export function evaluateCondition(text: string, scope: Scope): boolean {
  const v = evaluateTemplate(text, scope);
  if (typeof v !== "boolean") throw new Error(`condition ${text} evaluated to ${JSON.stringify(v)}, not a bool`);
  return v;
}

/** An error message: must come out a string. */
export function evaluateMessage(text: string, scope: Scope): string {
  const v = evaluateTemplate(text, scope);
  if (typeof v !== "string") throw new Error(`message ${text} evaluated to ${JSON.stringify(v)}, not a string`);
  return v;
}
