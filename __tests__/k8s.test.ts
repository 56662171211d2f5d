/** The cluster side: controller values, chart keys, health Service, bindings, providers. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { PortContract } from "../modules/model/contract";
import { ConfigError } from "../modules/core/errors";
import { ClusterAccess } from "../modules/k8s/cluster-access";
import { HealthCheckService } from "../modules/k8s/healthcheck-service";
import { IngressNginx, ingressNginxValues, negAnnotation, type IngressNginxProps } from "../modules/k8s/controllers/ingress-nginx";
import { ingressNginxIdentity } from "../modules/k8s/controllers/ingress-nginx-identity";
import { TargetGroupBindings } from "../modules/k8s/target-group-binding";
import { chartKeyIndex, unknownKeys, type KeyKind } from "../scripts/chart-keys";
import { contract as fixtureContract, MQTTS } from "./helpers/fixtures";
import { problemsOf } from "./helpers/problems";
import { dataSources, only, resources, synthConstruct } from "./helpers/synth";

function contract(change: { proxyProtocol?: boolean; tlsAtLoadBalancer?: boolean; cluster?: string } = {}): PortContract {
  const { tlsAtLoadBalancer, ...rest } = change;
  return fixtureContract({ tcp: MQTTS, ...rest, https: { listenerPort: 443, nodePort: 30443, tls: tlsAtLoadBalancer ? "terminate" : "passthrough" } });
}

type PropsChange = Partial<Omit<IngressNginxProps, "settings">> & Partial<IngressNginxProps["settings"]>;
/** ingress-nginx props with the env defaults; settings fields (replicas, config, …) may be given flat. */
const props = (change: PropsChange = {}): IngressNginxProps => {
  const { releaseName, namespace, chartVersion, replicas, resources, config, ...rest } = change;
  const settings = {
    releaseName: releaseName ?? "ingress-nginx",
    namespace: namespace ?? "ingress-nginx",
    chartVersion,
    replicas: replicas ?? 2,
    resources: resources ?? { cpu: "100m", memory: "90Mi" },
    config: config ?? {},
  };
  return { contract: contract(), exposure: "node-ports", settings, ...rest };
};

describe("ingress-nginx identity (chart 4.15.x naming)", () => {
  it("names the Service after the release as the chart's fullname helper does", () => {
    expect(ingressNginxIdentity("ingress-nginx").serviceName).toBe("ingress-nginx-controller");
    expect(ingressNginxIdentity("edge").serviceName).toBe("edge-ingress-nginx-controller");
    expect(ingressNginxIdentity("my-ingress-nginx").podSelector).toEqual({
      "app.kubernetes.io/name": "ingress-nginx",
      "app.kubernetes.io/instance": "my-ingress-nginx",
      "app.kubernetes.io/component": "controller",
    });
  });
});

