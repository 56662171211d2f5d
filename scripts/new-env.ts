/**
 * npm run new-env -- <name> [--shape <shape>] [--controller <kind>] [--dir <dir>]
 *
 * Writes `envs/<name>.yaml`: a starting environment of one shape, every field commented with its
 * description from the published JSON Schema (envs/gatehouse.schema.json, the same schema that
 * validates it), and every value the team must replace marked `# ← yours: …`. The file is
 * validated and planned before it is written, so it synthesizes as it is: `npm run synth` picks
 * it up from envs/ with no variable. An existing file is never overwritten.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { Document, isMap, isPair, isScalar, isSeq, type Node, type Pair } from "yaml";
import { loadEnvironmentText } from "../modules/config/loader";
import { CONTROLLER_KINDS } from "../modules/k8s/controllers/plugin";
import { ConfigError } from "../modules/core/errors";
import { planEnvironment } from "../modules/plan";

export const SHAPES = ["aws-nlb", "gke", "aws-and-gke", "api-gateway", "lattice"] as const;
export type Shape = (typeof SHAPES)[number];
type ControllerKind = (typeof CONTROLLER_KINDS)[number];

const SHAPE_SUMMARY: Readonly<Record<Shape, string>> = {
  "aws-nlb": "an EKS cluster behind an AWS Network Load Balancer (the reference design)",
  gke: "a GKE cluster behind Google's global external load balancer, with a certificate map and Cloud DNS",
  "aws-and-gke": "one port contract on both clouds: EKS behind an NLB and GKE behind the global load balancer",
  "api-gateway": "API Gateway in front of an internal NLB through a VPC link, a fixed NodePort per service",
  lattice: "EKS services on a VPC Lattice service network through the AWS Gateway API controller",
};

/** A starting environment: the data, and what to say beside the values the team must replace. */
interface Starter {
  readonly data: Record<string, unknown>;
  readonly yours: Readonly<Record<string, string>>;
}

function awsSection(name: string, internetFacing: boolean): { aws: Record<string, unknown>; yours: Record<string, string> } {
  return {
    aws: {
      region: "eu-west-1",
      cluster: { name: `${name}-eks`, access: { type: "eks" } },
      vpc: { id: "vpc-0123456789abcdef0", cidrs: ["10.0.0.0/16"] },
      nlb: { internetFacing, subnets: ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] },
      targets: { mode: "discover", tagKey: "Name", tagValues: [`${name}-eks-node`] },
      workerSecurityGroupIds: ["sg-0123456789abcdef0"],
    },
    yours: {
      "aws.region": "the cluster's region",
      "aws.cluster.name": "the EKS cluster's name",
      "aws.vpc.id": "the cluster's VPC",
      "aws.vpc.cidrs": "the VPC's CIDR blocks",
      "aws.nlb.subnets": "subnets in at least two zones (public ones for an internet-facing NLB)",
      "aws.targets.tagValues": "the value of the workers' Name tag",
      "aws.workerSecurityGroupIds": "the worker nodes' security group",
    },
  };
}

