// The conformance table: every upstream test in scope, and the ones left out
// with the reason.
import type { ConformanceTest } from './types.js';
import { httpRouteMatchingTests } from './cases-httproute-matching.js';
import { httpRouteFilterTests } from './cases-httproute-filters.js';
import { httpRouteListenerTests, httpRouteRefTests } from './cases-httproute-refs.js';
import { grpcRouteTests } from './cases-grpcroute.js';
import { gatewayTests } from './cases-gateway.js';
import { gatewayTlsTests } from './cases-gateway-tls.js';

export const CONFORMANCE_TESTS: readonly ConformanceTest[] = [
  ...httpRouteMatchingTests,
  ...httpRouteFilterTests,
  ...httpRouteRefTests,
  ...httpRouteListenerTests,
  ...grpcRouteTests,
  ...gatewayTests,
  ...gatewayTlsTests,
];

/**
 * Tests that fail here although the GatewayClass claims every feature they
 * need: the translator claims too much, for the reason given. Remove an
 * entry when its test passes or the claim is withdrawn.
 */
export const OVERCLAIMED: Readonly<Record<string, string>> = {};

/** Upstream tests under httproute-/grpcroute-/gateway-* that this table does not encode, and why. */
export const OUT_OF_SCOPE: Readonly<Record<string, string>> = {
  GatewayInfrastructureMetadata:
    'checks labels and annotations on the Pods, Services and ServiceAccounts the controller provisions; translate() makes none of them',
  GatewayStaticAddresses:
    "checks spec.addresses against addresses the cluster can assign; address assignment is the controller's (fleet provisioning), not the translator's",
  GatewayPreserveForeignConditions:
    "checks that status conditions other controllers wrote survive a status update; that is the status writer's merge (controller/status-writer.ts), not translate()",
  HTTPRoutePreserveForeignStatus: "checks that route parent statuses of other controllers survive a status update; the status writer's merge, not translate()",
  HTTPRouteRetryWithRequestTimeout: "provisional in v1.7; needs the backend's delay between retries (delayRetry), which explain does not model",
  HTTPRouteRetryWithBackendTimeout: "provisional in v1.7; needs the backend's delay between retries (delayRetry), which explain does not model",
  HTTPRouteMultipleRoutesAttachmentSameHostnameIntersection:
    'creates its newer routes in Go code one second after the older ones, which this table does not encode; the upstream test proves GatewayRouteHostnameIntersectionPrecedence on the local cluster (docs/conformance/)',
  GRPCRouteMultipleRoutesAttachmentSameHostnameIntersection:
    'creates its newer routes in Go code one second after the older ones, which this table does not encode; the upstream test proves GatewayRouteHostnameIntersectionPrecedence on the local cluster (docs/conformance/)',
  GatewayOptionalAddressValue: 'waits for status.addresses, which the controller fills from the fleet Service; translate() does not assign addresses',
};
