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
];

/** supportedFeatures as the GatewayClass status carries it: objects, sorted by name. */
export function supportedFeatures(extra: readonly string[] = []): Array<{ name: string }> {
  return [...new Set([...SUPPORTED_FEATURES, ...extra])].sort().map((name) => ({ name }));
}
