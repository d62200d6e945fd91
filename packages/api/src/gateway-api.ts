// Gateway API v1.7 object types (gateway.networking.k8s.io), transcribed from
// the Go types in sigs.k8s.io/gateway-api/apis/v1 (and apisx for the
// experimental x-k8s.io kinds Switchyard reads). Field names and optionality
// follow the JSON tags; CRD defaults are NOT assumed to be applied (objects read
// from files may omit them), so every defaulted field stays optional here and
// the translator applies the documented default itself.
import type { Condition } from './condition.js';
import type { KubeObject } from './object.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/**
 * The Gateway API release whose CRDs and conformance suite Switchyard is built
 * and tested against (e2e/go.mod pins the same version; a test checks it).
 */
export const GATEWAY_API_VERSION = 'v1.7.0';

// ---- shared ---------------------------------------------------------------

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
/** metav1.LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface BackendRef extends BackendObjectReference {
  weight?: number;
}

export interface LocalObjectReference {
  group: string;
  kind: string;
  name: string;
}

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface ObjectReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface RouteGroupKind {
  group?: string;
  kind: string;
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions?: Condition[];
}

export interface RouteStatus {
  parents: RouteParentStatus[];
}

export type GatewayDefaultScope = 'All' | 'None';

export interface CommonRouteSpec {
  parentRefs?: ParentReference[];
  useDefaultGateways?: GatewayDefaultScope;
}

export interface Fraction {
  numerator: number;
  denominator?: number;
}

/** v1.7 shape: `sessionName` and `cookieConfig` (v1.6) became `cookie.name` / `header.name` and `cookie`. */
export interface SessionPersistence {
  absoluteTimeout?: string;
  idleTimeout?: string;
  type?: 'Cookie' | 'Header';
  cookie?: { lifetimeType?: 'Permanent' | 'Session'; name?: string; path?: string };
  header?: { name: string };
}

// ---- GatewayClass -----------------------------------------------------------

