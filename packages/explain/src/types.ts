import type { CorsOutcome } from './cors.js';

// The vocabulary of explain: the request a user asks about, and the answer —
// what one fleet's Envoy would do with it. Names follow Envoy's own
// (listener, filter chain, virtual host, route, cluster) so the answer can be
// checked against the resources it was computed from.

/** A request as a client would send it to a Gateway's Envoy. */
export interface ExplainRequest {
  /** The listener port the client connects to. */
  readonly port: number;
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** The Host header (HTTP/1) or :authority (HTTP/2), with a port if the client sent one. */
  readonly host: string;
  /** The request target: path with query string, e.g. "/search?q=1". */
  readonly path: string;
  /** TLS server name (SNI) for https; defaults to the Host without its port. */
  readonly sni?: string;
  /** Further request headers; names are case-insensitive. Repeated names keep their order. */
  readonly headers?: Readonly<Record<string, string>> | ReadonlyArray<readonly [string, string]>;
}

/** The source of an Envoy route, read from its metadata.filter_metadata['switchyard.dev']. */
export interface RouteSource {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** Rule index within the route's spec.rules. */
  readonly rule: number;
  readonly ruleName?: string;
  /** Match index within the rule's matches. */
  readonly match: number;
}

/** The backend a cluster stands for, read from its metadata.filter_metadata['switchyard.dev']. */
export interface BackendSource {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly port: number;
}

/** A header operation as configured, with the level of the route table it came from. */
export type HeaderLevel = 'weighted_cluster' | 'route' | 'virtual_host' | 'route_configuration';

export type HeaderAppendAction = 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';

export type HeaderChange =
  | { readonly op: 'remove'; readonly name: string; readonly level: HeaderLevel }
  | {
      readonly op: 'add';
      readonly name: string;
      readonly value: string;
      readonly appendAction: HeaderAppendAction;
      /** Without keep_empty_value Envoy skips an add whose value is empty. */
      readonly keepEmptyValue: boolean;
      readonly level: HeaderLevel;
    };

/** An ordered header list: names lower-cased, repeated names kept in order. */
export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** What the backend receives: the request after rewrites and header changes. */
export interface UpstreamRequest {
  readonly method: string;
  /** :authority / Host after host rewrites. `undefined` with auto_host_rewrite: it becomes the chosen endpoint's hostname. */
  readonly host: string | undefined;
  readonly path: string;
  readonly headers: HeaderList;
}

export type WeightedTarget =
  | {
      readonly kind: 'backend';
      readonly cluster: string;
      /** Undefined when the cluster carries no switchyard.dev metadata (not made by Switchyard). */
      readonly backend: BackendSource | undefined;
      /** Endpoints known for the cluster (EDS load assignment or inline load_assignment); undefined if none is known. */
      readonly endpoints: number | undefined;
      /** Their addresses (address:port, or the pipe path), in the order the load assignment lists them. */
      readonly addresses?: readonly string[];
      /**
       * The HTTP version Envoy speaks to the backend: 'http1' unless the cluster
       * configures HTTP/2 ('http2', e.g. gRPC and h2c backends), follows the
       * client ('downstream') or negotiates by ALPN ('auto').
       */
      readonly upstreamProtocol: UpstreamProtocol;
    }
  | {
      /**
       * Envoy answers this share itself: the route points at a cluster that
       * does not exist (the reserved `switchyard_invalid_backend` for invalid
       * backendRefs), so cluster_not_found_response_code decides the status.
       */
      readonly kind: 'error';
      readonly cluster: string;
      readonly status: number;
      readonly reason: 'invalid-backend' | 'cluster-not-found';
    };

export type UpstreamProtocol = 'http1' | 'http2' | 'http3' | 'downstream' | 'auto';

export interface WeightedBackend {
  readonly target: WeightedTarget;
  readonly weight: number;
  /** weight / total weight, 0..1. */
  readonly share: number;
  /** Host rewrite that applies to this share only (ClusterWeight.host_rewrite_literal). */
  readonly hostRewrite?: string;
  readonly requestHeaderChanges: readonly HeaderChange[];
  readonly responseHeaderChanges: readonly HeaderChange[];
  /** Filter configs set on this weighted cluster entry. */
  readonly filterConfigs: readonly FilterConfigRef[];
  readonly upstream: UpstreamRequest;
}

export interface PathRewrite {
  readonly by: 'prefix_rewrite' | 'regex_rewrite';
  readonly from: string;
  readonly to: string;
}

export type HostRewrite =
  | { readonly by: 'host_rewrite_literal'; readonly host: string }
  | { readonly by: 'auto_host_rewrite' }
  | { readonly by: 'host_rewrite_header'; readonly header: string }
  | { readonly by: 'host_rewrite_path_regex'; readonly host: string };

export interface Mirror {
  readonly cluster: string;
  readonly backend: BackendSource | undefined;
  /** Share of requests mirrored, in percent (100 when no runtime_fraction is set). */
  readonly percent: number;
  readonly level: 'route' | 'virtual_host' | 'route_configuration';
}

export interface Timeouts {
  /** Seconds; 0 means disabled. Envoy's default is 15s when the route sets none. */
  readonly request: number;
  readonly requestSource: 'route' | 'default';
  readonly idle?: number;
  readonly maxStreamDuration?: number;
}

