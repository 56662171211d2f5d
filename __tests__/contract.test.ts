import { buildContract, contractProblems, negEntryPoints, type ContractInput } from "../modules/model/contract";
import { ConfigError } from "../modules/core/errors";
import { contractInput, MQTTS } from "./helpers/fixtures";

const input = (change: Partial<ContractInput> = {}) => contractInput({ env: "prod", cluster: "eks", ...change });
const tcp = (listenerPort: number, nodePort: number, backend = "a/b:1") => ({ ...MQTTS.mqtts, listenerPort, nodePort, backend });

describe("buildContract", () => {
  it("decides listener, node, service and container ports per entry point", () => {
    const c = buildContract(input({ tcp: MQTTS }));
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

  it("sends https to the plain HTTP pod port and plain HTTP to the redirect port when TLS ends at the load balancer", () => {
    const c = buildContract(input({ https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } }));
    expect(c.entry("https")).toMatchObject({ containerPort: 80, tls: "terminate" });
    expect(c.entry("http")).toMatchObject({ containerPort: 2443, redirectsToHttps: true, tls: "none" });
    expect(c.terminatesTls).toBe(true);
    const passthrough = buildContract(input());
    expect(passthrough.entry("http")).toMatchObject({ containerPort: 80, redirectsToHttps: false });
    expect(passthrough.terminatesTls).toBe(false);
  });

  it("keeps each tcp entry's TLS choice, idle timeout and connection termination", () => {
    const c = buildContract(input({ tcp: { mqtts: { ...MQTTS.mqtts, tls: "terminate", idleTimeout: 900, connectionTermination: false } } }));
    expect(c.entry("mqtts")).toMatchObject({ tls: "terminate", idleTimeout: 900, connectionTermination: false });
    expect(c.terminatesTls).toBe(true);
  });

  it("derives NEG names from env, cluster and entry point, joined by a separator no name holds", () => {
    const a = buildContract(input({ cluster: "euw1" }));
    const b = buildContract(input({ cluster: "use1" }));
    expect(a.entry("https").negName).toBe("prod--euw1--https");
    expect(b.entry("https").negName).toBe("prod--use1--https");
    expect(negEntryPoints(a).map((e) => e.name)).toEqual(["https"]);
    // env "a-b" + cluster "c" and env "a" + cluster "b-c" once both gave "a-b-c-https".
    expect(buildContract(input({ env: "a-b", cluster: "c" })).entry("https").negName).not.toBe(buildContract(input({ env: "a", cluster: "b-c" })).entry("https").negName);
  });

  it("keeps NEG names within 63 characters", () => {
    const c = buildContract(input({ env: "a".repeat(20), cluster: "b".repeat(40) }));
    expect(c.entry("https").negName.length).toBeLessThanOrEqual(63);
    expect(c.entry("https").negName).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  });

  it("throws a ConfigError naming the env and every problem", () => {
    expect(() => buildContract(input({ http: { listenerPort: 80, nodePort: 30200 } }))).toThrow(ConfigError);
    let thrown: unknown;
    try {
      buildContract(input({ http: { listenerPort: 80, nodePort: 30200 }, https: { listenerPort: 443, nodePort: 40000, tls: "passthrough" } }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).problems.map((p) => [p.env, p.path])).toEqual([
      ["prod", "ports.http.nodePort"],
      ["prod", "ports.https.nodePort"],
    ]);
  });
});

describe("contractProblems", () => {
  const messages = (change: Partial<ContractInput>) => contractProblems(input(change)).map((p) => `${p.path}: ${p.message}`);

  it("refuses a NodePort outside the cluster's range", () => {
    expect(messages({ https: { listenerPort: 443, nodePort: 29999, tls: "passthrough" } })).toEqual(["ports.https.nodePort: must be a NodePort inside the cluster's node port range 30000-32767"]);
    expect(messages({ nodePortRange: { min: 20000, max: 22000 } })).toContain("ports.http.nodePort: must be a NodePort inside the cluster's node port range 20000-22000");
  });

  it("refuses a health NodePort equal to a traffic NodePort", () => {
    expect(messages({ health: { ...input().health, nodePort: 30080 } })).toEqual(["ports.http.nodePort: is already used by ports.health.nodePort; every NodePort (traffic and health) must be distinct"]);
  });

  it("refuses two entry points on one NodePort or one listener port", () => {
    expect(messages({ tcp: { x: tcp(9000, 30443) } })).toEqual(["ports.tcp.x.nodePort: is already used by ports.https; every NodePort (traffic and health) must be distinct"]);
    expect(messages({ tcp: { x: tcp(443, 30999) } })).toEqual([
      "ports.tcp.x.listenerPort: is already the listener port of ports.https; each entry point needs its own listener port",
      "ports.tcp.x.listenerPort: tcp entry points become controller pod ports; 80, 442, 443, 2443, 8181, 10245, 10246, 10247, 10254 are taken by the controller itself",
    ]);
  });

  it("refuses the ports ingress-nginx keeps for itself as tcp entry points", () => {
    for (const port of [442, 2443, 8181, 10246]) expect(messages({ tcp: { x: tcp(port, 30999) } })).toEqual([expect.stringMatching(/^ports\.tcp\.x\.listenerPort: tcp entry points become controller pod ports/)]);
  });

  it("refuses an idle timeout outside the NLB's 60-6000 s", () => {
    expect(messages({ tcp: { x: { ...tcp(9000, 30999), idleTimeout: 30 } } })).toEqual(["ports.tcp.x.idleTimeout: must be a whole number of seconds from 60 to 6000 (the NLB's TCP idle timeout range)"]);
    expect(messages({ tcp: { x: { ...tcp(9000, 30999), idleTimeout: 6000 } } })).toEqual([]);
  });

  it("refuses listener ports outside 1-65535", () => {
    expect(messages({ http: { listenerPort: 0, nodePort: 30080 } })).toEqual(["ports.http.listenerPort: must be a whole number from 1 to 65535"]);
    expect(messages({ http: { listenerPort: 70000, nodePort: 30080 } })).toEqual(["ports.http.listenerPort: must be a whole number from 1 to 65535"]);
  });

  it("needs a namespace/service:port backend on tcp entries", () => {
    expect(messages({ tcp: { x: tcp(9000, 30999, "") } })).toEqual(['ports.tcp.x.backend: must be "namespace/service:port", e.g. "messaging/broker:1883"']);
    expect(messages({ tcp: { x: tcp(9000, 30999, "broker:1883") } })).toHaveLength(1);
  });

  it("needs a node port range with min below max", () => {
    expect(messages({ nodePortRange: { min: 32767, max: 30000 } })).toContain("ports.nodePortRange: must be whole numbers with 1 <= min < max <= 65535");
  });

  it("needs a health path starting with /", () => {
    expect(messages({ health: { ...input().health, path: "healthz" } })).toEqual(['ports.health.path: must start with "/"']);
  });
});