export interface ParametersReference {
  group: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface GatewayClassSpec {
  controllerName: string;
  parametersRef?: ParametersReference;
  description?: string;
}

export interface SupportedFeature {
  name: string;
}

export interface GatewayClassStatus {
  conditions?: Condition[];
  supportedFeatures?: SupportedFeature[];
}

export type GatewayClass = KubeObject<GatewayClassSpec, GatewayClassStatus>;

// ---- Gateway ----------------------------------------------------------------

export type ProtocolType = 'HTTP' | 'HTTPS' | 'TLS' | 'TCP' | 'UDP' | (string & {});
export type FromNamespaces = 'All' | 'Same' | 'Selector' | 'None';
export type TLSModeType = 'Terminate' | 'Passthrough';

export interface RouteNamespaces {
  from?: FromNamespaces;
  selector?: LabelSelector;
}

export interface AllowedRoutes {
  namespaces?: RouteNamespaces;
  kinds?: RouteGroupKind[];
}

export interface ListenerTLSConfig {
  mode?: TLSModeType;
  certificateRefs?: SecretObjectReference[];
  options?: Record<string, string>;
}

/** Pre-routing filters (experimental, v1.7): run before route matching, in order. */
export interface ListenerFilter {
  type: 'ExternalAuth' | 'ExtensionRef';
  externalAuth?: HTTPExternalAuthFilter;
  extensionRef?: LocalObjectReference;
}

export interface ListenerFilters {
  requests?: ListenerFilter[];
}

export interface Listener {
  name: string;
  hostname?: string;
  port: number;
  protocol: ProtocolType;
  tls?: ListenerTLSConfig;
  allowedRoutes?: AllowedRoutes;
  filters?: ListenerFilters;
}

/** '' (implementation default), 'Cluster', or a domain-prefixed implementation-specific value (experimental, v1.7). */
export type GatewayAddressRoutabilityType = string;

export interface GatewaySpecAddress {
  type?: string;
  value?: string;
  routability?: GatewayAddressRoutabilityType;
}

export interface GatewayInfrastructure {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  parametersRef?: { group: string; kind: string; name: string };
}

export interface ListenerNamespaces {
  from?: FromNamespaces;
  selector?: LabelSelector;
}

export interface AllowedListeners {
  namespaces?: ListenerNamespaces;
}

export interface FrontendTLSValidation {
  caCertificateRefs: ObjectReference[];
  mode?: 'AllowValidOnly' | 'AllowInsecureFallback';
}

export interface TLSConfig {
  validation?: FrontendTLSValidation;
}

export interface GatewayTLSConfig {
  backend?: { clientCertificateRef?: SecretObjectReference };
  frontend?: { default: TLSConfig; perPort?: Array<{ port: number; tls: TLSConfig }> };
}

export interface GatewaySpec {
  gatewayClassName: string;
  listeners: Listener[];
  addresses?: GatewaySpecAddress[];
  infrastructure?: GatewayInfrastructure;
  allowedListeners?: AllowedListeners;
  tls?: GatewayTLSConfig;
  defaultScope?: GatewayDefaultScope;
}

export interface GatewayStatusAddress {
  type?: string;
  value: string;
  routability?: GatewayAddressRoutabilityType;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: RouteGroupKind[];
  attachedRoutes: number;
  conditions: Condition[];
}

export interface GatewayStatus {
  addresses?: GatewayStatusAddress[];
  conditions?: Condition[];
  listeners?: ListenerStatus[];
  attachedListenerSets?: number;
}

export type Gateway = KubeObject<GatewaySpec, GatewayStatus>;

// ---- ListenerSet (v1 since v1.6) ---------------------------------------------

export interface ParentGatewayReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface ListenerEntry {
  name: string;
  hostname?: string;
  port?: number;
  protocol: ProtocolType;
  tls?: ListenerTLSConfig;
  allowedRoutes?: AllowedRoutes;
  filters?: ListenerFilters;
}

export interface ListenerSetSpec {
  parentRef: ParentGatewayReference;
  listeners?: ListenerEntry[];
}

export interface ListenerSetStatus {
  conditions?: Condition[];
  listeners?: ListenerStatus[];
}

export type ListenerSet = KubeObject<ListenerSetSpec, ListenerSetStatus>;

// ---- HTTPRoute --------------------------------------------------------------

export type PathMatchType = 'Exact' | 'PathPrefix' | 'RegularExpression';
export type HeaderMatchType = 'Exact' | 'RegularExpression';
export type QueryParamMatchType = 'Exact' | 'RegularExpression';
export type HTTPMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'CONNECT' | 'OPTIONS' | 'TRACE' | 'PATCH';

export interface HTTPPathMatch {
  type?: PathMatchType;
  value?: string;
}

export interface HTTPHeaderMatch {
  type?: HeaderMatchType;
  name: string;
  value: string;
}

export interface HTTPQueryParamMatch {
  type?: QueryParamMatchType;
  name: string;
  value: string;
}

export interface HTTPRouteMatch {
  path?: HTTPPathMatch;
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPQueryParamMatch[];
  method?: HTTPMethod;
}

export interface HTTPHeader {
  name: string;
  value: string;
}

export interface HTTPHeaderFilter {
  set?: HTTPHeader[];
  add?: HTTPHeader[];
  remove?: string[];
}

export type HTTPPathModifierType = 'ReplaceFullPath' | 'ReplacePrefixMatch';

export interface HTTPPathModifier {
  type: HTTPPathModifierType;
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface HTTPRequestRedirectFilter {
  scheme?: string;
  hostname?: string;
  path?: HTTPPathModifier;
  port?: number;
  statusCode?: number;
}

export interface HTTPURLRewriteFilter {
  hostname?: string;
  path?: HTTPPathModifier;
}

export interface HTTPRequestMirrorFilter {
  backendRef: BackendObjectReference;
  percent?: number;
  fraction?: Fraction;
}

export interface HTTPCORSFilter {
  allowOrigins?: string[];
  allowCredentials?: boolean;
  allowMethods?: string[];
  allowHeaders?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface HTTPExternalAuthFilter {
  protocol: 'HTTP' | 'GRPC';
  backendRef: BackendObjectReference;
  grpc?: { allowedHeaders?: string[] };
  http?: { path?: string; allowedHeaders?: string[]; allowedResponseHeaders?: string[] };
  forwardBody?: { maxSize?: number };
}

export type HTTPRouteFilterType =
  'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'RequestRedirect' | 'URLRewrite' | 'CORS' | 'ExternalAuth' | 'ExtensionRef';

export interface HTTPRouteFilter {
  type: HTTPRouteFilterType;
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestMirror?: HTTPRequestMirrorFilter;
  requestRedirect?: HTTPRequestRedirectFilter;
  urlRewrite?: HTTPURLRewriteFilter;
  cors?: HTTPCORSFilter;
  externalAuth?: HTTPExternalAuthFilter;
  extensionRef?: LocalObjectReference;
}

export interface HTTPBackendRef extends BackendRef {
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteTimeouts {
  request?: string;
  backendRequest?: string;
}

export interface HTTPRouteRetry {
  codes?: number[];
  attempts?: number;
  backoff?: string;
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: HTTPRouteTimeouts;
  retry?: HTTPRouteRetry;
  sessionPersistence?: SessionPersistence;
}

export interface HTTPRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: HTTPRouteRule[];
}

export type HTTPRoute = KubeObject<HTTPRouteSpec, RouteStatus>;

// ---- GRPCRoute --------------------------------------------------------------

export type GRPCMethodMatchType = 'Exact' | 'RegularExpression';

export interface GRPCMethodMatch {
  type?: GRPCMethodMatchType;
  service?: string;
  method?: string;
}

export interface GRPCHeaderMatch {
  type?: HeaderMatchType;
  name: string;
  value: string;
}

export interface GRPCRouteMatch {
  method?: GRPCMethodMatch;
  headers?: GRPCHeaderMatch[];
}

export type GRPCRouteFilterType = 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestMirror' | 'ExtensionRef';

export interface GRPCRouteFilter {
  type: GRPCRouteFilterType;
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestMirror?: HTTPRequestMirrorFilter;
  extensionRef?: LocalObjectReference;
}

export interface GRPCBackendRef extends BackendRef {
  filters?: GRPCRouteFilter[];
}

export interface GRPCRouteRule {
  name?: string;
  matches?: GRPCRouteMatch[];
  filters?: GRPCRouteFilter[];
  backendRefs?: GRPCBackendRef[];
  sessionPersistence?: SessionPersistence;
}

export interface GRPCRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: GRPCRouteRule[];
}

export type GRPCRoute = KubeObject<GRPCRouteSpec, RouteStatus>;

// ---- TLSRoute, TCPRoute, UDPRoute (v1 since v1.6) -----------------------------

export interface TLSRouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}
export interface TLSRouteSpec extends CommonRouteSpec {
  hostnames?: string[];
  rules?: TLSRouteRule[];
}
export type TLSRoute = KubeObject<TLSRouteSpec, RouteStatus>;

export interface TCPRouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}
export interface TCPRouteSpec extends CommonRouteSpec {
  rules?: TCPRouteRule[];
}
export type TCPRoute = KubeObject<TCPRouteSpec, RouteStatus>;

