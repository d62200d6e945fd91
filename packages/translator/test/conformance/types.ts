// The facts of the upstream Gateway API conformance tests (conformance/tests/*.go
// of sigs.k8s.io/gateway-api/conformance), as data: which manifests a test
// applies, which status conditions it waits for, and what each request it
// sends must get back. The runner checks them against translate() and
// explain() instead of a live cluster and Envoy.

/** "namespace/name". */
export type NN = string;

export interface ExpectedCondition {
  readonly type: string;
  /** Omitted: any status. */
  readonly status?: 'True' | 'False' | 'Unknown';
  /** Omitted: any reason. */
  readonly reason?: string;
}

export type RouteKind = 'HTTPRoute' | 'GRPCRoute';

export interface ExpectedParent {
  readonly gateway: NN;
  readonly sectionName?: string;
  readonly port?: number;
  readonly conditions: readonly ExpectedCondition[];
}

export interface ExpectedListener {
  readonly name: string;
  readonly supportedKinds: readonly string[];
  readonly attachedRoutes: number;
  readonly conditions: readonly ExpectedCondition[];
}

/** What the suite's helpers wait for (utils/kubernetes/helpers.go), one kind per helper. */
export type StatusStep =
  /** GatewayAndRoutesMustBeAccepted: each route Accepted by the Gateway (by these listeners, if given); every listener (or the named ones) ResolvedRefs, Accepted and Programmed. */
  | { readonly kind: 'accepted'; readonly gateway: NN; readonly listeners?: readonly string[]; readonly routes: readonly NN[]; readonly routeKind?: RouteKind }
  /** HTTPRouteMustHaveCondition (and the ResolvedRefs/Accepted shorthands). */
  | { readonly kind: 'route-condition'; readonly route: NN; readonly routeKind?: RouteKind; readonly gateway: NN; readonly condition: ExpectedCondition }
  /** HTTPRouteMustHaveParents: every expected parent is present with these conditions. */
  | {
      readonly kind: 'route-parents';
      readonly route: NN;
      readonly routeKind?: RouteKind;
      readonly parents: readonly ExpectedParent[];
      readonly namespaceRequired: boolean;
    }
  /** HTTPRouteMustHaveNoAcceptedParents: no parents, or exactly one that is not Accepted. */
  | { readonly kind: 'route-no-accepted-parents'; readonly route: NN; readonly routeKind?: RouteKind }
  /** GatewayStatusMustHaveListeners: exactly these listeners, kinds included, attachedRoutes equal, conditions present. */
  | { readonly kind: 'gateway-listeners'; readonly gateway: NN; readonly listeners: readonly ExpectedListener[] }
  /** GatewayMustHaveCondition / GatewayMustHaveLatestConditions. */
  | { readonly kind: 'gateway-condition'; readonly gateway: NN; readonly condition: ExpectedCondition }
  /** GatewayListenersMustHaveConditions: each (or the named) listener has the conditions. */
  | { readonly kind: 'listener-conditions'; readonly gateway: NN; readonly listeners?: readonly string[]; readonly conditions: readonly ExpectedCondition[] }
  /** GatewayMustHaveZeroRoutes: no listener status, or one with zero attached routes. */
  | { readonly kind: 'gateway-zero-routes'; readonly gateway: NN }
  /** NamespacesMustBeReady (the Gateway half): every Gateway in these namespaces Accepted and Programmed. */
  | { readonly kind: 'namespace-ready'; readonly namespaces: readonly string[] }
  /** GatewayClass conditions (GWCMustHaveAcceptedConditionTrue etc.). */
  | { readonly kind: 'gatewayclass-condition'; readonly gatewayClass: string; readonly condition: ExpectedCondition };

