/**
 * The port contract: the one place where ports, names and protocol choices are decided.
 *
 * A load balancer points at ports that only exist once the ingress controller runs; both sides
 * must agree on every number. `buildContract` decides them once per cluster and every consumer
 * (target groups, security-group rules, Helm values, the health-check Service, GCP backends and
 * firewall) reads them from the result. Nothing here is specific to ingress-nginx: a controller
 * module maps the contract onto its chart (modules/k8s/), so a maintained controller can take its
 * place behind the same load balancer.
 */
import type { FieldProblem } from "../core/errors";
import { ConfigError } from "../core/errors";
import { gcpName } from "../core/naming";
import * as rules from "../core/rules";

/**
 * The reference design's ports, the defaults of every environment: listeners 80/443 on
 * NodePorts 30080/30443, the HTTP health check on NodePort 30200 `/healthz`, inside the
 * Kubernetes default `--service-node-port-range` 30000-32767.
 */
export const DEFAULT_PORTS = {
  http: { listenerPort: 80, nodePort: 30080 },
  https: { listenerPort: 443, nodePort: 30443 },
  health: { nodePort: 30200, path: "/healthz" },
  nodePortRange: { min: 30000, max: 32767 },
} as const;

/** How an entry point's traffic reaches the controller. */
export type EntryKind =
  /** Plain HTTP (listener 80). */
  | "http"
  /** HTTP over TLS (listener 443). */
  | "https"
  /** Extra TCP entry point, proxied by the controller to one backend Service. */
  | "tcp"
  /** A Service reached directly, not through the controller: its own fixed NodePort (API Gateway's VPC link). */
  | "service";

/**
 * Where the client's TLS ends, decided once per entry point and applied the same way on every
 * cloud, so the controller (and a tcp entry's backend) receives the same protocol everywhere:
 * - `passthrough`: the load balancer forwards the bytes; TLS ends in the controller (https) or in
 *   the backend (tcp). AWS: a TCP listener. GCP: a target TCP proxy for tcp entries; for https
 *   Google's Application LB ends the client's TLS on the certificate map and re-encrypts to the
 *   controller's TLS port, so the controller still receives TLS.
 * - `terminate`: TLS ends at the load balancer and plain traffic reaches the controller. AWS: a
 *   TLS listener with the ACM certificate. GCP: a target SSL proxy (tcp) or the HTTPS proxy
 *   (https) on the certificate map, plain TCP / HTTP to the controller.
 */
export type TlsChoice = "passthrough" | "terminate";

export interface EntryPointInput {
  /** Port the load balancer listens on. */
  readonly listenerPort: number;
  /** Fixed NodePort of the controller Service for this entry point. */
  readonly nodePort: number;
}

export interface HttpsEntryInput extends EntryPointInput {
  /** @default "passthrough" */
  readonly tls: TlsChoice;
}

export interface TcpEntryInput extends HttpsEntryInput {
  /** The in-cluster backend, `namespace/service:port`. */
  readonly backend: string;
  /** Seconds an idle connection is kept open by the load balancers (60-6000). @default 350 */
  readonly idleTimeout: number;
  /** Close open connections when a target is deregistered (after the delay). @default true */
  readonly connectionTermination: boolean;
}

/** A Service the load balancer reaches directly on a NodePort of its own. */
export interface ServiceEntryInput extends EntryPointInput {
  /** Namespace of the Service and its pods. */
  readonly namespace: string;
  /** Name of the NodePort Service gatehouse makes. */
  readonly serviceName: string;
  /** Labels of the pods it sends to; when unset, those of `existingService`. */
  readonly selector?: Readonly<Record<string, string>>;
  /** An existing Service in the namespace whose selector to copy (read at plan time). */
  readonly existingService?: string;
  /** Pod port the traffic goes to. */
  readonly targetPort: number;
  /** How the load balancer checks a target: HTTP on a path, or a TCP connection, on the traffic port. */
  readonly healthCheck: { readonly protocol: "HTTP"; readonly path: string } | { readonly protocol: "TCP" };
}

