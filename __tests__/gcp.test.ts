/** The GCP global edge: address and DNS, cert map, frontends, NEG backends, firewall. */
import type { PortContract } from "../modules/contract";
import { ConfigError } from "../modules/errors";
import { GlobalAddressDns } from "../modules/gcp/address-dns";
import { authorizationDomains, CertMap } from "../modules/gcp/cert-map";
import { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import { FrontEndFirewall, frontEndPorts } from "../modules/gcp/firewall";
import { GlobalFrontends } from "../modules/gcp/frontends";
import { NegBackends, type NegCluster } from "../modules/gcp/neg-backends";
import { contract as fixtureContract, MQTTS } from "./helpers/fixtures";
import { dataSources, only, resources, synthDefaults, type TfJson } from "./helpers/synth";
import { synthConstruct } from "./helpers/synth";

const contract = (cluster: string, env = "prod"): PortContract => fixtureContract({ env, cluster, tcp: MQTTS });

describe("GlobalAddressDns", () => {
  it("reserves a global IPv4 (and IPv6) address and writes A/AAAA records with trailing dots", () => {
    const json = synthConstruct((s) => void new GlobalAddressDns(s, "a", { name: "prod-ip", zone: "example-com", hostnames: ["example.com", "*.apps.example.com"], ipv6: true }));
    const addresses = Object.values(resources(json, "google_compute_global_address"));
    expect(addresses.map((a) => [a.name, a.ip_version, a.address_type])).toEqual([["prod-ip", "IPV4", "EXTERNAL"], ["prod-ip-v6", "IPV6", "EXTERNAL"]]);
    const zoneId = Object.keys(dataSources(json, "google_dns_managed_zone"))[0];
    const records = Object.values(resources(json, "google_dns_record_set"));
    expect(records.map((r) => `${r.name} ${r.type}`).sort()).toEqual(["*.apps.example.com. A", "*.apps.example.com. AAAA", "example.com. A", "example.com. AAAA"]);
    for (const r of records) expect(r.managed_zone).toBe(`\${data.google_dns_managed_zone.${zoneId}.name}`);
    expect(records[0]?.rrdatas).toEqual([expect.stringMatching(/^\$\{google_compute_global_address\.[^.]+\.address\}$/)]);
  });
});

describe("CertMap", () => {
  const json = synthConstruct((s) => void new CertMap(s, "certs", { namePrefix: "prod-gatehouse", hostnames: ["example.com", "*.example.com", "*.apps.example.com"], zone: "example-com" }));

  it("makes one DNS authorization per base domain", () => {
    expect(authorizationDomains(["example.com", "*.example.com", "*.apps.example.com"])).toEqual(["apps.example.com", "example.com"]);
    expect(Object.values(resources(json, "google_certificate_manager_dns_authorization")).map((a) => a.domain)).toEqual(["apps.example.com", "example.com"]);
  });

  it("writes each authorization's CNAME from its own dns_resource_record", () => {
    const auths = Object.keys(resources(json, "google_certificate_manager_dns_authorization"));
    const records = Object.values(resources(json, "google_dns_record_set"));
    expect(records).toHaveLength(2);
    auths.forEach((id, i) => {
      expect(records[i]).toEqual({
        managed_zone: "example-com",
        name: `\${google_certificate_manager_dns_authorization.${id}.dns_resource_record[0].name}`,
        type: `\${google_certificate_manager_dns_authorization.${id}.dns_resource_record[0].type}`,
        ttl: 300,
        rrdatas: [`\${google_certificate_manager_dns_authorization.${id}.dns_resource_record[0].data}`],
      });
    });
  });

  it("issues one managed certificate over every hostname with the authorizations", () => {
    const cert = only(json, "google_certificate_manager_certificate") as { managed: { domains: string[]; dns_authorizations: string[] }; scope: string };
    expect(cert.scope).toBe("DEFAULT");
    expect(cert.managed.domains).toEqual(["example.com", "*.example.com", "*.apps.example.com"]);
    expect(cert.managed.dns_authorizations).toHaveLength(2);
    for (const a of cert.managed.dns_authorizations) expect(a).toMatch(/^\$\{google_certificate_manager_dns_authorization\.[^.]+\.id\}$/);
  });

  it("maps every hostname plus a PRIMARY entry, with the map's name (not id) as map", () => {
    const mapId = Object.keys(resources(json, "google_certificate_manager_certificate_map"))[0];
    const entries = Object.values(resources(json, "google_certificate_manager_certificate_map_entry"));
    expect(entries.map((e) => String(e.hostname ?? e.matcher)).sort()).toEqual(["*.apps.example.com", "*.example.com", "PRIMARY", "example.com"]);
    for (const e of entries) {
      expect(e.map).toBe(`\${google_certificate_manager_certificate_map.${mapId}.name}`);
      expect(e.hostname === undefined || e.matcher === undefined).toBe(true);
    }
  });
});

describe("NegBackends", () => {
  const clusters: NegCluster[] = [
    { name: "euw1", zones: ["europe-west1-b", "europe-west1-c"], capacity: 1, contract: contract("euw1") },
    { name: "use1", zones: ["us-east1-b"], capacity: 0, contract: contract("use1") },
  ];
  const json = synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "prod-gatehouse", project: "acme-prod", clusters, tcpProtocols: { mqtts: "SSL" } }));
  const services = resources(json, "google_compute_backend_service");

  it("looks up each cluster's NEG by name in each of its zones", () => {
    const negs = Object.values(dataSources(json, "google_compute_network_endpoint_group")).map((n) => `${n.zone}/${n.name}`);
    expect(negs.sort()).toEqual(
      ["europe-west1-b/prod-euw1-https", "europe-west1-c/prod-euw1-https", "us-east1-b/prod-use1-https", "europe-west1-b/prod-euw1-mqtts", "europe-west1-c/prod-euw1-mqtts", "us-east1-b/prod-use1-mqtts"].sort(),
    );
  });

  it("HTTPS backend: EXTERNAL_MANAGED, RATE per endpoint, NEG self links, capacity per cluster", () => {
    const https = Object.values(services).find((s) => s.protocol === "HTTPS") as { backend: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(https).toMatchObject({ load_balancing_scheme: "EXTERNAL_MANAGED", log_config: { enable: true, sample_rate: 1 } });
    expect(https.backend).toHaveLength(3);
    for (const b of https.backend) {
      expect(b).toMatchObject({ balancing_mode: "RATE", max_rate_per_endpoint: 100 });
      expect(b.group).toMatch(/^\$\{data\.google_compute_network_endpoint_group\.[^.]+\.self_link\}$/);
    }
    expect(https.backend.map((b) => b.capacity_scaler)).toEqual([1, 1, 0]);
  });

  it("tcp backend: CONNECTION per endpoint with the chosen protocol", () => {
    const tcp = Object.values(services).find((s) => s.protocol === "SSL") as { backend: Array<Record<string, unknown>> };
    for (const b of tcp.backend) expect(b).toMatchObject({ balancing_mode: "CONNECTION", max_connections_per_endpoint: 100 });
  });

  it("health-checks the controller's fixed health port and path", () => {
    expect(only(json, "google_compute_health_check").http_health_check).toEqual({ port_specification: "USE_FIXED_PORT", port: 10254, request_path: "/healthz" });
  });

  it("refuses NEG names shared by two clusters in one zone", () => {
    const twin: NegCluster[] = [
      { name: "a", zones: ["europe-west1-b"], capacity: 1, contract: contract("x") },
      { name: "b", zones: ["europe-west1-b"], capacity: 1, contract: contract("x") },
    ];
    try {
      synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "p", project: "acme-prod", clusters: twin }));
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect((e as ConfigError).problems[0]?.message).toBe("NEG name is also used by a/https in europe-west1-b; NEG names must be unique per project and zone");
    }
  });

  it("refuses clusters that serve different entry points behind one load balancer", () => {
    const differ: NegCluster[] = [
      { name: "a", zones: ["europe-west1-b"], capacity: 1, contract: contract("a") },
      { name: "b", zones: ["us-east1-b"], capacity: 1, contract: fixtureContract({ cluster: "b" }) },
    ];
    expect(() => synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "p", project: "acme-prod", clusters: differ }))).toThrow(
      "clusters.b (got \"b\"): exposes other ports than a; every cluster behind one load balancer must serve the same entry points",
    );
  });

  it("refuses an empty cluster list", () => {
    expect(() => synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "p", project: "acme-prod", clusters: [] }))).toThrow("at least one cluster is needed behind the load balancer");
  });
});

