/**
 * Stack invariants across providers, over every default environment: every consumer of a port
 * agrees with every other one.
 */
import { parse } from "yaml";
import { dataSources, refId, resources, synthDefaults, type TfJson } from "./helpers/synth";

type Values = {
  controller: {
    config: Record<string, string>;
    containerPort?: Record<string, number>;
    service: {
      type: string;
      ports: { http: number; https: number };
      targetPorts: { http: string; https: string };
      nodePorts?: { http: number; https: number; tcp: Record<string, number> };
      annotations?: Record<string, string>;
    };
  };
  tcp?: Record<string, string>;
};

function helmValues(json: TfJson): Values {
  const release = Object.values(resources(json, "helm_release"))[0] as { values: string[] };
  return parse(release.values[0] ?? "") as Values;
}

const all = synthDefaults();
const envs = [...new Set(Object.keys(all).map((k) => k.split("-")[0] as string))];
const awsEnvs = envs.filter((e) => all[`${e}-aws-edge`]);
const gcpEnvs = envs.filter((e) => all[`${e}-gcp-edge`]);
const podTargets = (env: string) => Object.keys(resources(all[`${env}-aws-cluster`] as TfJson, "kubernetes_manifest")).length > 0;
const nodeTargetEnvs = awsEnvs.filter((e) => !podTargets(e));
const podTargetEnvs = awsEnvs.filter(podTargets);

test("the defaults cover node targets, pod targets and GCP", () => {
  expect(nodeTargetEnvs.length).toBeGreaterThan(0);
  expect(podTargetEnvs.length).toBeGreaterThan(0);
  expect(gcpEnvs.length).toBeGreaterThan(0);
});

/** Target group per entry point name (from its gatehouse/entry-point tag). */
function groupsByEntry(edge: TfJson): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.values(resources(edge, "aws_lb_target_group")).map((tg) => [(tg.tags as Record<string, string>)["gatehouse/entry-point"], tg]));
}

describe.each(awsEnvs)("AWS invariants: %s", (env) => {
  const edge = all[`${env}-aws-edge`] as TfJson;
  const cluster = all[`${env}-aws-cluster`] as TfJson;
  const groups = resources(edge, "aws_lb_target_group");
  // Rules on the worker security groups (the NLB's own group, when made, admits clients).
  const rules = Object.values(resources(edge, "aws_vpc_security_group_ingress_rule")).filter((r) => String(r.security_group_id).startsWith("sg-"));
  const values = helmValues(cluster);

  it("opens a worker rule for every target group's traffic port and health port", () => {
    const opened = new Set(rules.map((r) => r.from_port));
    for (const tg of Object.values(groups)) {
      expect(opened).toContain(tg.port);
      expect(opened).toContain(Number((tg.health_check as { port: string }).port));
    }
    for (const r of rules) expect(r.to_port).toBe(r.from_port);
  });

  it("opens nothing wider than the VPC or the NLB's security group", () => {
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      if (r.cidr_ipv4 !== undefined) expect(r.cidr_ipv4).not.toBe("0.0.0.0/0");
      else expect(r.referenced_security_group_id).toBeDefined();
    }
  });

  it("wires each listener to the target group of its own entry point", () => {
    for (const [, l] of Object.entries(resources(edge, "aws_lb_listener"))) {
      const action = (l.default_action as Array<{ type: string; target_group_arn: string }>)[0];
      expect(action?.type).toBe("forward");
      const tg = groups[refId(action?.target_group_arn).split(".")[1] as string] as { tags: Record<string, string> };
      const entry = tg.tags["gatehouse/entry-point"];
      const expectedListener = { http: 80, https: 443 }[entry as "http" | "https"];
      if (expectedListener) expect(l.port).toBe(expectedListener);
    }
  });

  it("health-checks over HTTP with a path and matcher, which the provider accepts (it refuses both on TCP checks)", () => {
    expect(Object.keys(groups).length).toBeGreaterThan(0);
    for (const tg of Object.values(groups)) {
      const hc = tg.health_check as Record<string, unknown>;
      expect(hc.protocol).toBe("HTTP");
      expect(String(hc.path)).toMatch(/^\/.{0,1023}$/);
      expect(String(hc.matcher)).toMatch(/^[2-5][0-9]{2}([-,][2-5][0-9]{2})*$/);
    }
  });

  it("agrees on PROXY protocol on both sides, stream ports included", () => {
    const lbSide = new Set(Object.values(groups).map((tg) => tg.proxy_protocol_v2));
    expect(lbSide.size).toBe(1);
    const proxy = [...lbSide][0] === true;
    expect(values.controller.config["use-proxy-protocol"]).toBe(String(proxy));
    // tcp-services decode PROXY only from the third field ("ns/svc:port:PROXY").
    for (const ref of Object.values(values.tcp ?? {})) expect(ref.split(":")[2] === "PROXY").toBe(proxy);
  });
});