export interface ContractInput {
  /** Environment name; part of every derived name. */
  readonly env: string;
  /** Cluster name; part of every derived name. */
  readonly cluster: string;
  /** Controller namespace. @default "ingress-nginx" */
  readonly namespace: string;
  /** Controller Service name (the chart decides it from the release name). */
  readonly serviceName: string;
  /** Labels that select the controller pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  readonly http: EntryPointInput;
  readonly https: HttpsEntryInput;
  /** Extra TCP entry points keyed by a stable name. @default {} */
  readonly tcp: Readonly<Record<string, TcpEntryInput>>;
  /** Services reached directly on NodePorts of their own, keyed by a stable name. @default {} */
  readonly services?: Readonly<Record<string, ServiceEntryInput>>;
  readonly health: {
    /** NodePort of the health-check Service (reference: 30200). */
    readonly nodePort: number;
    /** HTTP path of the controller's health endpoint. @default "/healthz" */
    readonly path: string;
    /** Port the controller serves health on inside the pod (ingress-nginx `--healthz-port`: 10254). */
    readonly podPort: number;
    /** Name of the health-check Service. */
    readonly serviceName: string;
  };
  /** @default { min: 30000, max: 32767 } */
  readonly nodePortRange: rules.PortRange;
  /** PROXY protocol v2 from the load balancer to the controller, on every entry point. @default false */
  readonly proxyProtocol: boolean;
  /**
   * Container ports of the controller pod: plain HTTP, TLS, and the port that answers every
   * request with a redirect to https (used for plain-HTTP clients when TLS ends at the load
   * balancer, which then sends https traffic to the plain HTTP port). ingress-nginx: 80, 443, 2443.
   */
  readonly containerPorts: { readonly http: number; readonly https: number; readonly redirect: number };
  /** Pod ports the controller keeps for itself (health, status, …); tcp entries cannot use them. */
  readonly reservedPodPorts: readonly number[];
}

export interface EntryPoint {
  /** Stable key: "http", "https", or the tcp entry's name. Used in logical ids and names. */
  readonly name: string;
  readonly kind: EntryKind;
  readonly listenerPort: number;
  readonly nodePort: number;
  /** Port of the controller Service (the NEG annotation's key on GKE). */
  readonly servicePort: number;
  /** Pod port the Service sends this entry point's traffic to. */
  readonly containerPort: number;
  /** Where the client's TLS ends; `none` for the plain http entry. */
  readonly tls: TlsChoice | "none";
  /** http entry: every request is answered with a redirect to https (TLS ends at the load balancer). */
  readonly redirectsToHttps: boolean;
  /** tcp entries: `namespace/service:port`. */
  readonly backend?: string;
  /** tcp entries: idle timeout in seconds. */
  readonly idleTimeout?: number;
  /** Close connections when a target is deregistered. */
  readonly connectionTermination: boolean;
  /** Name of the GKE standalone NEG for this entry point; unique per env and cluster. */
  readonly negName: string;
  /** service entries: the Service gatehouse makes and how the load balancer checks it. */
  readonly service?: Omit<ServiceEntryInput, "listenerPort" | "nodePort">;
}

/** What a load balancer registers as targets. */
export type TargetKind =
  /** Node IPs at NodePorts; health via the health-check NodePort. */
  | "node"
  /** Pod IPs at container ports (NEGs, TargetGroupBinding ip mode); health on the pod's port. */
  | "pod";

export interface TargetPorts {
  readonly entry: EntryPoint;
  /** Port traffic is sent to on the target. */
  readonly trafficPort: number;
  /** Port the health check probes on the target. */
  readonly healthPort: number;
  /** HTTP on `healthPath`, or a TCP connection (no path: the provider refuses one on a TCP check). */
  readonly healthProtocol: "HTTP" | "TCP";
  readonly healthPath?: string;
}

