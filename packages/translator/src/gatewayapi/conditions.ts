// Condition types and reasons from the Gateway API v1.7 spec, and the small
// builder every status computation uses. observedGeneration is filled in by
// status.ts from the object the condition belongs to.
import type { ConditionStatus } from '@switchyard/api';

/** A condition before observedGeneration/lastTransitionTime are stamped. */
export interface PendingCondition {
  readonly type: string;
  readonly status: ConditionStatus;
  readonly reason: string;
  readonly message: string;
}

export function condition(type: string, status: boolean | ConditionStatus, reason: string, message: string): PendingCondition {
  return { type, status: typeof status === 'boolean' ? (status ? 'True' : 'False') : status, reason, message };
}

export const ConditionType = {
  Accepted: 'Accepted',
  Programmed: 'Programmed',
  ResolvedRefs: 'ResolvedRefs',
  Conflicted: 'Conflicted',
  PartiallyInvalid: 'PartiallyInvalid',
  SupportedVersion: 'SupportedVersion',
} as const;

/** Condition type on the Gateway for a ProxyConfig setting that could not be applied. */
export const PROXY_CONFIG_CONDITION = 'switchyard.dev/ProxyConfigApplied';

/**
 * Every condition type Switchyard writes on the objects it reports on (the
 * spec's types above, and Switchyard's own ProxyConfig condition). Any other
 * type on those objects belongs to someone else: the Gateway API says an
 * implementation "MUST NOT remove or reorder Conditions that they are not
 * directly responsible for", so the status writer keeps those as they are.
 */
export const OWN_CONDITION_TYPES: ReadonlySet<string> = new Set<string>([...Object.values(ConditionType), PROXY_CONFIG_CONDITION]);

export const GatewayClassReason = {
  Accepted: 'Accepted',
  InvalidParameters: 'InvalidParameters',
  Unsupported: 'Unsupported',
  SupportedVersion: 'SupportedVersion',
} as const;

export const GatewayReason = {
  Accepted: 'Accepted',
  ListenersNotValid: 'ListenersNotValid',
  Invalid: 'Invalid',
  Programmed: 'Programmed',
  UnsupportedAddress: 'UnsupportedAddress',
  InvalidParameters: 'InvalidParameters',
  AddressNotAssigned: 'AddressNotAssigned',
  AddressNotUsable: 'AddressNotUsable',
  NoResources: 'NoResources',
  Pending: 'Pending',
  ResolvedRefs: 'ResolvedRefs',
  RefNotPermitted: 'RefNotPermitted',
  InvalidClientCertificateRef: 'InvalidClientCertificateRef',
} as const;

export const ListenerReason = {
  Accepted: 'Accepted',
  PortUnavailable: 'PortUnavailable',
  UnsupportedProtocol: 'UnsupportedProtocol',
  UnsupportedValue: 'UnsupportedValue',
  HostnameConflict: 'HostnameConflict',
  ProtocolConflict: 'ProtocolConflict',
  NoConflicts: 'NoConflicts',
  ResolvedRefs: 'ResolvedRefs',
  InvalidCertificateRef: 'InvalidCertificateRef',
  InvalidRouteKinds: 'InvalidRouteKinds',
  RefNotPermitted: 'RefNotPermitted',
  Programmed: 'Programmed',
  Invalid: 'Invalid',
  Pending: 'Pending',
} as const;

export const RouteReason = {
  Accepted: 'Accepted',
  NotAllowedByListeners: 'NotAllowedByListeners',
  NoMatchingListenerHostname: 'NoMatchingListenerHostname',
  NoMatchingParent: 'NoMatchingParent',
  UnsupportedValue: 'UnsupportedValue',
  Pending: 'Pending',
  IncompatibleFilters: 'IncompatibleFilters',
  ResolvedRefs: 'ResolvedRefs',
  RefNotPermitted: 'RefNotPermitted',
  InvalidKind: 'InvalidKind',
  BackendNotFound: 'BackendNotFound',
  UnsupportedProtocol: 'UnsupportedProtocol',
} as const;