/** http.Request of the suite. */
export interface HttpRequestSpec {
  /** Host header; empty means the Gateway's address (with the port unless it is the scheme's default). */
  readonly host?: string;
  readonly method?: string;
  /** Path with query. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** http.ExpectedResponse of the suite. */
export interface HttpExpectation {
  readonly kind: 'http';
  /** The Gateway the request is sent to, and which listener's port (the first listener's by default). */
  readonly gateway: NN;
  readonly listener?: string;
  readonly scheme?: 'http' | 'https';
  /** TLS SNI the client sends (https); defaults to the Host. */
  readonly sni?: string;
  /** The request asks to upgrade the connection (websocket): the route must allow it. */
  readonly upgrade?: string;
  readonly request: HttpRequestSpec;
  /** ExpectedRequest: what reaches the backend; path defaults to the request path. */
  readonly expectedRequest?: {
    readonly host?: string;
    readonly path?: string;
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly absentHeaders?: readonly string[];
  };
  /** Headers the echo backend is told to set on its response (X-Echo-Set-Header). */
  readonly backendSetResponseHeaders?: Readonly<Record<string, string>>;
  readonly response?: {
    /** Default [200]. */
    readonly statusCodes?: readonly number[];
    readonly headers?: Readonly<Record<string, string>>;
    /** Each header's value must be one of these. */
    readonly validHeaderValues?: Readonly<Record<string, readonly string[]>>;
    readonly absentHeaders?: readonly string[];
    /** Compare response header values with spaces removed. */
    readonly ignoreWhitespace?: boolean;
  };
  /** RedirectRequest: '' or omitted fields are defaulted as the suite does. */
  readonly redirect?: { readonly scheme?: string; readonly host?: string; readonly port?: string; readonly path?: string };
  /** Pod name prefix = Deployment = Service name of the conformance backends. */
  readonly backend?: string;
  readonly namespace?: string;
  readonly mirroredTo?: ReadonlyArray<{ readonly name: string; readonly namespace: string; readonly percent?: number }>;
  /** MakeRequestAndExpectFailure: anything but a 200. */
  readonly expectFailure?: boolean;
  /** The echo backend answers `code` to the first `succeedAfter` attempts, then 200 (the retry test's simulation). */
  readonly backendFailure?: { readonly code: number; readonly succeedAfter: number };
  /** Connection attempts the Service's endpoints refuse before one reaches a healthy pod (a broken pod behind the Service). */
  readonly backendRefusedConnections?: number;
  /** The echo backend delays its answer this long (seconds); a shorter effective timeout gives 504. */
  readonly backendDelaySeconds?: number;
  readonly label?: string;
}

/** grpc.ExpectedResponse of the suite: a unary call to gateway_api_conformance.echo_basic.grpcecho.GrpcEcho. */
export interface GrpcExpectation {
  readonly kind: 'grpc';
  readonly gateway: NN;
  readonly listener?: string;
  readonly method: 'Echo' | 'EchoTwo' | 'EchoThree';
  readonly authority?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  /** gRPC status code name; default OK. */
  readonly code?: 'OK' | 'UNIMPLEMENTED' | 'UNAVAILABLE' | 'INTERNAL' | 'NOT_FOUND';
  readonly backend?: string;
  readonly namespace?: string;
  readonly label?: string;
}

/** weight.TestWeightedDistribution: the share each backend gets (exactly, here: explain reads the weights). */
export interface WeightExpectation {
  readonly kind: 'weights';
  readonly gateway: NN;
  readonly request: HttpRequestSpec;
  readonly grpc?: boolean;
  readonly weights: Readonly<Record<string, number>>;
  readonly namespace: string;
  readonly label?: string;
}

/** Every request reaches 200 at a backend whose name starts with the value a backendRef filter put in `header` (HTTPRouteRequestHeaderModifierBackendWeights). */
export interface BackendHeaderExpectation {
  readonly kind: 'backend-header';
  readonly gateway: NN;
  readonly request: HttpRequestSpec;
  readonly header: string;
  readonly namespace: string;
  readonly label?: string;
}

/** A TLS connection to a listener (tls.MakeTLSRequest with or without a client certificate): whether Envoy asks for a client certificate, and which CA bundle it trusts. */
export interface TlsClientCertificateExpectation {
  readonly kind: 'tls-client-certificate';
  readonly gateway: NN;
  readonly port: number;
  readonly sni: string;
  /** 'required': a certificate not signed by the CA fails the handshake; 'optional': any certificate, or none, is let through. */
  readonly policy: 'required' | 'optional';
  /** ConfigMap "namespace/name" whose ca.crt Envoy must trust. */
  readonly trustedCa: NN;
  readonly label?: string;
}

export type RequestStep = HttpExpectation | GrpcExpectation | WeightExpectation | BackendHeaderExpectation | TlsClientCertificateExpectation;

export type Step = (StatusStep | RequestStep) & {
  /** Set when Switchyard's translator lacks what the step needs: names the missing feature. The step runs as it.failing. */
  readonly failing?: string;
};

/** A change the test makes to applied objects before its next steps (e.g. bumping a generation). */
export interface Mutation {
  readonly label: string;
  readonly apply: (objects: MutableObjects) => void;
  readonly steps: readonly Step[];
}

export interface MutableObjects {
  find(kind: string, nn: NN): { metadata: { generation?: number }; spec?: unknown } & Record<string, unknown>;
  remove(kind: string, nn: NN): void;
}

export interface ConformanceTest {
  /** The suite's ShortName. */
  readonly name: string;
  /** Paths relative to the conformance module, besides base/manifests.yaml (checked against the Go test's Manifests). */
  readonly manifests: readonly string[];
  readonly steps: readonly Step[];
  readonly mutations?: readonly Mutation[];
  /** Set when the whole test cannot pass yet: names the missing feature. */
  readonly failing?: string;
}