export interface PortContract {
  readonly env: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly serviceName: string;
  readonly podSelector: Readonly<Record<string, string>>;
  /** http, https, then tcp entries in name order. */
  readonly entryPoints: readonly EntryPoint[];
  /** Services reached directly (kind "service"), in name order; not served by the controller. */
  readonly services: readonly EntryPoint[];
  readonly health: ContractInput["health"];
  readonly nodePortRange: rules.PortRange;
  readonly proxyProtocol: boolean;
  readonly containerPorts: ContractInput["containerPorts"];
  /** True when some entry point ends TLS at the load balancer (it then needs a certificate). */
  readonly terminatesTls: boolean;
  /** The ports a load balancer uses for each entry point and service, by what it targets. */
  targets(kind: TargetKind): readonly TargetPorts[];
  entry(name: string): EntryPoint;
}

/**
 * Entry point names that the stacks already use beside the entry points' own construct ids, with
 * why: an entry point of that name would make a second construct of one id. `http` and `https` are
 * the built-in entry points; `readiness-gate` is the namespace label TargetGroupBindings adds next
 * to the bindings, which are named after the entry points (modules/k8s/target-group-binding.ts).
 */
export const RESERVED_ENTRY_NAMES: Readonly<Record<string, string>> = {
  http: 'is the name of the built-in plain HTTP entry point (ports.http); give the tcp entry point another name, e.g. "http-alt"',
  https: 'is the name of the built-in HTTPS entry point (ports.https); give the tcp entry point another name, e.g. "https-alt"',
  "readiness-gate": "is reserved: gatehouse gives this name to the namespace's pod readiness-gate label, next to the target group bindings, which take the entry point names; choose another name",
};

/** Why an entry point cannot have this name; undefined when it can. */
export function reservedEntryName(name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(RESERVED_ENTRY_NAMES, name) ? RESERVED_ENTRY_NAMES[name] : undefined;
}

/** The lookup of a service entry's existing Service is named `<entry>-existing` (modules/k8s/service-entries.ts). */
export const EXISTING_SERVICE_SUFFIX = "-existing";

const BACKEND = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\/([a-z0-9](?:[-a-z0-9]*[a-z0-9])?):([0-9]{1,5})$/;