function gcpSection(name: string): { hostnames: string[]; gcp: Record<string, unknown>; yours: Record<string, string> } {
  return {
    hostnames: ["example.com", "*.example.com"],
    gcp: {
      project: "my-gcp-project",
      network: "default",
      dns: { zone: "example-com", domain: "example.com" },
      nodeTargets: { tags: [`gke-${name}-node`] },
      clusters: [{ name: `${name}-euw1`, location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"], capacity: 1 }],
    },
    yours: {
      "gcp.project": "the project of the load balancer and the clusters",
      "gcp.network": "the clusters' VPC network",
      "gcp.dns.zone": "an existing Cloud DNS managed zone",
      "gcp.dns.domain": "that zone's domain",
      hostnames: "the names clients use",
      "gcp.nodeTargets.tags": "the GKE nodes' network tag",
      "gcp.clusters.0.name": "the GKE cluster's name",
      "gcp.clusters.0.location": "its region (or zone)",
      "gcp.clusters.0.zones": "the zones its nodes run in",
    },
  };
}

export function starter(name: string, shape: Shape, controller: ControllerKind): Starter {
  const base = { name, description: `${name}: ${SHAPE_SUMMARY[shape]}.`, state: { type: "local" }, tags: { team: "platform" } };
  // TLS passes through to the controller by default; Gateway API controllers then need the Secret.
  const ctl = controller === "ingress-nginx" ? {} : { controller: { kind: controller, config: { httpsCertificateSecret: `${name}-tls` } } };
  const ctlYours: Record<string, string> = controller === "ingress-nginx" ? {} : { "controller.config.httpsCertificateSecret": "a kubernetes.io/tls Secret in the controller's namespace" };
  switch (shape) {
    case "aws-nlb": {
      const a = awsSection(name, true);
      return { data: { ...base, ...ctl, aws: a.aws }, yours: { ...ctlYours, ...a.yours } };
    }
    case "gke": {
      const g = gcpSection(name);
      return { data: { ...base, ...ctl, hostnames: g.hostnames, gcp: g.gcp }, yours: { ...ctlYours, ...g.yours } };
    }
    case "aws-and-gke": {
      const a = awsSection(name, true);
      const g = gcpSection(name);
      return { data: { ...base, ...ctl, aws: a.aws, hostnames: g.hostnames, gcp: g.gcp }, yours: { ...ctlYours, ...a.yours, ...g.yours } };
    }
    case "api-gateway": {
      const a = awsSection(name, false);
      const services = {
        orders: { listenerPort: 8081, nodePort: 31081, namespace: "shop", selector: { app: "orders" }, targetPort: 8080, healthCheck: { protocol: "HTTP", path: "/healthz" } },
      };
      return {
        data: { ...base, ...ctl, ports: { services }, aws: { ...a.aws, apiGateway: { type: "http", routes: { "ANY /orders/{proxy+}": "orders" }, stage: { name: "live", throttling: { rateLimit: 500, burstLimit: 1000 } } } } },
        yours: { ...ctlYours, ...a.yours, "ports.services.orders": "one entry per service API Gateway reaches" },
      };
    }
    case "lattice": {
      const a = awsSection(name, false);
      return {
        data: {
          ...base,
          ...ctl,
          aws: {
            ...a.aws,
            lattice: {
              serviceNetworkName: `${name}-network`,
              authType: "AWS_IAM",
              authPolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Principal: "*", Action: "vpc-lattice-svcs:Invoke", Resource: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" } } }],
              }),
              identity: "pod-identity",
              installPodIdentityAgent: true,
              routes: { orders: { path: "/orders", backend: "shop/orders:8080" } },
            },
          },
        },
        yours: { ...a.yours, "aws.lattice.authPolicy": "who may call the services: your AWS Organization's id", "aws.lattice.routes": "your services, as routes on the service network" },
      };
    }
  }
}

/** JSON Schema nodes, as much of them as the descriptions need. */
interface SchemaNode {
  readonly description?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly items?: SchemaNode;
  readonly oneOf?: readonly SchemaNode[];
  readonly anyOf?: readonly SchemaNode[];
  readonly allOf?: readonly SchemaNode[];
}

/** The schema nodes a field path can lead to (alternatives of a union all count). */
function nodesAt(schema: SchemaNode, path: readonly string[]): SchemaNode[] {
  let current: SchemaNode[] = [schema];
  for (const key of path) {
    const next: SchemaNode[] = [];
    const visit = (n: SchemaNode) => {
      for (const alt of [...(n.oneOf ?? []), ...(n.anyOf ?? []), ...(n.allOf ?? [])]) visit(alt);
      const byName = n.properties?.[key];
      if (byName) next.push(byName);
      else if (/^\d+$/.test(key) && n.items) next.push(n.items);
      else if (typeof n.additionalProperties === "object") next.push(n.additionalProperties);
    };
    current.forEach(visit);
    current = next;
  }
  return current;
}

/** The description of a field, from the schema. */
export function describeField(schema: SchemaNode, path: readonly string[]): string | undefined {
  const seen = new Set<string>();
  const find = (n: SchemaNode): string | undefined => n.description ?? [...(n.oneOf ?? []), ...(n.anyOf ?? [])].map(find).find((d) => d !== undefined);
  for (const n of nodesAt(schema, path)) {
    const d = find(n);
    if (d !== undefined && !seen.has(d)) return d;
  }
  return undefined;
}

/** Text cut into lines of at most `width` characters, for comments. */
function wrap(text: string, width = 96): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l) => ` ${l}`).join("\n");
}