export interface UDPRouteRule {
  name?: string;
  backendRefs?: BackendRef[];
}
export interface UDPRouteSpec extends CommonRouteSpec {
  rules?: UDPRouteRule[];
}
export type UDPRoute = KubeObject<UDPRouteSpec, RouteStatus>;

// ---- ReferenceGrant ---------------------------------------------------------

export interface ReferenceGrantFrom {
  group: string;
  kind: string;
  namespace: string;
}
export interface ReferenceGrantTo {
  group: string;
  kind: string;
  name?: string;
}
export interface ReferenceGrantSpec {
  from: ReferenceGrantFrom[];
  to: ReferenceGrantTo[];
}
export type ReferenceGrant = KubeObject<ReferenceGrantSpec, never>;

// ---- BackendTLSPolicy (v1) --------------------------------------------------

export interface LocalPolicyTargetReferenceWithSectionName {
  group: string;
  kind: string;
  name: string;
  sectionName?: string;
}

export interface SubjectAltName {
  type: 'Hostname' | 'URI';
  hostname?: string;
  uri?: string;
}

export interface BackendTLSPolicyValidation {
  caCertificateRefs?: LocalObjectReference[];
  wellKnownCACertificates?: 'System';
  hostname: string;
  subjectAltNames?: SubjectAltName[];
}

export interface BackendTLSPolicySpec {
  targetRefs: LocalPolicyTargetReferenceWithSectionName[];
  validation: BackendTLSPolicyValidation;
  options?: Record<string, string>;
}

export interface PolicyAncestorStatus {
  ancestorRef: ParentReference;
  controllerName: string;
  conditions?: Condition[];
}

export interface PolicyStatus {
  ancestors: PolicyAncestorStatus[];
}

export type BackendTLSPolicy = KubeObject<BackendTLSPolicySpec, PolicyStatus>;

// ---- XTelemetryPolicy (experimental, gateway.networking.x-k8s.io/v1alpha1) ---

/** The experimental channel's API group (XBackendTrafficPolicy, XMesh, XTelemetryPolicy, ...). */
export const GATEWAY_X_GROUP = 'gateway.networking.x-k8s.io';

export type TracingMode = 'Enabled' | 'Disabled' | 'ImplementationDefault';
export type ParentBasedSamplingMode = 'Enabled' | 'Disabled' | 'ImplementationDefault';
export type AttributeSourceType = 'Header' | 'Literal' | 'Attribute';

export interface TracingProvider {
  /** Where OTLP spans go: a Service port (core), or another kind the implementation supports. */
  backendRef: BackendObjectReference;
  /** Headers added to the export requests (e.g. authentication). */
  headers?: HTTPHeader[];
}

export interface ParentBasedSampling {
  /** Default ImplementationDefault. */
  mode?: ParentBasedSamplingMode;
  samplingRate?: Fraction;
}

/** A span attribute: a request header's value, a literal, or an OpenTelemetry semantic-convention key. */
export interface TelemetryAttribute {
  name: string;
  sourceType: AttributeSourceType;
  headerName?: string;
  literalValue?: string;
  attributeKey?: string;
}

export interface TracingConfig {
  /** Default ImplementationDefault. */
  mode?: TracingMode;
  /** Required when mode is Enabled, and only then. */
  provider?: TracingProvider;
  samplingRate?: Fraction;
  parentBasedSampling?: ParentBasedSampling;
  serviceName?: string;
  spanName?: string;
  attributes?: TelemetryAttribute[];
}

export interface TelemetryPolicySpec {
  /** Gateways in the policy's namespace (1-16). */
  targetRefs: LocalObjectReference[];
  tracing?: TracingConfig;
}

/** GEP-713 Direct Attached Policy: at most one applies to a Gateway (the oldest, then namespace/name). */
export type XTelemetryPolicy = KubeObject<TelemetryPolicySpec, PolicyStatus>;