describe.each(nodeTargetEnvs)("AWS node targets: %s", (env) => {
  const edge = all[`${env}-aws-edge`] as TfJson;
  const cluster = all[`${env}-aws-cluster`] as TfJson;
  const groups = groupsByEntry(edge);
  const values = helmValues(cluster);

  it("gives the Helm Service the target groups' NodePorts, entry point by entry point", () => {
    const np = values.controller.service.nodePorts;
    expect(values.controller.service.type).toBe("NodePort");
    expect(groups.http?.port).toBe(np?.http);
    expect(groups.https?.port).toBe(np?.https);
    const tcpEntries = Object.entries(groups).filter(([name]) => name !== "http" && name !== "https");
    expect(tcpEntries.map(([, tg]) => tg.port).sort()).toEqual(Object.values(np?.tcp ?? {}).sort());
    for (const [, tg] of tcpEntries) expect(Object.values(np?.tcp ?? {})).toContain(tg.port);
  });

  it("points every health check at the health Service's nodePort", () => {
    const svc = Object.values(resources(cluster, "kubernetes_service_v1"))[0] as { spec: { port: Array<{ node_port: number }> } };
    expect(svc).toBeDefined();
    for (const tg of Object.values(groups)) expect(Number((tg.health_check as { port: string }).port)).toBe(svc.spec.port[0]?.node_port);
  });
});

describe.each(podTargetEnvs)("AWS pod targets: %s", (env) => {
  const edge = all[`${env}-aws-edge`] as TfJson;
  const cluster = all[`${env}-aws-cluster`] as TfJson;
  const groups = resources(edge, "aws_lb_target_group");

  it("binds every target group to the controller Service", () => {
    const bindings = Object.values(resources(cluster, "kubernetes_manifest")).map((m) => m.manifest as { spec: { targetGroupARN: string; targetType: string; serviceRef: { port: number } } });
    expect(bindings).toHaveLength(Object.keys(groups).length);
    const looked = dataSources(cluster, "aws_lb_target_group");
    expect(Object.values(looked).map((d) => d.name).sort()).toEqual(Object.values(groups).map((g) => g.name).sort());
    for (const b of bindings) {
      expect(b.spec.targetType).toBe("ip");
      expect(refId(b.spec.targetGroupARN)).toMatch(/^data\.aws_lb_target_group\./);
    }
  });

});

describe.each(awsEnvs)("AWS cluster order: %s", (env) => {
  const cluster = all[`${env}-aws-cluster`] as TfJson;

  it("creates the health Service and bindings only after the controller release (its namespace)", () => {
    const release = `helm_release.${Object.keys(resources(cluster, "helm_release"))[0]}`;
    const dependents = [...Object.values(resources(cluster, "kubernetes_service_v1")), ...Object.values(resources(cluster, "kubernetes_manifest"))];
    expect(dependents.length).toBeGreaterThan(0);
    for (const d of dependents) expect(d.depends_on).toEqual([release]);
  });
});