describe("FrontEndFirewall", () => {
  it("admits only Google's front-end ranges to the NEG pod ports and the health port", () => {
    expect(frontEndPorts(contract("c"))).toEqual([443, 8883, 10254]);
    const json = synthConstruct((s) => void new FrontEndFirewall(s, "fw", { name: "allow-gfe", network: "default", project: "acme-prod", contract: contract("c"), targets: { tags: ["gke-node"] } }));
    expect(only(json, "google_compute_firewall")).toMatchObject({
      direction: "INGRESS",
      source_ranges: ["130.211.0.0/22", "35.191.0.0/16"],
      allow: [{ protocol: "tcp", ports: ["443", "8883", "10254"] }],
      target_tags: ["gke-node"],
    });
  });
});

describe("GCP edge stack (prod)", () => {
  const edge = synthDefaults()["prod-gcp-edge"] as TfJson;

  it("redirects HTTP 80 to HTTPS with a redirect-only URL map", () => {
    const maps = Object.values(resources(edge, "google_compute_url_map"));
    const redirect = maps.find((m) => m.default_url_redirect);
    expect(redirect?.default_url_redirect).toEqual({ https_redirect: true, strip_query: false, redirect_response_code: "MOVED_PERMANENTLY_DEFAULT" });
    expect(redirect?.default_service).toBeUndefined();
    const http = only(edge, "google_compute_target_http_proxy");
    expect(String(http.url_map)).toContain(Object.entries(resources(edge, "google_compute_url_map")).find(([, m]) => m.default_url_redirect)?.[0]);
  });

  it("forwards 80, 443 and each tcp entry point on the global v4 and v6 addresses", () => {
    const rules = Object.values(resources(edge, "google_compute_global_forwarding_rule"));
    expect(rules.map((r) => r.port_range).sort()).toEqual(["443", "443", "80", "80", "8883", "8883"]);
    for (const r of rules) expect(r.ip_protocol).toBe("TCP");
  });

  it("puts a MODERN TLS 1.2+ SSL policy on the HTTPS and SSL proxies", () => {
    expect(only(edge, "google_compute_ssl_policy")).toMatchObject({ profile: "MODERN", min_tls_version: "TLS_1_2" });
    const ssl = only(edge, "google_compute_target_ssl_proxy");
    expect(ssl.ssl_policy).toMatch(/^\$\{google_compute_ssl_policy\./);
    expect(ssl.proxy_header).toBe("NONE");
  });

  it("outputs the global IP, DNS authorization records and URL map", () => {
    expect(Object.keys(edge.output ?? {}).sort()).toEqual(["certificate_map", "dns_authorization_records", "global_ip", "global_ipv6", "url_map"]);
  });
});

describe("GlobalFrontends", () => {
  it("refuses a backend whose scheme differs from the forwarding rules' EXTERNAL_MANAGED", () => {
    try {
      synthConstruct((s) => {
        const classic = new ComputeBackendService(s, "classic", { name: "classic", loadBalancingScheme: "EXTERNAL", protocol: "HTTPS" });
        new GlobalFrontends(s, "fe", { namePrefix: "p", contract: contract("c"), addresses: [{ key: "v4", address: "203.0.113.10" }], certificateMap: "//certificatemanager.googleapis.com/x", backends: { https: classic, mqtts: classic } });
      });
      throw new Error("expected a ConfigError");
    } catch (e) {
      expect((e as ConfigError).problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
        "backends.https.loadBalancingScheme: must be EXTERNAL_MANAGED, the scheme of the forwarding rules",
        "backends.mqtts.loadBalancingScheme: must be EXTERNAL_MANAGED, the scheme of the forwarding rules",
      ]);
    }
  });
});
