/**
 * What each controller kind reads from `controller.config`, in one place, so that every plug-in
 * refuses what it does not read and can say which kind an option belongs to: an option written
 * for another controller, or misspelt, would otherwise be written where nothing reads it.
 *
 * ingress-nginx reads its ConfigMap (internal/ingress/controller/template/configmap.go,
 * ReadConfig, at tag controller-v1.15.1, the controller of chart 4.15.1). A few keys are read by
 * their exact name and removed (the `const` block at the top of that file); the rest are decoded
 * into `config.Configuration` (internal/ingress/controller/config/config.go, which embeds
 * `defaults.Backend` from internal/ingress/defaults/main.go with `squash`) by mapstructure
 * v1.5.0 with `TagName: "json"`. mapstructure looks a field's tag up by its exact name first and
 * otherwise takes the first key equal under Go's `strings.EqualFold` (its default `MatchName`),
 * in map order. So `PROXY-REAL-IP-CIDR` is not the key ReadConfig removed, and mapstructure
 * decodes it into the field `proxy-real-ip-cidr`, over the value read by exact name. `-` and `_`
 * stay distinct (EqualFold folds case only); unknown keys are ignored without a word.
 *
 * INGRESS_NGINX_CONFIG_KEYS is the union of the exact-name keys and the json tags of both structs,
 * less the three that are not options: `-` (fields filled in by the controller itself),
 * `Resolver` (nameservers from resolv.conf, a list of IP addresses that a string cannot decode
 * into) and `global-external-auth` (a struct, filled in from the `global-auth-*` keys). The
 * NGINX configuration reference (docs/user-guide/nginx-configuration/configmap.md) documents them,
 * except a few internal ones, and still lists the `jaeger-*` keys and `use-geoip`, which this
 * controller no longer reads. A test derives the list again from the vendored sources.
 */
import type { ControllerKind } from "./plugin";
import type { FieldProblem } from "../../core/errors";

export const INGRESS_NGINX_CONFIG_KEYS: readonly string[] = [
  "access-log-params", "access-log-path", "add-headers", "allow-backend-server-header",
  "allow-cross-namespace-resources", "allow-snippet-annotations",
  "annotation-value-word-blocklist", "annotations-risk-level", "app-root", "bind-address",
  "bind-address-ipv4", "bind-address-ipv6", "block-cidrs", "block-referers", "block-user-agents",
  "brotli-level", "brotli-min-length", "brotli-types", "client-body-buffer-size",
  "client-body-timeout", "client-header-buffer-size", "client-header-timeout",
  "compute-full-forwarded-for", "custom-http-errors", "debug-connections", "default-type",
  "denylist-source-range", "disable-access-log", "disable-http-access-log", "disable-ipv6",
  "disable-ipv6-dns", "disable-proxy-intercept-errors", "disable-stream-access-log",
  "enable-access-log-for-default-backend", "enable-aio-write", "enable-auth-access-log",
  "enable-brotli", "enable-modsecurity", "enable-multi-accept", "enable-ocsp",
  "enable-opentelemetry", "enable-owasp-modsecurity-crs", "enable-real-ip",
  "enable-serial-reloads", "enable-syslog", "enable-underscores-in-headers", "error-log-level",
  "error-log-path", "force-ssl-redirect", "forwarded-for-header",
  "forwarded-for-proxy-protocol-header", "forwarded-host-header", "generate-request-id",
  "geoip2-autoreload-in-minutes", "global-allowed-response-headers",
  "global-auth-always-set-cookie", "global-auth-cache-duration", "global-auth-cache-key",
  "global-auth-method", "global-auth-request-redirect", "global-auth-response-headers",
  "global-auth-signin", "global-auth-signin-redirect-param", "global-auth-snippet",
  "global-auth-url", "grpc-buffer-size-kb", "gzip-disable", "gzip-level", "gzip-min-length",
  "gzip-types", "hide-headers", "hsts", "hsts-include-subdomains", "hsts-max-age", "hsts-preload",
  "http-access-log-path", "http-redirect-code", "http-snippet", "http2-max-concurrent-streams",
  "http2-max-field-size", "http2-max-header-size", "http2-max-requests", "ignore-invalid-headers",
  "keep-alive", "keep-alive-requests", "large-client-header-buffers", "limit-conn-status-code",
  "limit-conn-zone-variable", "limit-rate", "limit-rate-after", "limit-req-status-code",
  "load-balance", "location-snippet", "log-format-escape-json", "log-format-escape-none",
  "log-format-stream", "log-format-upstream", "lua-shared-dicts", "main-snippet",
  "map-hash-bucket-size", "max-worker-connections", "max-worker-open-files", "modsecurity-snippet",
  "nginx-status-ipv4-whitelist", "nginx-status-ipv6-whitelist", "no-auth-locations",
  "no-tls-redirect-locations", "opentelemetry-config", "opentelemetry-operation-name",
  "opentelemetry-trust-incoming-span", "otel-max-export-batch-size", "otel-max-queuesize",
  "otel-sampler", "otel-sampler-parent-based", "otel-sampler-ratio", "otel-schedule-delay-millis",
  "otel-service-name", "otlp-collector-host", "otlp-collector-port", "preserve-trailing-slash",
  "proxy-add-original-uri-header", "proxy-body-size", "proxy-buffer-size", "proxy-buffering",
  "proxy-buffers-number", "proxy-busy-buffers-size", "proxy-connect-timeout",
  "proxy-cookie-domain", "proxy-cookie-path", "proxy-headers-hash-bucket-size",
  "proxy-headers-hash-max-size", "proxy-http-version", "proxy-max-temp-file-size",
  "proxy-next-upstream", "proxy-next-upstream-timeout", "proxy-next-upstream-tries",
  "proxy-protocol-header-timeout", "proxy-read-timeout", "proxy-real-ip-cidr",
  "proxy-redirect-from", "proxy-redirect-to", "proxy-request-buffering", "proxy-send-timeout",
  "proxy-set-headers", "proxy-ssl-location-only", "proxy-stream-next-upstream",
  "proxy-stream-next-upstream-timeout", "proxy-stream-next-upstream-tries",
  "proxy-stream-responses", "proxy-stream-timeout", "relative-redirects", "retry-non-idempotent",
  "reuse-port", "server-name-hash-bucket-size", "server-name-hash-max-size", "server-snippet",
  "server-tokens", "service-upstream", "skip-access-log-urls", "ssl-buffer-size", "ssl-ciphers",
  "ssl-dh-param", "ssl-early-data", "ssl-ecdh-curve", "ssl-protocols", "ssl-redirect",
  "ssl-reject-handshake", "ssl-session-cache", "ssl-session-cache-size", "ssl-session-ticket-key",
  "ssl-session-tickets", "ssl-session-timeout", "stream-access-log-path", "stream-snippet",
  "strict-validate-path-type", "syslog-host", "syslog-port", "upstream-hash-by",
  "upstream-hash-by-subset", "upstream-hash-by-subset-size", "upstream-keepalive-connections",
  "upstream-keepalive-requests", "upstream-keepalive-time", "upstream-keepalive-timeout",
  "use-forwarded-headers", "use-geoip2", "use-gzip", "use-http2", "use-port-in-redirects",
  "use-proxy-protocol", "variables-hash-bucket-size", "variables-hash-max-size",
  "whitelist-source-range", "worker-cpu-affinity", "worker-processes", "worker-shutdown-timeout",
];

