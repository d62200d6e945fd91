// Listener protocols: which Gateway listener protocols Switchyard serves, the
// route kinds each accepts, which may share a port, and the per-protocol
// validation (TLS settings, certificate references). A new protocol is one
// entry in LISTENER_PROTOCOLS plus, if it needs one, a FilterChainIR kind
// (ir/ir.ts) built in fleet.ts and emitted in envoy/listener.ts.
import type { Gateway, Listener } from '@switchyard/api';
import type { DownstreamTlsIR, SecretIR } from '../ir/ir.js';
import type { TranslationContext } from './context.js';
import type { PendingCondition } from './conditions.js';
import type { ListenerSetOrigin } from './gateway.js';
import { HTTPS, TLS } from './listener-tls.js';
import { TCP, UDP } from './l4-listeners.js';

export interface ListenerValidation {
  /** Accepted=False with this reason/message (e.g. UnsupportedValue). */
  readonly notAccepted?: { readonly reason: string; readonly message: string };
  /** ResolvedRefs=False with this reason/message (e.g. InvalidCertificateRef). */
  readonly unresolvedRefs?: { readonly reason: string; readonly message: string };
  /** Downstream TLS for the listener's filter chain, when it terminates TLS. */
  readonly tls?: DownstreamTlsIR;
  /** Secrets the fleet must receive for this listener. */
  readonly secrets?: readonly SecretIR[];
  /** Extra Gateway-level conditions (e.g. Gateway ResolvedRefs for a TLS setting). */
  readonly gatewayConditions?: readonly PendingCondition[];
}

export interface ListenerProtocol {
  readonly protocol: string;
  readonly transport: 'TCP' | 'UDP';
  /**
   * Listeners on one port must share a family; within a family they are
   * told apart by hostname (Host header or SNI). Different families on one
   * port are a ProtocolConflict.
   */
  readonly family: 'http' | 'tls' | 'tcp' | 'udp';
  /** Route kinds (group gateway.networking.k8s.io) this protocol serves, in supportedKinds order. */
  readonly routeKinds: readonly string[];
  /** Whether the listener's hostname field is meaningful (not for TCP/UDP). */
  readonly usesHostname: boolean;
  /** `origin` is set for listeners a ListenerSet contributes (their references are the ListenerSet's). */
  validate(listener: Listener, gateway: Gateway, ctx: TranslationContext, origin?: ListenerSetOrigin): ListenerValidation;
}

const http: ListenerProtocol = {
  protocol: 'HTTP',
  transport: 'TCP',
  family: 'http',
  routeKinds: ['HTTPRoute', 'GRPCRoute'],
  usesHostname: true,
  validate(listener) {
    if (listener.tls) return { notAccepted: { reason: 'UnsupportedValue', message: 'spec.listeners[].tls must not be set for protocol HTTP' } };
    return {};
  },
};

/** Registry by protocol name. Protocols missing here get Accepted=False/UnsupportedProtocol. */
export const LISTENER_PROTOCOLS: ReadonlyMap<string, ListenerProtocol> = new Map([http, HTTPS, TLS, TCP, UDP].map((p) => [p.protocol, p]));