/** Every problem with a contract input, with paths relative to the env's `ports` section. */
export function contractProblems(input: ContractInput): FieldProblem[] {
  const out: FieldProblem[] = [];
  const range = input.nodePortRange;
  const { min: lowest, max: highest } = rules.PORT_LIMITS;
  // Each end a port (at its own field), and the two in order.
  const ends = (["min", "max"] as const).map((k) => [k, rules.port(range[k])] as const).filter(([, m]) => m !== undefined);
  for (const [k, m] of ends) out.push({ path: `ports.nodePortRange.${k}`, value: range[k], message: m as string });
  if (ends.length === 0 && !(range.min < range.max))
    out.push({ path: "ports.nodePortRange", value: range, message: `must be whole numbers with ${lowest} <= min < max <= ${highest}` });

  const entries: Array<[string, EntryPointInput & { backend?: string; idleTimeout?: number }]> = [
    ["http", input.http],
    ["https", input.https],
    ...Object.entries(input.tcp).map(([k, v]): [string, TcpEntryInput] => [`tcp.${k}`, v]),
    ...Object.entries(input.services ?? {}).map(([k, v]): [string, EntryPointInput] => [`services.${k}`, v]),
  ];
  for (const name of Object.keys(input.tcp)) {
    const reserved = reservedEntryName(name);
    if (reserved) out.push({ path: `ports.tcp.${name}`, value: name, message: reserved });
  }
  for (const [name, s] of Object.entries(input.services ?? {})) {
    const reserved = reservedEntryName(name);
    if (reserved && name !== "http" && name !== "https") out.push({ path: `ports.services.${name}`, value: name, message: reserved });
    if (name in input.tcp || name === "http" || name === "https")
      out.push({ path: `ports.services.${name}`, value: name, message: "is also the name of an entry point; service and entry point names must be distinct (they name the target groups)" });
    // ServiceEntries looks an existing Service up as `<name>-existing`, beside the Services it makes.
    const base = name.endsWith(EXISTING_SERVICE_SUFFIX) ? name.slice(0, -EXISTING_SERVICE_SUFFIX.length) : undefined;
    if (base !== undefined && input.services?.[base]?.existingService !== undefined)
      out.push({ path: `ports.services.${name}`, value: name, message: `is taken: service ${base} copies an existing Service, which gatehouse looks up under the name "${name}"; rename one of them` });
    const tp = rules.port(s.targetPort);
    if (tp) out.push({ path: `ports.services.${name}.targetPort`, value: s.targetPort, message: tp });
    if (s.healthCheck.protocol === "HTTP" && !(s.healthCheck.path.startsWith("/") && s.healthCheck.path.length <= 1024))
      out.push({ path: `ports.services.${name}.healthCheck.path`, value: s.healthCheck.path, message: 'must start with "/" and be at most 1024 characters' });
  }
  const listenerSeen = new Map<number, string>();
  const nodeSeen = new Map<number, string>([[input.health.nodePort, "health.nodePort"]]);
  const hcNode = rules.nodePort(input.health.nodePort, range);
  if (hcNode) out.push({ path: "ports.health.nodePort", value: input.health.nodePort, message: hcNode });
  for (const [key, e] of entries) {
    const lp = rules.port(e.listenerPort);
    if (lp) out.push({ path: `ports.${key}.listenerPort`, value: e.listenerPort, message: lp });
    const np = rules.nodePort(e.nodePort, range);
    if (np) out.push({ path: `ports.${key}.nodePort`, value: e.nodePort, message: np });
    const prevL = listenerSeen.get(e.listenerPort);
    if (prevL) out.push({ path: `ports.${key}.listenerPort`, value: e.listenerPort, message: `is already the listener port of ports.${prevL}; each entry point needs its own listener port` });
    else listenerSeen.set(e.listenerPort, key);
    const prevN = nodeSeen.get(e.nodePort);
    if (prevN) out.push({ path: `ports.${key}.nodePort`, value: e.nodePort, message: `is already used by ports.${prevN}; every NodePort (traffic and health) must be distinct` });
    else nodeSeen.set(e.nodePort, key);
    if (key.startsWith("tcp.")) {
      const m = e.backend === undefined ? null : BACKEND.exec(e.backend);
      if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535)
        out.push({ path: `ports.${key}.backend`, value: e.backend, message: 'must be "namespace/service:port", e.g. "messaging/broker:1883"' });
      const reserved = [...new Set([input.containerPorts.http, input.containerPorts.https, input.containerPorts.redirect, input.health.podPort, ...input.reservedPodPorts])].sort((a, b) => a - b);
      if (reserved.includes(e.listenerPort))
        out.push({ path: `ports.${key}.listenerPort`, value: e.listenerPort, message: `tcp entry points become controller pod ports; ${reserved.join(", ")} are taken by the controller itself` });
      const idle = e.idleTimeout;
      const idleProblem = idle === undefined ? undefined : rules.tcpIdleTimeout(idle);
      if (idleProblem) out.push({ path: `ports.${key}.idleTimeout`, value: idle, message: idleProblem });
    }
  }
  if (!input.health.path.startsWith("/"))
    out.push({ path: "ports.health.path", value: input.health.path, message: 'must start with "/"' });
  return out;
}

