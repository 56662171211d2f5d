/**
 * The global frontends, all on one IP and one certificate map, all EXTERNAL_MANAGED (the
 * Envoy-based global external load balancers; backends use the same scheme):
 * - external Application LB: forwarding rule 443 → target HTTPS proxy → URL map → HTTPS backend;
 * - HTTP 80: forwarding rule → target HTTP proxy → URL map that only redirects to HTTPS;
 * - external proxy Network LB per tcp entry point: forwarding rule → target SSL proxy on the
 *   certificate map (the entry point's tls is `terminate`) or target TCP proxy (`passthrough`,
 *   TLS ends in the backend) → backend.
 * One SSL policy (MODERN, TLS 1.2+ by default) on the proxies that end TLS.
 */
import { Construct } from "constructs";
import type { ComputeBackendService } from "@cdktf/provider-google/lib/compute-backend-service";
import { ComputeGlobalForwardingRule } from "@cdktf/provider-google/lib/compute-global-forwarding-rule";
import { ComputeSslPolicy } from "@cdktf/provider-google/lib/compute-ssl-policy";
import { ComputeTargetHttpProxy } from "@cdktf/provider-google/lib/compute-target-http-proxy";
import { ComputeTargetHttpsProxy } from "@cdktf/provider-google/lib/compute-target-https-proxy";
import { ComputeTargetSslProxy } from "@cdktf/provider-google/lib/compute-target-ssl-proxy";
import { ComputeTargetTcpProxy } from "@cdktf/provider-google/lib/compute-target-tcp-proxy";
import { ComputeUrlMap } from "@cdktf/provider-google/lib/compute-url-map";
import type { EntryPoint, PortContract } from "../model/contract";
import { failIfAny } from "../core/errors";
import { gcpChildName } from "../core/naming";
import { GCP_SSL_POLICY_DEFAULTS } from "../model/defaults";

export interface GlobalFrontendsProps {
  readonly namePrefix: string;
  readonly contract: PortContract;
  /** IP literals (or references to them) the forwarding rules listen on. */
  readonly addresses: readonly { readonly key: string; readonly address: string }[];
  /** `//certificatemanager.googleapis.com/<map id>`. */
  readonly certificateMap: string;
  /** Backend service per NEG entry point name. */
  readonly backends: Readonly<Record<string, ComputeBackendService>>;
  /** @default { profile: "MODERN", minTlsVersion: "TLS_1_2" } */
  readonly sslPolicy?: { readonly profile: "COMPATIBLE" | "MODERN" | "RESTRICTED"; readonly minTlsVersion: "TLS_1_0" | "TLS_1_1" | "TLS_1_2" };
  readonly labels?: Readonly<Record<string, string>>;
}

export const LOAD_BALANCING_SCHEME = "EXTERNAL_MANAGED";

export class GlobalFrontends extends Construct {
  public readonly sslPolicy: ComputeSslPolicy;
  public readonly urlMap: ComputeUrlMap;
  public readonly redirectUrlMap: ComputeUrlMap;
  public readonly httpsProxy: ComputeTargetHttpsProxy;
  public readonly httpProxy: ComputeTargetHttpProxy;
  /** SSL proxy per tcp entry point that ends TLS at the load balancer. */
  public readonly sslProxies: Readonly<Record<string, ComputeTargetSslProxy>>;
  /** TCP proxy per tcp entry point that passes TLS through. */
  public readonly tcpProxies: Readonly<Record<string, ComputeTargetTcpProxy>>;
  /** Forwarding rules keyed `<entry>/<address key>`. */
  public readonly forwardingRules: Readonly<Record<string, ComputeGlobalForwardingRule>>;

  constructor(scope: Construct, id: string, props: GlobalFrontendsProps) {
    super(scope, id);
    const c = props.contract;
    // A forwarding rule and its backend service must use the same scheme: the API rejects an
    // EXTERNAL_MANAGED rule in front of a classic EXTERNAL backend, but only at apply.
    failIfAny(
      this.node.path,
      Object.entries(props.backends).flatMap(([name, b]) =>
        b.loadBalancingSchemeInput === LOAD_BALANCING_SCHEME
          ? []
          : [{ path: `backends.${name}.loadBalancingScheme`, value: b.loadBalancingSchemeInput, message: `must be ${LOAD_BALANCING_SCHEME}, the scheme of the forwarding rules` }],
      ),
    );
    const backend = (name: string) => {
      const b = props.backends[name];
      if (!b) throw new Error(`no backend service for entry point ${name}`);
      return b;
    };
    const n = (...parts: string[]) => gcpChildName(props.namePrefix, parts);
    this.sslPolicy = new ComputeSslPolicy(this, "ssl-policy", {
      name: n("tls"),
      profile: props.sslPolicy?.profile ?? GCP_SSL_POLICY_DEFAULTS.profile,
      minTlsVersion: props.sslPolicy?.minTlsVersion ?? GCP_SSL_POLICY_DEFAULTS.minTlsVersion,
    });
    this.urlMap = new ComputeUrlMap(this, "url-map", { name: n("https"), defaultService: backend("https").id });
    this.httpsProxy = new ComputeTargetHttpsProxy(this, "https-proxy", {
      name: n("https"),
      urlMap: this.urlMap.id,
      certificateMap: props.certificateMap,
      sslPolicy: this.sslPolicy.id,
    });
    this.redirectUrlMap = new ComputeUrlMap(this, "redirect-url-map", {
      name: n("http-redirect"),
      defaultUrlRedirect: { httpsRedirect: true, stripQuery: false, redirectResponseCode: "MOVED_PERMANENTLY_DEFAULT" },
    });
    this.httpProxy = new ComputeTargetHttpProxy(this, "http-proxy", { name: n("http"), urlMap: this.redirectUrlMap.id });

    const sslProxies: Record<string, ComputeTargetSslProxy> = {};
    const tcpProxies: Record<string, ComputeTargetTcpProxy> = {};
    const rules: Record<string, ComputeGlobalForwardingRule> = {};
    const forward = (entry: EntryPoint, target: string) => {
      for (const a of props.addresses) {
        rules[`${entry.name}/${a.key}`] = new ComputeGlobalForwardingRule(this, `rule-${entry.name}-${a.key}`, {
          name: n(entry.name, a.key),
          target,
          ipAddress: a.address,
          ipProtocol: "TCP",
          portRange: String(entry.listenerPort),
          loadBalancingScheme: LOAD_BALANCING_SCHEME,
          labels: props.labels ? { ...props.labels } : undefined,
        });
      }
    };
    for (const entry of c.entryPoints) {
      if (entry.kind === "http") forward(entry, this.httpProxy.id);
      else if (entry.kind === "https") forward(entry, this.httpsProxy.id);
      else if (entry.tls === "terminate") {
        const proxy = new ComputeTargetSslProxy(this, `ssl-proxy-${entry.name}`, {
          name: n(entry.name),
          backendService: backend(entry.name).id,
          certificateMap: props.certificateMap,
          sslPolicy: this.sslPolicy.id,
          proxyHeader: "NONE",
        });
        sslProxies[entry.name] = proxy;
        forward(entry, proxy.id);
      } else {
        const proxy = new ComputeTargetTcpProxy(this, `tcp-proxy-${entry.name}`, { name: n(entry.name), backendService: backend(entry.name).id, proxyHeader: "NONE" });
        tcpProxies[entry.name] = proxy;
        forward(entry, proxy.id);
      }
    }
    this.sslProxies = sslProxies;
    this.tcpProxies = tcpProxies;
    this.forwardingRules = rules;
  }
}
