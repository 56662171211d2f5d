import { buildContract, contractProblems, negEntryPoints, type ContractInput } from "../modules/contract";
import { ConfigError } from "../modules/errors";
import { contractInput } from "./helpers/fixtures";

const input = (change: Partial<ContractInput> = {}) => contractInput({ env: "prod", cluster: "eks", ...change });

describe("buildContract", () => {
  it("decides listener, node, service and container ports per entry point", () => {
    const c = buildContract(input({ tcp: { mqtts: { listenerPort: 8883, nodePort: 30883, backend: "messaging/broker:1883" } } }));
    expect(c.entryPoints.map((e) => [e.name, e.kind, e.listenerPort, e.nodePort, e.servicePort, e.containerPort])).toEqual([
      ["http", "http", 80, 30080, 80, 80],
      ["https", "https", 443, 30443, 443, 443],
      ["mqtts", "tcp", 8883, 30883, 8883, 8883],
    ]);
  });

  it("targets NodePorts and the health NodePort for node targets, pod ports and 10254 for pod targets", () => {
    const c = buildContract(input());
    expect(c.targets("node").map((t) => [t.trafficPort, t.healthPort])).toEqual([[30080, 30200], [30443, 30200]]);
    expect(c.targets("pod").map((t) => [t.trafficPort, t.healthPort])).toEqual([[80, 10254], [443, 10254]]);
  });

  it("sends https to the plain HTTP pod port when TLS ends at the load balancer", () => {
    expect(buildContract(input({ tlsAtLoadBalancer: true })).entry("https").containerPort).toBe(80);
  });

  it("derives NEG names from env, cluster and entry point, unique per cluster", () => {
    const a = buildContract(input({ cluster: "euw1" }));
    const b = buildContract(input({ cluster: "use1" }));
    expect(a.entry("https").negName).toBe("prod-euw1-https");
    expect(b.entry("https").negName).toBe("prod-use1-https");
    expect(negEntryPoints(a).map((e) => e.name)).toEqual(["https"]);
  });

  it("keeps NEG names within 63 characters", () => {
    const c = buildContract(input({ env: "a".repeat(20), cluster: "b".repeat(40) }));
    expect(c.entry("https").negName.length).toBeLessThanOrEqual(63);
    expect(c.entry("https").negName).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("throws a ConfigError naming the env and every problem", () => {
    expect(() => buildContract(input({ http: { listenerPort: 80, nodePort: 30200 } }))).toThrow(ConfigError);
    try {
      buildContract(input({ http: { listenerPort: 80, nodePort: 30200 }, https: { listenerPort: 443, nodePort: 40000 } }));
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => [p.env, p.path])).toEqual([
        ["prod", "ports.http.nodePort"],
        ["prod", "ports.https.nodePort"],
      ]);
    }
  });
});

describe("contractProblems", () => {
  const messages = (change: Partial<ContractInput>) => contractProblems(input(change)).map((p) => `${p.path}: ${p.message}`);

  it("refuses a NodePort outside the cluster's range", () => {
    expect(messages({ https: { listenerPort: 443, nodePort: 29999 } })).toEqual(["ports.https.nodePort: must be a NodePort inside the cluster's node port range 30000-32767"]);
    expect(messages({ nodePortRange: { min: 20000, max: 22000 } })).toContain("ports.http.nodePort: must be a NodePort inside the cluster's node port range 20000-22000");
  });

  it("refuses a health NodePort equal to a traffic NodePort", () => {
    expect(messages({ health: { ...input().health, nodePort: 30080 } })).toEqual(["ports.http.nodePort: is already used by ports.health.nodePort; every NodePort (traffic and health) must be distinct"]);
  });

  it("refuses two entry points on one NodePort or one listener port", () => {
    expect(messages({ tcp: { x: { listenerPort: 9000, nodePort: 30443, backend: "a/b:1" } } })).toEqual(["ports.tcp.x.nodePort: is already used by ports.https; every NodePort (traffic and health) must be distinct"]);
    expect(messages({ tcp: { x: { listenerPort: 443, nodePort: 30999, backend: "a/b:1" } } })).toEqual([
      "ports.tcp.x.listenerPort: is already the listener port of ports.https; each entry point needs its own listener port",
      "ports.tcp.x.listenerPort: tcp entry points become controller pod ports; 80, 443, 10254 are taken by the controller itself",
    ]);
  });

  it("refuses listener ports outside 1-65535", () => {
    expect(messages({ http: { listenerPort: 0, nodePort: 30080 } })).toEqual(["ports.http.listenerPort: must be a whole number from 1 to 65535"]);
    expect(messages({ http: { listenerPort: 70000, nodePort: 30080 } })).toEqual(["ports.http.listenerPort: must be a whole number from 1 to 65535"]);
  });

  it("needs a namespace/service:port backend on tcp entries", () => {
    expect(messages({ tcp: { x: { listenerPort: 9000, nodePort: 30999 } } })).toEqual(['ports.tcp.x.backend: must be "namespace/service:port", e.g. "messaging/broker:1883"']);
    expect(messages({ tcp: { x: { listenerPort: 9000, nodePort: 30999, backend: "broker:1883" } } })).toHaveLength(1);
  });

  it("gives a backend only to tcp entry points", () => {
    expect(messages({ http: { listenerPort: 80, nodePort: 30080, backend: "a/b:1" } })).toEqual(["ports.http.backend: only tcp entry points take a backend; http and https go to the controller"]);
  });

  it("needs a node port range with min below max", () => {
    expect(messages({ nodePortRange: { min: 32767, max: 30000 } })).toContain("ports.nodePortRange: must be whole numbers with 1 <= min < max <= 65535");
  });

  it("needs a health path starting with /", () => {
    expect(messages({ health: { ...input().health, path: "healthz" } })).toEqual(['ports.health.path: must start with "/"']);
  });
});