describe("ingress-nginx values", () => {
  it("exposes the contract's NodePorts on a NodePort Service with externalTrafficPolicy Local", () => {
    const v = ingressNginxValues(props());
    expect(v.controller.service).toEqual({
      type: "NodePort",
      externalTrafficPolicy: "Local",
      ports: { http: 80, https: 443 },
      targetPorts: { http: "http", https: "https" },
      nodePorts: { http: 30080, https: 30443, tcp: { "8883": 30883 } },
    });
    expect(v.tcp).toEqual({ "8883": "messaging/broker:1883" });
  });

  it("TLS ended at the NLB: https to the plain port, plain HTTP to a port that only redirects (the chart's recipe)", () => {
    const v = ingressNginxValues(props({ contract: contract({ tlsAtLoadBalancer: true }) }));
    expect(v.controller.service.targetPorts).toEqual({ http: "tohttps", https: "http" });
    expect(v.controller.containerPort).toEqual({ http: 80, https: 443, tohttps: 2443 });
    expect(v.controller.config["http-snippet"]).toBe("server {\n  listen 2443;\n  return 308 https://$host$request_uri;\n}\n");
    // The controller sees https as plain HTTP on its http port: its own redirects would loop.
    expect(v.controller.config).toMatchObject({ "ssl-redirect": "false", "force-ssl-redirect": "false" });
    const passthrough = ingressNginxValues(props());
    expect(passthrough.controller.containerPort).toBeUndefined();
    expect(passthrough.controller.config["http-snippet"]).toBeUndefined();
  });

  it("decodes PROXY on the redirect port too when the NLB sends it", () => {
    const v = ingressNginxValues(props({ contract: contract({ tlsAtLoadBalancer: true, proxyProtocol: true }) }));
    expect(v.controller.config["http-snippet"]).toContain("listen 2443 proxy_protocol;");
  });

  it("turns use-proxy-protocol on exactly when the contract does, and PROXY decoding on every stream port", () => {
    const on = ingressNginxValues(props({ contract: contract({ proxyProtocol: true }) }));
    expect(on.controller.config["use-proxy-protocol"]).toBe("true");
    // ingress-nginx reads "<ns>/<svc>:<port>:<decode>:<encode>"; the third field decodes the NLB's header.
    expect(on.tcp).toEqual({ "8883": "messaging/broker:1883:PROXY" });
    const off = ingressNginxValues(props());
    expect(off.controller.config["use-proxy-protocol"]).toBe("false");
    expect(off.tcp).toEqual({ "8883": "messaging/broker:1883" });
  });

  it("on GKE: ClusterIP, NEG annotation keyed by Service port, no nodePorts, forwarded headers from Google only", () => {
    const v = ingressNginxValues(props({ exposure: "gke-neg" }));
    expect(v.controller.service.type).toBe("ClusterIP");
    expect(v.controller.service.nodePorts).toBeUndefined();
    expect(v.controller.service.externalTrafficPolicy).toBeUndefined();
    expect(JSON.parse(v.controller.service.annotations?.["cloud.google.com/neg"] ?? "")).toEqual({
      exposed_ports: { "443": { name: "prod--c1--https" }, "8883": { name: "prod--c1--mqtts" } },
    });
    expect(v.controller.config).toMatchObject({ "use-forwarded-headers": "true", "proxy-real-ip-cidr": "130.211.0.0/22,35.191.0.0/16" });
  });

  it("on GKE: trusts the forwarding rules' own addresses too, so the real client is found", () => {
    // X-Forwarded-For from Google's front end: "<client-supplied>, <client>, <forwarding rule IP>".
    const v = ingressNginxValues(props({ exposure: "gke-neg", loadBalancerAddresses: ["203.0.113.10", "2001:db8::1"] }));
    expect(v.controller.config["proxy-real-ip-cidr"]).toBe("130.211.0.0/22,35.191.0.0/16,203.0.113.10,2001:db8::1");
  });

  it("annotation JSON carries no Helm template braces (the chart passes annotations through tpl)", () => {
    expect(negAnnotation(contract())).not.toContain("{{");
  });

  it("runs more than one replica with a PDB, spread over zones and nodes, with requests, webhook on", () => {
    const v = ingressNginxValues(props({ replicas: 3, resources: { cpu: "500m", memory: "512Mi" } }));
    expect(v.controller).toMatchObject({ replicaCount: 3, minAvailable: 2, resources: { requests: { cpu: "500m", memory: "512Mi" } }, admissionWebhooks: { enabled: true } });
    expect(v.controller.topologySpreadConstraints.map((t) => t.topologyKey)).toEqual(["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    expect(v.controller.topologySpreadConstraints[0]?.labelSelector.matchLabels).toEqual(contract().podSelector);
  });

  it("keeps user config next to gatehouse's own keys", () => {
    const v = ingressNginxValues(props({ config: { "ssl-redirect": "false", "proxy-body-size": "8m" } }));
    expect(v.controller.config).toEqual({ "use-proxy-protocol": "false", "ssl-redirect": "false", "proxy-body-size": "8m" });
  });

  it("refuses one replica, and PROXY protocol behind NEGs, as every controller does", () => {
    const problems = (p: IngressNginxProps) => problemsOf(() => synthConstruct((s) => void new IngressNginx(s, "c", p)));
    // Environments meet these rules in the schema and the plan; the construct keeps them for direct use.
    expect(problems(props({ replicas: 1 }))).toEqual(["controller.replicas: must be a whole number from 2 to 100 (one replica means an outage on every node drain)"]);
    expect(problems(props({ exposure: "gke-neg", contract: contract({ proxyProtocol: true }) }))).toEqual([
      "ports.proxyProtocol: must be false behind NEGs: Google's Application Load Balancer never sends PROXY headers, so the controller would reject every request",
    ]);
    expect(problems(props({ config: { "use-proxy-protocol": "true" } }))).toEqual([
      "controller.config.use-proxy-protocol: is set by gatehouse from the port contract (PROXY protocol, forwarded headers, the https redirect); remove it",
    ]);
  });

  it("refuses config keys that gatehouse decides from the contract", () => {
    const problems = (p: IngressNginxProps) => {
      let thrown: unknown;
      try {
        synthConstruct((s) => void new IngressNginx(s, "c", p));
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      return (thrown as ConfigError).problems.map((x) => x.path);
    };
    expect(problems(props({ config: { "use-proxy-protocol": "true" } }))).toEqual(["controller.config.use-proxy-protocol"]);
    expect(problems(props({ exposure: "gke-neg", config: { "proxy-real-ip-cidr": "0.0.0.0/0" } }))).toEqual(["controller.config.proxy-real-ip-cidr"]);
    expect(problems(props({ contract: contract({ tlsAtLoadBalancer: true }), config: { "force-ssl-redirect": "true" } }))).toEqual(["controller.config.force-ssl-redirect"]);
  });

  it("escapes Terraform template sequences in the values it hands to Helm, and only those", () => {
    const json = synthConstruct((s) => void new IngressNginx(s, "c", props({ config: { "log-format-upstream": "${remote_addr} %{x}" } })));
    const values = (only(json, "helm_release").values as string[])[0] ?? "";
    expect(values).toContain("log-format-upstream: $${remote_addr} %%{x}");
    expect(values.replace(/\$\$\{|%%\{/g, "")).not.toMatch(/[$%]\{/);
  });
});

describe("every Helm value key is a key of the chart", () => {
  const index = JSON.parse(readFileSync(join(__dirname, "fixtures/ingress-nginx-4.15.1.keys.json"), "utf8")) as Record<string, KeyKind>;

  // The chart ranges over controller.containerPort, so any name there becomes a container port.
  const unknown = (values: unknown) => unknownKeys(index, values, new Set(["controller.containerPort"]));

  it.each([
    ["node-ports", props()],
    ["node-ports + TLS at NLB + PROXY", props({ contract: contract({ tlsAtLoadBalancer: true, proxyProtocol: true }) })],
    ["gke-neg", props({ exposure: "gke-neg" })],
  ])("%s", (_name, p) => {
    const json = synthConstruct((s) => void new IngressNginx(s, "c", p));
    const values = parse((only(json, "helm_release").values as string[])[0] ?? "");
    expect(unknown(values)).toEqual([]);
  });

  it("catches a misspelt key", () => {
    expect(unknown({ controller: { service: { nodePort: { http: 1 } } } })).toEqual(["controller.service.nodePort"]);
  });

  it("the committed key index matches the chart's values.yaml", () => {
    const values = join(__dirname, "fixtures/charts/ingress-nginx-4.15.1/values.yaml");
    expect(chartKeyIndex(readFileSync(values, "utf8"))).toEqual(index);
  });
});

describe("IngressNginx release", () => {
  it("pins the final chart from the ingress-nginx repository, atomic, in its own namespace", () => {
    const json = synthConstruct((s) => void new IngressNginx(s, "c", props()));
    expect(only(json, "helm_release")).toMatchObject({
      name: "ingress-nginx",
      repository: "https://kubernetes.github.io/ingress-nginx",
      chart: "ingress-nginx",
      version: "4.15.1",
      namespace: "ingress-nginx",
      create_namespace: true,
      atomic: true,
      wait: true,
    });
  });
});

describe("HealthCheckService", () => {
  it("selects the controller pods and forwards the health NodePort to 10254 by number", () => {
    const json = synthConstruct((s) => void new HealthCheckService(s, "hc", { contract: contract() }));
    expect(only(json, "kubernetes_service_v1")).toEqual({
      metadata: { name: "ingress-nginx-healthcheck", namespace: "ingress-nginx", labels: { "app.kubernetes.io/managed-by": "gatehouse", "app.kubernetes.io/component": "healthcheck" } },
      spec: {
        type: "NodePort",
        external_traffic_policy: "Local",
        selector: contract().podSelector,
        port: [{ name: "healthz", protocol: "TCP", port: 10254, target_port: "10254", node_port: 30200 }],
      },
    });
  });
});

describe("TargetGroupBindings", () => {
  it("binds each target group ARN to the controller Service port, ip targets", () => {
    const json = synthConstruct((s) => void new TargetGroupBindings(s, "b", { contract: contract(), targetGroupArns: { http: "arn:http", https: "arn:https", mqtts: "arn:mqtts" } }));
    const manifests = Object.values(resources(json, "kubernetes_manifest")).map((m) => m.manifest);
    expect(manifests).toContainEqual({
      apiVersion: "elbv2.k8s.aws/v1beta1",
      kind: "TargetGroupBinding",
      metadata: { name: "ingress-nginx-controller-https", namespace: "ingress-nginx" },
      spec: { targetGroupARN: "arn:https", targetType: "ip", serviceRef: { name: "ingress-nginx-controller", port: 443 } },
    });
    expect(manifests).toHaveLength(3);
  });
});

describe("ClusterAccess", () => {
  it("EKS: providers from aws_eks_cluster and aws_eks_cluster_auth, no kubeconfig", () => {
    const json = synthConstruct((s) => void new ClusterAccess(s, "k", { type: "eks", clusterName: "prod-eks" }));
    const eksId = Object.keys(dataSources(json, "aws_eks_cluster"))[0];
    const authId = Object.keys(dataSources(json, "aws_eks_cluster_auth"))[0];
    const conn = { host: `\${data.aws_eks_cluster.${eksId}.endpoint}`, cluster_ca_certificate: `\${base64decode(data.aws_eks_cluster.${eksId}.certificate_authority[0].data)}`, token: `\${data.aws_eks_cluster_auth.${authId}.token}` };
    expect(json.provider?.kubernetes).toEqual([conn]);
    expect(json.provider?.helm).toEqual([{ kubernetes: conn }]);
  });

  it("GKE: providers from google_container_cluster and google_client_config", () => {
    const json = synthConstruct((s) => void new ClusterAccess(s, "k", { type: "gke", clusterName: "c1", location: "europe-west1", project: "p-123456" }));
    expect(Object.values(dataSources(json, "google_container_cluster"))).toEqual([{ name: "c1", location: "europe-west1", project: "p-123456" }]);
    const k = json.provider?.kubernetes?.[0] as Record<string, string>;
    expect(k.host).toMatch(/^https:\/\/\$\{data\.google_container_cluster\.[^.]+\.endpoint\}$/);
    expect(k.token).toMatch(/^\$\{data\.google_client_config\.[^.]+\.access_token\}$/);
  });

  it("self-managed: a kubeconfig path and context", () => {
    const json = synthConstruct((s) => void new ClusterAccess(s, "k", { type: "kubeconfig", path: "~/.kube/config", context: "edge" }));
    expect(json.provider?.helm).toEqual([{ kubernetes: { config_path: "~/.kube/config", config_context: "edge" } }]);
  });
});
