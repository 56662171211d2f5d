/** The GCP global edge: address and DNS, cert map, frontends, NEG backends, firewall. */
import type { PortContract } from "../modules/model/contract";
import { AddressRecords, GlobalAddresses, GlobalAddressLookup } from "../modules/gcp/address-dns";
import { authorizationDomains, CertMap } from "../modules/gcp/cert-map";
import { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import { FrontEndFirewall, frontEndPorts } from "../modules/gcp/firewall";
import { GlobalFrontends } from "../modules/gcp/frontends";
import { NegBackends, type NegCluster } from "../modules/gcp/neg-backends";
import { contract as fixtureContract, MQTTS } from "./helpers/fixtures";
import { dataSources, only, resources, synthDefaults, type TfJson } from "./helpers/synth";
import { problemsOf } from "./helpers/problems";
import { synthConstruct } from "./helpers/synth";

const contract = (cluster: string, env = "prod", mqtts: "passthrough" | "terminate" = "terminate"): PortContract => fixtureContract({ env, cluster, tcp: { mqtts: { ...MQTTS.mqtts, tls: mqtts } } });


describe("GlobalAddresses, GlobalAddressLookup, AddressRecords", () => {
  it("reserves a global IPv4 (and IPv6) address", () => {
    const json = synthConstruct((s) => void new GlobalAddresses(s, "a", { name: "prod-ip", ipv6: true }));
    const addresses = Object.values(resources(json, "google_compute_global_address"));
    expect(addresses.map((a) => [a.name, a.ip_version, a.address_type])).toEqual([["prod-ip", "IPV4", "EXTERNAL"], ["prod-ip-v6", "IPV6", "EXTERNAL"]]);
  });

  it("looks the same names up from a later stack", () => {
    const json = synthConstruct((s) => void new GlobalAddressLookup(s, "a", { name: "prod-ip", ipv6: true, project: "acme-prod" }));
    expect(Object.values(dataSources(json, "google_compute_global_address")).map((a) => [a.name, a.project])).toEqual([["prod-ip", "acme-prod"], ["prod-ip-v6", "acme-prod"]]);
  });

  it("writes A/AAAA records with trailing dots into the managed zone", () => {
    const json = synthConstruct((s) => void new AddressRecords(s, "a", { zone: "example-com", hostnames: ["example.com", "*.apps.example.com"], addresses: { v4: "203.0.113.10", v6: "2001:db8::1" } }));
    const zoneId = Object.keys(dataSources(json, "google_dns_managed_zone"))[0];
    const records = Object.values(resources(json, "google_dns_record_set"));
    expect(records.map((r) => `${r.name} ${r.type} ${String(r.rrdatas)}`).sort()).toEqual([
      "*.apps.example.com. A 203.0.113.10",
      "*.apps.example.com. AAAA 2001:db8::1",
      "example.com. A 203.0.113.10",
      "example.com. AAAA 2001:db8::1",
    ]);
    for (const r of records) expect(r.managed_zone).toBe(`\${data.google_dns_managed_zone.${zoneId}.name}`);
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
    { name: "euw1", location: "europe-west1", zones: ["europe-west1-b", "europe-west1-c"], capacity: 1, contract: contract("euw1") },
    { name: "use1", location: "us-east1-b", zones: ["us-east1-b"], capacity: 0, contract: contract("use1") },
  ];
  const json = synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "prod-gatehouse", project: "acme-prod", clusters }));
  const services = resources(json, "google_compute_backend_service");

  it("looks up each cluster's NEG by name in each of its zones", () => {
    const negs = Object.values(dataSources(json, "google_compute_network_endpoint_group")).map((n) => `${n.zone}/${n.name}`);
    expect(negs.sort()).toEqual(
      ["europe-west1-b/prod--euw1--https", "europe-west1-c/prod--euw1--https", "us-east1-b/prod--use1--https", "europe-west1-b/prod--euw1--mqtts", "europe-west1-c/prod--euw1--mqtts", "us-east1-b/prod--use1--mqtts"].sort(),
    );
  });

  it("checks at plan time that every listed zone has nodes, and every node zone is listed", () => {
    const lookups = dataSources(json, "google_container_cluster");
    expect(Object.values(lookups).map((c) => [c.name, c.location, c.project])).toEqual([["euw1", "europe-west1", "acme-prod"], ["use1", "us-east1-b", "acme-prod"]]);
    const [euw1Id, euw1] = Object.entries(lookups)[0] ?? [];
    const post = (euw1?.lifecycle as { postcondition: Array<{ condition: string; error_message: string }> }).postcondition[0];
    expect(post?.condition).toBe('${alltrue([for z in setunion(self.node_locations, []) : contains(["europe-west1-b","europe-west1-c"], z)])}');
    expect(post?.error_message).toMatch(/^GKE cluster euw1 has nodes in a zone that gcp\.clusters\[name=euw1\]\.zones \(europe-west1-b, europe-west1-c\) does not list/);
    // A zonal cluster's own zone is not in node_locations: it is added to the check.
    const use1 = Object.values(lookups)[1] as { lifecycle: { postcondition: Array<{ condition: string }> } };
    expect(use1.lifecycle.postcondition[0]?.condition).toContain('setunion(self.node_locations, ["us-east1-b"])');
    const neg = Object.values(dataSources(json, "google_compute_network_endpoint_group")).find((n) => n.zone === "europe-west1-c") as { lifecycle: { precondition: Array<{ condition: string; error_message: string }> } };
    expect(neg.lifecycle.precondition[0]?.condition).toBe(`\${contains(concat(tolist(data.google_container_cluster.${euw1Id}.node_locations), []), "europe-west1-c")}`);
    expect(neg.lifecycle.precondition[0]?.error_message).toBe("Zone europe-west1-c in gcp.clusters[name=euw1].zones has no nodes of GKE cluster euw1, so GKE made no NEG there; remove it from the list (or add nodes in it).");
  });

  it("HTTPS backend: EXTERNAL_MANAGED, RATE per endpoint, NEG self links, capacity per cluster, sampled logs", () => {
    const https = Object.values(services).find((s) => s.protocol === "HTTPS") as { backend: Array<Record<string, unknown>> } & Record<string, unknown>;
    expect(https).toMatchObject({ load_balancing_scheme: "EXTERNAL_MANAGED", log_config: { enable: true, sample_rate: 0.1 }, timeout_sec: 30 });
    expect(https.backend).toHaveLength(3);
    for (const b of https.backend) {
      expect(b).toMatchObject({ balancing_mode: "RATE", max_rate_per_endpoint: 100 });
      expect(b.group).toMatch(/^\$\{data\.google_compute_network_endpoint_group\.[^.]+\.self_link\}$/);
    }
    expect(https.backend.map((b) => b.capacity_scaler)).toEqual([1, 1, 0]);
  });

  it("tcp backend: plain TCP, CONNECTION per endpoint, the entry point's idle timeout", () => {
    const tcp = Object.values(services).find((s) => s.protocol === "TCP") as { backend: Array<Record<string, unknown>>; timeout_sec: number };
    expect(tcp.timeout_sec).toBe(350);
    for (const b of tcp.backend) expect(b).toMatchObject({ balancing_mode: "CONNECTION", max_connections_per_endpoint: 100 });
  });

  it("speaks HTTP to the controller's plain port when the https entry ends TLS at the load balancer", () => {
    const c = fixtureContract({ env: "prod", cluster: "euw1", https: { listenerPort: 443, nodePort: 30443, tls: "terminate" } });
    const j = synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "p", project: "acme-prod", clusters: [{ ...(clusters[0] as NegCluster), contract: c }] }));
    expect(Object.values(resources(j, "google_compute_backend_service")).map((b) => b.protocol)).toEqual(["HTTP"]);
  });

  it("health-checks the controller's fixed health port and path", () => {
    expect(only(json, "google_compute_health_check").http_health_check).toEqual({ port_specification: "USE_FIXED_PORT", port: 10254, request_path: "/healthz" });
  });

  it("refuses NEG names shared by two clusters in one zone", () => {
    const twin: NegCluster[] = [
      { name: "a", location: "europe-west1", zones: ["europe-west1-b"], capacity: 1, contract: contract("x") },
      { name: "b", location: "europe-west1", zones: ["europe-west1-b"], capacity: 1, contract: contract("x") },
    ];
    expect(problemsOf(() => synthConstruct((s) => void new NegBackends(s, "b", { namePrefix: "p", project: "acme-prod", clusters: twin })))[0]).toBe(
      "clusters.b: NEG name is also used by a/https in europe-west1-b; NEG names must be unique per project and zone",
    );
  });

  it("refuses clusters that serve different entry points behind one load balancer", () => {
    const differ: NegCluster[] = [
      { name: "a", location: "europe-west1", zones: ["europe-west1-b"], capacity: 1, contract: contract("a") },
      { name: "b", location: "us-east1", zones: ["us-east1-b"], capacity: 1, contract: fixtureContract({ cluster: "b" }) },
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

  it("puts a MODERN TLS 1.2+ SSL policy on the HTTPS and SSL proxies; mqtts ends TLS on the certificate map", () => {
    expect(only(edge, "google_compute_ssl_policy")).toMatchObject({ profile: "MODERN", min_tls_version: "TLS_1_2" });
    const ssl = only(edge, "google_compute_target_ssl_proxy");
    expect(ssl.ssl_policy).toMatch(/^\$\{google_compute_ssl_policy\./);
    expect(ssl.certificate_map).toMatch(/^\/\/certificatemanager\.googleapis\.com\/\$\{google_certificate_manager_certificate_map\./);
    expect(ssl.proxy_header).toBe("NONE");
    expect(resources(edge, "google_compute_target_tcp_proxy")).toEqual({});
  });

  it("listens on the addresses reserved by the address stack, read by name", () => {
    const lookups = dataSources(edge, "google_compute_global_address");
    expect(Object.values(lookups).map((a) => a.name)).toEqual(["prod--gatehouse--ip", "prod--gatehouse--ip-v6"]);
    expect(resources(edge, "google_compute_global_address")).toEqual({});
    const reserved = Object.values(resources(synthDefaults()["prod-gcp-address"] as TfJson, "google_compute_global_address"));
    expect(reserved.map((a) => [a.name, a.ip_version])).toEqual([["prod--gatehouse--ip", "IPV4"], ["prod--gatehouse--ip-v6", "IPV6"]]);
  });

  it("outputs the DNS authorization records, certificate map and URL map (the address stack outputs the IPs)", () => {
    expect(Object.keys(edge.output ?? {}).sort()).toEqual(["certificate_map", "dns_authorization_records", "url_map"]);
    expect(Object.keys((synthDefaults()["prod-gcp-address"] as TfJson).output ?? {}).sort()).toEqual(["global_ip", "global_ipv6"]);
  });
});

describe("GlobalFrontends", () => {
  const frontends = (c: PortContract, scheme = "EXTERNAL_MANAGED") =>
    synthConstruct((s) => {
      const b = new ComputeBackendService(s, "backend", { name: "b", loadBalancingScheme: scheme, protocol: "HTTPS" });
      new GlobalFrontends(s, "fe", { namePrefix: "p", contract: c, addresses: [{ key: "v4", address: "203.0.113.10" }], certificateMap: "//certificatemanager.googleapis.com/x", backends: { https: b, mqtts: b } });
    });

  it("refuses a backend whose scheme differs from the forwarding rules' EXTERNAL_MANAGED", () => {
    expect(problemsOf(() => frontends(contract("c"), "EXTERNAL"))).toEqual([
      "backends.https.loadBalancingScheme: must be EXTERNAL_MANAGED, the scheme of the forwarding rules",
      "backends.mqtts.loadBalancingScheme: must be EXTERNAL_MANAGED, the scheme of the forwarding rules",
    ]);
  });

  it("ends a tcp entry's TLS on the certificate map with an SSL proxy, or passes it through with a TCP proxy", () => {
    const term = frontends(contract("c", "prod", "terminate"));
    expect(only(term, "google_compute_target_ssl_proxy")).toMatchObject({ name: "p--mqtts", certificate_map: "//certificatemanager.googleapis.com/x" });
    expect(resources(term, "google_compute_target_tcp_proxy")).toEqual({});
    const pass = frontends(contract("c", "prod", "passthrough"));
    const tcp = only(pass, "google_compute_target_tcp_proxy");
    expect(tcp).toMatchObject({ name: "p--mqtts", proxy_header: "NONE" });
    expect(tcp.certificate_map).toBeUndefined();
    expect(resources(pass, "google_compute_target_ssl_proxy")).toEqual({});
    const rule = Object.values(resources(pass, "google_compute_global_forwarding_rule")).find((r) => r.port_range === "8883");
    expect(rule?.target).toMatch(/^\$\{google_compute_target_tcp_proxy\./);
  });
});