describe.each(gcpEnvs)("GCP invariants: %s", (env) => {
  const edge = all[`${env}-gcp-edge`] as TfJson;
  const clusterStacks = Object.keys(all).filter((k) => k.startsWith(`${env}-gcp-cluster-`));

  it("looks up exactly the NEG names the clusters' annotations declare", () => {
    const declared = clusterStacks.flatMap((k) => {
      const ann = JSON.parse(helmValues(all[k] as TfJson).controller.service.annotations?.["cloud.google.com/neg"] ?? "{}") as { exposed_ports: Record<string, { name: string }> };
      return Object.values(ann.exposed_ports).map((p) => p.name);
    });
    const looked = Object.values(dataSources(edge, "google_compute_network_endpoint_group")).map((d) => d.name as string);
    expect(new Set(looked)).toEqual(new Set(declared));
  });

  it("opens the firewall on exactly the pod ports the NEGs serve and the health port, from Google's ranges only", () => {
    const fw = Object.values(resources(edge, "google_compute_firewall"))[0] as { allow: Array<{ ports: string[] }>; source_ranges: string[] };
    const hc = Object.values(resources(edge, "google_compute_health_check"))[0] as { http_health_check: { port: number } };
    const ports = fw.allow[0]?.ports.map(Number) ?? [];
    const served = clusterStacks.flatMap((k) => {
      const v = helmValues(all[k] as TfJson);
      const named = { http: 80, https: 443, ...v.controller.containerPort } as Record<string, number>;
      const ann = JSON.parse(v.controller.service.annotations?.["cloud.google.com/neg"] ?? "{}") as { exposed_ports: Record<string, unknown> };
      return Object.keys(ann.exposed_ports).map((servicePort) => {
        if (Number(servicePort) === v.controller.service.ports.https) return named[v.controller.service.targetPorts.https] as number;
        return Number(servicePort); // tcp entries: the same port on the Service and the pod
      });
    });
    expect(served.length).toBeGreaterThan(0);
    expect(ports.sort((a, b) => a - b)).toEqual([...new Set([...served, hc.http_health_check.port])].sort((a, b) => a - b));
    expect(fw.source_ranges.sort()).toEqual(["130.211.0.0/22", "35.191.0.0/16"]);
  });

  it("puts the certificate map on every HTTPS and SSL proxy", () => {
    const mapId = Object.keys(resources(edge, "google_certificate_manager_certificate_map"))[0];
    const expected = `//certificatemanager.googleapis.com/\${google_certificate_manager_certificate_map.${mapId}.id}`;
    const proxies = [...Object.values(resources(edge, "google_compute_target_https_proxy")), ...Object.values(resources(edge, "google_compute_target_ssl_proxy"))];
    expect(proxies.length).toBeGreaterThanOrEqual(1);
    for (const p of proxies) expect(p.certificate_map).toBe(expected);
  });

  it("uses EXTERNAL_MANAGED on every forwarding rule and backend service", () => {
    for (const t of ["google_compute_global_forwarding_rule", "google_compute_backend_service"])
      for (const r of Object.values(resources(edge, t))) expect(r.load_balancing_scheme).toBe("EXTERNAL_MANAGED");
  });

  it("uses the same ports on every cluster's Service and never sets nodePorts on ClusterIP", () => {
    expect(clusterStacks.length).toBeGreaterThan(0);
    const shape = (k: string) => {
      const v = helmValues(all[k] as TfJson);
      const ann = JSON.parse(v.controller.service.annotations?.["cloud.google.com/neg"] ?? "{}") as { exposed_ports: Record<string, unknown> };
      return { ports: v.controller.service.ports, targetPorts: v.controller.service.targetPorts, tcp: Object.keys(v.tcp ?? {}), negPorts: Object.keys(ann.exposed_ports) };
    };
    for (const k of clusterStacks) {
      const v = helmValues(all[k] as TfJson);
      expect(v.controller.service.type).toBe("ClusterIP");
      expect(v.controller.service.nodePorts).toBeUndefined();
      expect(shape(k)).toEqual(shape(clusterStacks[0] as string));
    }
  });
});