/** Where ingress-nginx documents its ConfigMap keys, for messages. */
export const INGRESS_NGINX_CONFIG_REFERENCE = "https://kubernetes.github.io/ingress-nginx/user-guide/nginx-configuration/configmap/";

/** The options NGINX Gateway Fabric reads (nginx-gateway-fabric.ts). */
export const NGF_CONFIG_KEYS = {
  /** Secret (kubernetes.io/tls, in the controller namespace) of the https listener when TLS ends in NGF. */
  httpsCertificateSecret: "httpsCertificateSecret",
} as const;

/** The options Istio reads (istio.ts). */
export const ISTIO_CONFIG_KEYS = {
  /** Secret (kubernetes.io/tls, in the controller namespace) of the https listener when TLS ends in the gateway. */
  httpsCertificateSecret: "httpsCertificateSecret",
} as const;

/** The `controller.config` keys each kind reads. */
export const CONTROLLER_CONFIG_KEYS: Readonly<Record<ControllerKind, readonly string[]>> = {
  "ingress-nginx": INGRESS_NGINX_CONFIG_KEYS,
  "nginx-gateway-fabric": Object.values(NGF_CONFIG_KEYS),
  istio: Object.values(ISTIO_CONFIG_KEYS),
};

/** The other kinds that read `key` as an option, by its exact name. */
export function otherKindsReading(key: string, kind: ControllerKind): ControllerKind[] {
  return (Object.keys(CONTROLLER_CONFIG_KEYS) as ControllerKind[]).filter((k) => k !== kind && CONTROLLER_CONFIG_KEYS[k].includes(key));
}

/**
 * Go's `strings.EqualFold` for a key against an ASCII name: Unicode simple case folding, under
 * which, besides ASCII case, only `ſ` (U+017F) folds to `s` and the Kelvin sign (U+212A) to `k`
 * among letters that fold to ASCII. (JavaScript lower-cases U+0130 to two characters, which can
 * never equal an ASCII name, as in Go.)
 */
export function equalFoldAscii(key: string, asciiName: string): boolean {
  return foldAscii(key) === asciiName.toLowerCase();
}

function foldAscii(s: string): string {
  return s.replace(/\u017f/g, "s").toLowerCase();
}

/** The ingress-nginx ConfigMap key the controller decodes `key` into, when `key` is not one itself (a case variant). */
export function ingressNginxKeyReadAs(key: string): string | undefined {
  if (INGRESS_NGINX_CONFIG_KEYS.includes(key)) return key;
  return INGRESS_NGINX_CONFIG_KEYS.find((k) => equalFoldAscii(key, k));
}

/** Up to three of `names` closest to `key` (edit distance, `_` read as `-`, case ignored), for "did you mean". */
export function closestNames(key: string, names: readonly string[]): string[] {
  const k = foldAscii(key).replace(/_/g, "-");
  const limit = Math.max(2, Math.floor(k.length / 4));
  return names
    .map((n) => [n, editDistance(k, n.toLowerCase())] as const)
    .filter(([, d]) => d <= limit)
    .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([n]) => n);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * `controller.config` keys that `kind` does not read, for the plug-ins that read their options by
 * exact name (the Gateway API ones): each refused with the keys the kind takes, and with the kind
 * it belongs to when it is another kind's option (an ingress-nginx ConfigMap key, most often).
 */
export function unreadOptionProblems(kind: ControllerKind, config: Readonly<Record<string, string>>): FieldProblem[] {
  const known = CONTROLLER_CONFIG_KEYS[kind];
  return Object.keys(config)
    .sort()
    .filter((key) => !known.includes(key))
    .map((key) => {
      const others = otherKindsReading(key, kind);
      const whose = others.length === 0 ? "" : others.includes("ingress-nginx") ? " (it is an ingress-nginx ConfigMap key)" : ` (it is an option of ${others.join(" and ")})`;
      return { path: `controller.config.${key}`, value: config[key], message: `is not an option of ${kind}${whose}; it takes: ${known.join(", ")}` };
    });
}