/** Builds the contract; throws a ConfigError naming every problem when the input is invalid. */
export function buildContract(input: ContractInput): PortContract {
  const problems = contractProblems(input);
  if (problems.length) throw new ConfigError(problems.map((p) => ({ ...p, env: input.env })));

  const neg = (entry: string) => gcpName([input.env, input.cluster, entry]);
  const httpsAtLb = input.https.tls === "terminate";
  const entryPoints: EntryPoint[] = [
    {
      name: "http",
      kind: "http",
      listenerPort: input.http.listenerPort,
      nodePort: input.http.nodePort,
      servicePort: 80,
      // TLS ended at the load balancer: the controller cannot tell a plain-HTTP client from an
      // https one on its http port, so plain-HTTP clients get a port that only redirects.
      containerPort: httpsAtLb ? input.containerPorts.redirect : input.containerPorts.http,
      tls: "none",
      redirectsToHttps: httpsAtLb,
      connectionTermination: false,
      negName: neg("http"),
    },
    {
      name: "https",
      kind: "https",
      listenerPort: input.https.listenerPort,
      nodePort: input.https.nodePort,
      servicePort: 443,
      // TLS ended at the load balancer: decrypted traffic goes to the plain HTTP pod port.
      containerPort: httpsAtLb ? input.containerPorts.http : input.containerPorts.https,
      tls: input.https.tls,
      redirectsToHttps: false,
      connectionTermination: false,
      negName: neg("https"),
    },
    ...Object.keys(input.tcp)
      .sort()
      .map((name): EntryPoint => {
        const e = input.tcp[name] as TcpEntryInput;
        // A controller tcp entry is exposed on the same port on the Service and the pod.
        return {
          name,
          kind: "tcp",
          listenerPort: e.listenerPort,
          nodePort: e.nodePort,
          servicePort: e.listenerPort,
          containerPort: e.listenerPort,
          tls: e.tls,
          redirectsToHttps: false,
          backend: e.backend,
          idleTimeout: e.idleTimeout,
          connectionTermination: e.connectionTermination,
          negName: neg(name),
        };
      }),
  ];
  const services = Object.keys(input.services ?? {})
    .sort()
    .map((name): EntryPoint => {
      const s = (input.services ?? {})[name] as ServiceEntryInput;
      const { listenerPort, nodePort, ...service } = s;
      return { name, kind: "service", listenerPort, nodePort, servicePort: listenerPort, containerPort: s.targetPort, tls: "passthrough", redirectsToHttps: false, connectionTermination: false, negName: neg(name), service };
    });
  const byName = new Map([...entryPoints, ...services].map((e) => [e.name, e]));
  return {
    env: input.env,
    cluster: input.cluster,
    namespace: input.namespace,
    serviceName: input.serviceName,
    podSelector: input.podSelector,
    entryPoints,
    health: input.health,
    nodePortRange: input.nodePortRange,
    proxyProtocol: input.proxyProtocol,
    containerPorts: input.containerPorts,
    terminatesTls: entryPoints.some((e) => e.tls === "terminate"),
    services,
    targets(kind: TargetKind): readonly TargetPorts[] {
      const controller = entryPoints.map(
        (entry): TargetPorts =>
          kind === "node"
            ? { entry, trafficPort: entry.nodePort, healthPort: input.health.nodePort, healthProtocol: "HTTP", healthPath: input.health.path }
            : { entry, trafficPort: entry.containerPort, healthPort: input.health.podPort, healthProtocol: "HTTP", healthPath: input.health.path },
      );
      // A service answers its own health check, on the traffic port.
      const direct = services.map((entry): TargetPorts => {
        const port = kind === "node" ? entry.nodePort : entry.containerPort;
        const hc = entry.service?.healthCheck;
        return { entry, trafficPort: port, healthPort: port, healthProtocol: hc?.protocol ?? "TCP", healthPath: hc?.protocol === "HTTP" ? hc.path : undefined };
      });
      return [...controller, ...direct];
    },
    entry(name: string): EntryPoint {
      const e = byName.get(name);
      if (!e) throw new Error(`no entry point "${name}" in the contract of ${input.env}/${input.cluster}`);
      return e;
    },
  };
}

/**
 * Entry points served through GKE standalone NEGs behind the global load balancer. The plain
 * HTTP listener there only redirects to HTTPS at the load balancer, so it needs no backend.
 */
export function negEntryPoints(contract: PortContract): readonly EntryPoint[] {
  return contract.entryPoints.filter((e) => e.kind !== "http");
}