export interface Retry {
  readonly retryOn: readonly string[];
  /** Envoy's default is 1 when a retry policy exists without num_retries. */
  readonly numRetries: number;
  readonly perTryTimeout?: number;
  readonly retriableStatusCodes: readonly number[];
  readonly backOff?: { readonly baseInterval?: number; readonly maxInterval?: number };
  readonly level: 'route' | 'virtual_host';
}

/** The local rate limit a request is subject to (explain/local-ratelimit.ts); tokens are not counted. */
export interface RateLimitOutcome {
  /** Where the per-filter config came from. */
  readonly level: HeaderLevel;
  /** Bucket size (burst included). */
  readonly maxTokens: number;
  readonly tokensPerFill: number;
  readonly fillIntervalSeconds: number;
  /** Descriptor keys with one bucket per distinct value (remote_address, header:<name>); empty: one shared bucket. */
  readonly keyedBy: readonly string[];
  /** False when the filter only counts (filter_enforced 0%). */
  readonly enforced: boolean;
  /** The status of a limited request (429 unless configured). */
  readonly status: number;
}

/** A typed_per_filter_config entry (or the legacy cors field) that applies to the request. */
export interface FilterConfigRef {
  /** The HTTP filter name it configures, e.g. envoy.filters.http.cors. */
  readonly filter: string;
  readonly level: HeaderLevel;
  readonly typeUrl: string;
  /** The config as given (Any with '@type'), so tools can show it. */
  readonly config: Readonly<Record<string, unknown>>;
}

export type RouteAction =
  | {
      readonly kind: 'clusters';
      readonly backends: readonly WeightedBackend[];
      readonly totalWeight: number;
      /** cluster_header: the cluster is named by this request header; backends is then empty. */
      readonly clusterHeader?: string;
      readonly pathRewrite?: PathRewrite;
      readonly hostRewrite?: HostRewrite;
      readonly requestHeaderChanges: readonly HeaderChange[];
      readonly responseHeaderChanges: readonly HeaderChange[];
      readonly mirrors: readonly Mirror[];
      readonly timeouts: Timeouts;
      readonly retry?: Retry;
      /** Upgrade types the route allows (websocket, CONNECT): the connection manager's, as the route overrides them. */
      readonly upgrades: readonly string[];
    }
  | {
      readonly kind: 'redirect';
      readonly status: 301 | 302 | 303 | 307 | 308;
      readonly location: string;
      readonly responseHeaderChanges: readonly HeaderChange[];
    }
  | {
      readonly kind: 'direct_response';
      readonly status: number;
      readonly body?: string;
      readonly responseHeaderChanges: readonly HeaderChange[];
    }
  | {
      /** An action explain does not evaluate (filter_action, non_forwarding_action). */
      readonly kind: 'unsupported';
      readonly action: string;
    };

export interface MatchedRoute {
  /** The Envoy route's name (may be empty). */
  readonly name: string;
  /** Index of the route within the virtual host's routes. */
  readonly index: number;
  /** Undefined when the route carries no switchyard.dev metadata. */
  readonly source: RouteSource | undefined;
}

/** Where on the listener the connection landed. */
export interface ListenerSelection {
  readonly listener: string;
  readonly filterChain: string;
  /** The filter chain's index, or -1 for the listener's default_filter_chain. */
  readonly filterChainIndex: number;
}

export type Explanation =
  | {
      /** No listener is bound to the port: the connection is refused. */
      readonly kind: 'no-listener';
      readonly port: number;
      readonly listeningPorts: readonly number[];
    }
  | {
      /** A listener is bound but no filter chain accepts the connection: Envoy closes it. */
      readonly kind: 'no-filter-chain';
      readonly listener: string;
    }
  | {
      /** The connection reaches a filter chain without an HTTP connection manager (TCP proxy etc.). */
      readonly kind: 'not-http';
      readonly selection: ListenerSelection;
      readonly filters: readonly string[];
    }
  | {
      /** Envoy answers 404 itself. */
      readonly kind: 'no-route';
      readonly status: 404;
      readonly reason: 'route-configuration-missing' | 'no-virtual-host' | 'no-matching-route';
      readonly selection: ListenerSelection;
      readonly routeConfiguration: string;
      readonly virtualHost?: string;
      readonly notes: readonly string[];
      /** HTTP filters and route table fields on the request's path that explain does not evaluate: the outcome may differ. */
      readonly notModelled?: readonly string[];
    }
  | {
      readonly kind: 'route';
      readonly selection: ListenerSelection;
      readonly routeConfiguration: string;
      readonly virtualHost: string;
      readonly route: MatchedRoute;
      readonly action: RouteAction;
      /** HTTP filters of the connection manager, in order. */
      readonly httpFilters: readonly string[];
      /** Per-filter configs that apply (most specific level first for each filter). */
      readonly filterConfigs: readonly FilterConfigRef[];
      /** What the CORS filter does, when the connection manager has one and a policy applies to the route. */
      readonly cors?: CorsOutcome;
      /** The local rate limit the request counts against, when one applies. */
      readonly rateLimit?: RateLimitOutcome;
      /** Places where explain had to approximate Envoy (e.g. runtime fractions). */
      readonly notes: readonly string[];
      /** HTTP filters and route table fields on the request's path that explain does not evaluate: the outcome may differ. */
      readonly notModelled: readonly string[];
    };
