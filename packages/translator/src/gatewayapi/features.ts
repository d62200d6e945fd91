// The Gateway API conformance features Switchyard implements. GatewayClass
// status.supportedFeatures lists exactly these (sorted, as the spec asks), and
// the conformance suite runs the tests for them — so add a name here only
// together with the code and the test that proves it.

export const SUPPORTED_FEATURES: readonly string[] = [
  'Gateway',
  'GatewayPort8080',
  'GatewayHTTPListenerIsolation',
  // Provisioning (the controller's fleet Service and objects, packages/controller/src/fleet.ts and
  // gateway-status.ts), proved by the controller's tests and the upstream tests on the local cluster.
  'GatewayAddressEmpty',
  'GatewayInfrastructure',
  'GatewayStaticAddresses',
  // spec.addresses[].routability (GEP-1651): Cluster is the fleet Service's cluster IP (a ClusterIP Service
  // when every address asks for it), other values are UnsupportedAddress. v1.7.0 has no upstream
  // conformance test for either; the controller's gateway-status.test.ts, fleet.test.ts and
  // fleet.integration.test.ts (real API server) prove them.
  'GatewayAddressRoutability',
  'GatewayAddressRoutabilityCluster',
  // Routes sharing a virtual host (and TLSRoutes sharing an SNI name) rank first by their own most specific
  // hostname (gatewayapi/precedence.ts), proved by the upstream tests on the local cluster.
  'GatewayRouteHostnameIntersectionPrecedence',
  // Pre-routing listener filters (gatewayapi/listenerfilters.ts, envoy/ext-authz.ts). v1.7.0 has no
  // upstream conformance test for it; gatewayapi/listenerfilters.test.ts proves it (status conditions,
  // the Envoy config and its order, xdscheck, explain).
  'GatewayListenerFilters',
  'HTTPRoute',
  'HTTPRouteBackendProtocolH2C',
  'HTTPRouteBackendProtocolWebSocket',
  'HTTPRouteBackendURLRewrite',
  'HTTPRouteCORS',
  // v1.7's only test for it: a parentRef port no listener has -> Accepted=False/NoMatchingParent (cases-httproute-refs.ts).
  'HTTPRouteDestinationPortMatching',
  'HTTPRouteBackendRequestHeaderModification',
  'HTTPRouteBackendTimeout',
  'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching',
  'HTTPRouteNamedRouteRule',
  'HTTPRouteParentRefPort',
  'HTTPRoutePathRedirect',
  'HTTPRoutePathRewrite',
  'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching',
  'HTTPRouteRequestMirror',
  'HTTPRouteRequestMultipleMirrors',
  'HTTPRouteRequestPercentageMirror',
  'HTTPRouteRequestTimeout',
  'HTTPRouteResponseHeaderModification',
  'HTTPRouteRetryCodes',
  'HTTPRouteRetryConnectionError',
  'HTTPRouteSchemeRedirect',
  'HTTPRoute303RedirectStatusCode',
  'HTTPRoute307RedirectStatusCode',
  'HTTPRoute308RedirectStatusCode',
  'GRPCRoute',
  'GRPCRouteNamedRouteRule',
  'GRPCRouteRequestHeaderModifier',
  'ReferenceGrant',
  // TLS and layer 4 (proved by conformance/tls-l4.test.ts and gatewayapi/tls-l4.test.ts).
  'BackendTLSPolicy',
  'BackendTLSPolicySANValidation',
  'GatewayBackendClientCertificate',
  'GatewayFrontendClientCertificateValidation',
  'GatewayFrontendClientCertificateValidationInsecureFallback',
  'GatewayHTTPSListenerDetectMisdirectedRequests',
  'ListenerSet',
  'TCPRoute',
  'TLSRoute',
  'TLSRouteModeMixed',
  'TLSRouteModeTerminate',
  'UDPRoute',
  // GEP-5075: caCertificateRefs naming a certificates.k8s.io ClusterTrustBundle, in BackendTLSPolicy
  // and Gateway frontend validation (tls/references.ts). v1.7.0 ships no upstream conformance test
  // for it; proved by gatewayapi/clustertrustbundle.test.ts (statuses and Envoy's validation
  // context, a backend signed by the bundle's CA reached and one signed by another refused) and the
  // controller's clustertrustbundle.integration.test.ts on a real API server. Claimed only while the
  // cluster serves the API (FEATURE_KINDS).
  'ClusterTrustBundle',
];

/**
 * Features that need a kind the cluster may not serve: GEP-5075 asks that
 * ClusterTrustBundle be advertised only while its API is present.
 */
const FEATURE_KINDS: Readonly<Record<string, { readonly group: string; readonly kind: string }>> = {
  ClusterTrustBundle: { group: 'certificates.k8s.io', kind: 'ClusterTrustBundle' },
};

/** supportedFeatures as the GatewayClass status carries it: objects, sorted by name, without those whose kind is not served. */
export function supportedFeatures(kindServed: (group: string, kind: string) => boolean = () => true): Array<{ name: string }> {
  return SUPPORTED_FEATURES.filter((name) => {
    const needs = FEATURE_KINDS[name];
    return !needs || kindServed(needs.group, needs.kind);
  })
    .sort()
    .map((name) => ({ name }));
}
