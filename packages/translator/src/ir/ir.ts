// The protocol-neutral intermediate representation between the two stages:
// gatewayapi/ resolves Kubernetes objects into one FleetIR per Gateway (with
// every reference already checked), and envoy/ emits each Envoy resource type
// from it. Nothing here knows Kubernetes kinds' field layouts or Envoy protos.
//
// Everything is plain data, already sorted: the emitters must not reorder, so
// determinism is decided in one place (gatewayapi/fleet.ts).
import type { LocalRateLimitIR, ObservabilityIR } from '../extensions/ir.js';

/** The object, rule and match an Envoy route was made from (becomes route metadata). */
export interface RouteSource {
  readonly kind: RouteKind;
  readonly namespace: string;
  readonly name: string;
  /** Index of the rule in spec.rules. */
  readonly rule: number;
  readonly ruleName?: string;
  /** Index of the match in rule.matches (0 when the rule has none). */
  readonly match: number;
}

/** 'Gateway' marks routes the Gateway itself answers (misdirected requests on HTTPS listeners: 421). */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TLSRoute' | 'TCPRoute' | 'UDPRoute' | 'Gateway';

/** The Kubernetes object a cluster stands for (becomes cluster metadata). */
export interface BackendSource {
  readonly kind: 'Service' | (string & {});
  readonly group: string;
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

// ---- fleet ----------------------------------------------------------------

export interface FleetIR {
  /** "namespace/name" of the Gateway. */
  readonly id: string;
  readonly listeners: readonly ListenerIR[];
  readonly routeConfigs: readonly RouteConfigIR[];
  readonly clusters: readonly ClusterIR[];
  readonly secrets: readonly SecretIR[];
  /** Access logs, tracing, Prometheus stats (the Gateway's ProxyConfig, extensions/). */
  readonly observability?: ObservabilityIR;
}

// ---- listeners ------------------------------------------------------------

/**
 * One Envoy Listener: one port and transport. All Gateway listeners sharing
 * a port end up here, as filter chains (HTTP today; TLS/TCP/UDP kinds are
 * added to FilterChainIR by the protocols that need them).
 */
export interface ListenerIR {
  readonly name: string;
  readonly port: number;
  readonly transport: 'TCP' | 'UDP';
  readonly filterChains: readonly FilterChainIR[];
  /** Read the TLS ClientHello (SNI, ALPN) before choosing a filter chain: HTTPS and TLS ports. */
  readonly tlsInspector?: boolean;
  /** UDP listeners proxy datagrams with udp_proxy (UDPRoute); they have no filter chains. */
  readonly udpProxy?: UdpProxyIR;
}

/**
 * A TCP proxy chain: TLSRoute (Passthrough: SNI-matched, no TLS; Terminate:
 * with downstream TLS) and TCPRoute. Weighted backends; an invalid backend's
 * share is a null cluster (Envoy closes those connections).
 */
export interface TcpProxyFilterChainIR {
  readonly kind: 'tcp_proxy';
  readonly name: string;
  readonly serverNames?: readonly string[];
  readonly tls?: DownstreamTlsIR;
  readonly backends: readonly WeightedBackendIR[];
  /** The route rule the chain forwards for (becomes filter chain metadata). */
  readonly source?: RouteSource;
}

export interface UdpProxyIR {
  readonly name: string;
  /** The cluster datagrams go to; several weighted backends are one cluster with a locality per backend. */
  readonly cluster: string;
  readonly source?: RouteSource;
}

export type FilterChainIR = HttpFilterChainIR | TcpProxyFilterChainIR;

/** Plain-text HTTP (HTTP/1.1 and h2c): an HTTP connection manager using one route configuration. */
export interface HttpFilterChainIR {
  readonly kind: 'http';
  readonly name: string;
  /** Name of the RouteConfigIR the connection manager uses (RDS). */
  readonly routeConfigName: string;
  /** Downstream TLS termination (HTTPS); absent for plain HTTP. */
  readonly tls?: DownstreamTlsIR;
  /** SNI server names this chain serves (HTTPS); absent matches any. */
  readonly serverNames?: readonly string[];
  /**
   * Pre-routing filters of the Gateway listeners this chain serves, each
   * listener's in its own order (spec.listeners[].filters.requests). They
   * run before any route filter, each only on the virtual hosts that name it.
   */
  readonly preRoutingFilters?: readonly PreRoutingFilterIR[];
}

/** One pre-routing filter instance: unique name within its connection manager. */
export type PreRoutingFilterIR = { readonly kind: 'ExternalAuth'; readonly name: string; readonly externalAuth: ExternalAuthIR };

/** HTTPExternalAuthFilter: ask an authorization service before the request goes on. */
export interface ExternalAuthIR {
  readonly protocol: 'GRPC' | 'HTTP';
  /** The authorization service's cluster (in FleetIR.clusters). */
  readonly cluster: string;
  /** host:port of the service, the :authority (gRPC) or URI authority (HTTP) of check requests. */
  readonly authority: string;
  /** Client request headers sent along (lower case); empty: all (GRPC) or only the always-sent ones (HTTP). */
  readonly allowedHeaders: readonly string[];
  /** HTTP: prefix added to the request path in the check request. */
  readonly pathPrefix?: string;
  /** HTTP: headers of an allowing response copied onto the request (lower case); empty: all but Host. */
  readonly allowedResponseHeaders: readonly string[];
  /** Bytes of the request body sent along (truncated beyond); absent: no body. */
  readonly forwardBodyMaxBytes?: number;
}

/** Downstream TLS: filled in by the HTTPS/TLS protocols. */
export interface DownstreamTlsIR {
  /** Names of SecretIR holding the certificate chains. */
  readonly certificateSecrets: readonly string[];
  /** ALPN offered to clients (HTTPS: h2, http/1.1). */
  readonly alpnProtocols?: readonly string[];
  /** Client certificate validation (Gateway spec.tls.frontend). */
  readonly clientValidation?: {
    /** Name of the CA SecretIR. */
    readonly caSecret: string;
    readonly mode: 'AllowValidOnly' | 'AllowInsecureFallback';
  };
}

/** A secret served over SDS: a certificate chain with its key, or a CA bundle. */
export type SecretIR =
  | { readonly kind?: 'certificate'; readonly name: string; readonly certificateChainPem: string; readonly privateKeyPem: string }
  | { readonly kind: 'ca'; readonly name: string; readonly caPem: string };

// ---- HTTP routing ---------------------------------------------------------

export interface RouteConfigIR {
  readonly name: string;
  /** Sorted: Envoy picks by domain specificity, not order, but bytes must be stable. */
  readonly virtualHosts: readonly VirtualHostIR[];
}

export interface VirtualHostIR {
  readonly name: string;
  /** "*" (any), "*.example.com" (suffix) or an exact hostname. */
  readonly hostname: string;
  /** In match precedence order: Envoy takes the first route that matches. */
  readonly routes: readonly HttpRouteIR[];
  /**
   * Names of the chain's pre-routing filters (HttpFilterChainIR) that run for
   * this host, in order: those of the Gateway listener the host belongs to.
   */
  readonly preRoutingFilters?: readonly string[];
}

export type StringMatchIR = { readonly type: 'Exact'; readonly value: string } | { readonly type: 'RegularExpression'; readonly value: string };

export type PathMatchIR =
  | { readonly type: 'Exact'; readonly value: string }
  | { readonly type: 'PathPrefix'; readonly value: string }
  | { readonly type: 'RegularExpression'; readonly value: string };

export interface HeaderMatchIR {
  readonly name: string;
  readonly match: StringMatchIR;
}

export interface HttpMatchIR {
  readonly path: PathMatchIR;
  /**
   * GRPCRoute matches: the service and method as written (regexes included),
   * because gRPC precedence ranks by their lengths, not by the path form.
   */
  readonly grpc?: { readonly service: string; readonly method: string };
  readonly headers: readonly HeaderMatchIR[];
  readonly queryParams: readonly HeaderMatchIR[];
  readonly method?: string;
}

export interface HeaderValueIR {
  readonly name: string;
  readonly value: string;
}

/** RequestHeaderModifier / ResponseHeaderModifier. */
export interface HeaderModifierIR {
  readonly set: readonly HeaderValueIR[];
  readonly add: readonly HeaderValueIR[];
  readonly remove: readonly string[];
}

export type PathRewriteIR = { readonly type: 'ReplaceFullPath'; readonly value: string } | { readonly type: 'ReplacePrefixMatch'; readonly value: string };

export interface MirrorIR {
  /** Cluster receiving the copy; always a valid cluster (invalid mirrors are dropped with status). */
  readonly cluster: string;
  /** Share of requests mirrored, as numerator/denominator (both > 0, numerator <= denominator). */
  readonly fraction: { readonly numerator: number; readonly denominator: number };
}

export interface CorsIR {
  /** Origins: "*", exact "https://a.example", or with a wildcard label "https://*.example.com". */
  readonly allowOrigins: readonly string[];
  readonly allowCredentials: boolean;
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

export interface RetryIR {
  readonly codes: readonly number[];
  readonly attempts: number;
  /** Base backoff in milliseconds. */
  readonly backoffMs?: number;
}

export interface TimeoutsIR {
  /** Whole-request timeout in milliseconds; 0 disables. */
  readonly requestMs?: number;
  /** Per-try (backend request) timeout in milliseconds. */
  readonly backendRequestMs?: number;
}

/** One weighted share of a forwarded request. */
export interface WeightedBackendIR {
  /** The cluster, or null when the backendRef is invalid: that share answers 500. */
  readonly cluster: string | null;
  readonly weight: number;
  /** Header modifiers from filters on the backendRef itself. */
  readonly requestHeaders?: HeaderModifierIR;
  readonly responseHeaders?: HeaderModifierIR;
}

export type HttpActionIR =
  | {
      readonly kind: 'forward';
      /** Non-empty, at least one weight > 0 (otherwise the action is a direct 500). */
      readonly backends: readonly WeightedBackendIR[];
      readonly hostRewrite?: string;
      readonly pathRewrite?: PathRewriteIR;
      readonly mirrors: readonly MirrorIR[];
      readonly timeouts?: TimeoutsIR;
      readonly retry?: RetryIR;
    }
  | {
      readonly kind: 'redirect';
      readonly scheme?: string;
      readonly hostname?: string;
      readonly port?: number;
      readonly path?: PathRewriteIR;
      readonly statusCode: 301 | 302 | 303 | 307 | 308;
    }
  | { readonly kind: 'direct'; readonly status: number };

export interface HttpRouteIR {
  readonly source: RouteSource;
  readonly match: HttpMatchIR;
  readonly action: HttpActionIR;
  readonly requestHeaders?: HeaderModifierIR;
  readonly responseHeaders?: HeaderModifierIR;
  readonly cors?: CorsIR;
  /** A RateLimit from an ExtensionRef filter (extensions/). */
  readonly rateLimit?: LocalRateLimitIR;
  /** An ExternalAuth filter of the rule: its own ext_authz instance, unique name within the fleet. */
  readonly externalAuth?: RouteExternalAuthIR;
}

/** A route rule's ExternalAuth: the rule's routes share it (same name). */
export interface RouteExternalAuthIR {
  readonly name: string;
  readonly config: ExternalAuthIR;
}

// ---- clusters -------------------------------------------------------------

/** How a cluster talks to its endpoints. */
export type UpstreamProtocol = 'http1' | 'http2' | 'h2c' | 'websocket' | 'tcp' | 'udp';

export interface EndpointIR {
  readonly address: string;
  readonly port: number;
}

export type ClusterDiscoveryIR =
  /** Endpoints from EndpointSlices, served as a ClusterLoadAssignment (EDS). */
  | { readonly type: 'eds'; readonly endpoints: readonly EndpointIR[] }
  /** A DNS name Envoy resolves itself (Service type ExternalName). */
  | { readonly type: 'dns'; readonly hostname: string; readonly port: number }
  /**
   * Several backends behind one cluster, one locality each with its weight
   * (udp_proxy routes to a single cluster, so UDPRoute weights live here).
   */
  | { readonly type: 'weighted-eds'; readonly localities: readonly WeightedLocalityIR[] };

export interface WeightedLocalityIR {
  readonly backend: BackendSource;
  readonly weight: number;
  readonly endpoints: readonly EndpointIR[];
}

export interface ClusterIR {
  readonly name: string;
  readonly backend: BackendSource;
  readonly protocol: UpstreamProtocol;
  readonly discovery: ClusterDiscoveryIR;
  /** Upstream TLS (BackendTLSPolicy), filled in by that feature. */
  readonly tls?: UpstreamTlsIR;
  /**
   * Set when the backend must not receive traffic although the route is
   * fine (a BackendTLSPolicy targets it but is unusable): the cluster gets
   * no endpoints, so requests get 503 instead of going out in plain text.
   */
  readonly blocked?: string;
}

export interface UpstreamTlsIR {
  readonly sni: string;
  /** CA SecretIR name (BackendTLSPolicy caCertificateRefs), or the system bundle (wellKnownCACertificates: System). */
  readonly trust: { readonly kind: 'CaBundle'; readonly caSecret: string } | { readonly kind: 'System' };
  /** Names the server certificate must carry (any one); the hostname when the policy lists none. */
  readonly subjectAltNames: readonly { readonly type: 'Hostname' | 'URI'; readonly value: string }[];
  /** Certificate SecretIR name presented to the backend (Gateway spec.tls.backend.clientCertificateRef). */
  readonly clientCertificateSecret?: string;
}