/** The starter as YAML: each field with its schema description above it, each value to replace marked. */
export function renderStarter(s: Starter, schema: SchemaNode, header: string): string {
  const doc = new Document(s.data);
  const annotate = (node: unknown, path: string[]): void => {
    if (isMap(node)) {
      for (const pair of node.items as Pair<Node, Node>[]) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const p = [...path, String(pair.key.value)];
        const desc = describeField(schema, p);
        if (desc) pair.key.commentBefore = wrap(desc);
        mark(pair.value, p);
        annotate(pair.value, p);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => annotate(item, [...path, String(i)]));
  };
  const mark = (value: unknown, path: string[]): void => {
    const note = s.yours[path.join(".")];
    if (note === undefined) return;
    if (isScalar(value) || isSeq(value) || isMap(value)) {
      if (isSeq(value) && value.items.every(isScalar)) value.flow = true;
      if (isScalar(value) || isSeq(value)) value.comment = ` ← yours: ${note}`;
      else value.commentBefore = ` ← yours: ${note}`;
    }
  };
  annotate(doc.contents, []);
  doc.commentBefore = header;
  return doc.toString({ lineWidth: 0 });
}

export interface NewEnvOptions {
  readonly name: string;
  readonly shape: Shape;
  readonly controller: ControllerKind;
  /** Where the team's environments live (envs/). */
  readonly dir: string;
}

export function parseArgs(argv: readonly string[]): NewEnvOptions | { readonly error: string } {
  const usage = `usage: npm run new-env -- <name> [--shape ${SHAPES.join("|")}] [--controller ${CONTROLLER_KINDS.join("|")}]`;
  let name: string | undefined;
  let shape: string = "aws-nlb";
  let controller: string = "ingress-nginx";
  let dir = "envs";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const value = () => argv[++i] ?? "";
    if (a === "--shape") shape = value();
    else if (a === "--controller") controller = value();
    else if (a === "--dir") dir = value();
    else if (a.startsWith("--")) return { error: `unknown option ${a}; ${usage}` };
    else if (name === undefined) name = a;
    else return { error: `one environment name, got ${name} and ${a}; ${usage}` };
  }
  if (name === undefined) return { error: `name the environment; ${usage}` };
  if (!(SHAPES as readonly string[]).includes(shape)) return { error: `--shape ${shape}: must be one of ${SHAPES.join(", ")}` };
  if (!(CONTROLLER_KINDS as readonly string[]).includes(controller)) return { error: `--controller ${controller}: must be one of ${CONTROLLER_KINDS.join(", ")}` };
  if (shape === "lattice" && controller !== "ingress-nginx") return { error: `--controller ${controller}: the lattice shape routes through the AWS Gateway API controller; leave --controller out` };
  return { name, shape: shape as Shape, controller: controller as ControllerKind, dir };
}

/** Writes the file; returns its path, or throws a ConfigError / Error with the reason. */
export function newEnv(opts: NewEnvOptions, root = process.cwd()): string {
  const schemaFile = join(__dirname, "..", "envs", "gatehouse.schema.json");
  const schema = JSON.parse(readFileSync(schemaFile, "utf8")) as SchemaNode;
  const dir = resolve(root, opts.dir);
  const file = join(dir, `${opts.name}.yaml`);
  if (existsSync(file)) throw new Error(`${relative(root, file)} exists; gatehouse never overwrites an environment: choose another name or remove the file`);
  const schemaRef = relative(dir, schemaFile) || "gatehouse.schema.json";
  const header = [
    ` yaml-language-server: $schema=${schemaRef}`,
    "",
    ` ${opts.name}: ${SHAPE_SUMMARY[opts.shape]}${opts.controller === "ingress-nginx" ? "" : `, with ${opts.controller}`}.`,
    " Written by npm run new-env. Replace every value marked \"← yours\", then run npm run synth:",
    ` every file in ${relative(root, dir) || "."}/ is an environment. Each field's comment comes from the JSON Schema;`,
    " README, Environments, lists the defaults of the fields left out.",
  ].join("\n");
  const s = starter(opts.name, opts.shape, opts.controller);
  const text = renderStarter(s, schema, header);
  // Validated and planned exactly as synth will read it; nothing is written otherwise.
  for (const l of loadEnvironmentText(text, file)) planEnvironment(l.env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, text, { flag: "wx" });
  return file;
}

if (require.main === module) {
  const opts = parseArgs(process.argv.slice(2));
  if ("error" in opts) {
    process.stderr.write(`gatehouse new-env: ${opts.error}\n`);
    process.exit(2);
  }
  try {
    const file = newEnv(opts);
    process.stdout.write(`gatehouse new-env: wrote ${relative(process.cwd(), file)} (${opts.shape}${opts.controller === "ingress-nginx" ? "" : `, ${opts.controller}`}); replace the values marked "← yours", then npm run synth\n`);
  } catch (e) {
    process.stderr.write(`${e instanceof ConfigError ? e.message : `gatehouse new-env: ${(e as Error).message}`}\n`);
    process.exit(1);
  }
}
