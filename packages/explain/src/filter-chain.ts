// Connection-level selection, before any HTTP is parsed: which listener owns
// the port, and which of its filter chains takes the connection. Kept apart
// from HTTP routing so a TLS explanation ("which chain answers this SNI on
// this port") can reuse it without a request.
import type { Listener } from '@switchyard/protos/generated/envoy/config/listener/v3/Listener.js';
import type { FilterChain } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChain.js';
import type { FilterChainMatch } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChainMatch.js';
import type { EnvoyResources } from '@switchyard/protos';

/** What Envoy knows about a connection when it picks a filter chain. */
export interface ConnectionFacts {
  /** The local (listener) port the client connected to. */
  readonly destinationPort: number;
  /** 'tls' when the TLS inspector saw a ClientHello, 'raw_buffer' otherwise. */
  readonly transportProtocol: 'tls' | 'raw_buffer';
  /** SNI from the ClientHello, if any. */
  readonly serverName?: string;
  /** ALPN protocols the client offered, if any. */
  readonly applicationProtocols?: readonly string[];
}

export function listenerPort(l: Listener): number | undefined {
  return l.address?.socket_address?.port_value ?? undefined;
}

/** The listener bound to the port (Envoy refuses the connection when there is none). */
export function selectListener(resources: EnvoyResources, port: number): Listener | undefined {
  return resources.listeners.find((l) => listenerPort(l) === port);
}

export interface FilterChainChoice {
  readonly chain: FilterChain;
  /** Index in filter_chains, or -1 for default_filter_chain. */
  readonly index: number;
}

/**
 * Envoy's filter chain match: criteria are applied in a fixed order
 * (destination port, server names, transport protocol, application
 * protocols); at each step only the chains with the most specific match
 * survive, an empty criterion matching anything at the lowest specificity.
 * When nothing survives, the listener's default_filter_chain (if any) takes
 * the connection. Address-based criteria (prefix ranges, source addresses)
 * are not evaluated: explain knows no client address.
 */
export function selectFilterChain(listener: Listener, conn: ConnectionFacts): FilterChainChoice | undefined {
  let candidates = (listener.filter_chains ?? []).map((chain, index) => ({ chain, index }));
  const steps: Array<(m: FilterChainMatch) => number> = [
    (m) => scoreDestinationPort(m, conn),
    (m) => scoreServerNames(m, conn),
    (m) => scoreTransportProtocol(m, conn),
    (m) => scoreApplicationProtocols(m, conn),
  ];
  for (const score of steps) {
    const scored = candidates.map((c) => ({ c, s: score(c.chain.filter_chain_match ?? {}) })).filter((x) => x.s >= 0);
    if (scored.length === 0) {
      candidates = [];
      break;
    }
    const best = Math.max(...scored.map((x) => x.s));
    candidates = scored.filter((x) => x.s === best).map((x) => x.c);
  }
  // Envoy rejects listeners whose chains cannot be told apart, so at most one survives in valid config.
  const first = candidates[0];
  if (first) return first;
  return listener.default_filter_chain ? { chain: listener.default_filter_chain, index: -1 } : undefined;
}

// Each scorer: -1 = excluded, 0 = criterion empty (matches anything), >0 = matched (higher is more specific).

function scoreDestinationPort(m: FilterChainMatch, conn: ConnectionFacts): number {
  const p = m.destination_port?.value;
  if (p === undefined || p === null || p === 0) return 0;
  return p === conn.destinationPort ? 1 : -1;
}

function scoreServerNames(m: FilterChainMatch, conn: ConnectionFacts): number {
  const names = m.server_names ?? [];
  if (names.length === 0) return 0;
  const sni = (conn.serverName ?? '').toLowerCase();
  if (sni === '') return -1;
  let best = -1;
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === sni) return Number.MAX_SAFE_INTEGER;
    // "*.example.com" matches any name below example.com (one or more labels); longer suffixes are more specific.
    if (n.startsWith('*.') && sni.endsWith(n.slice(1)) && sni.length > n.length - 1) best = Math.max(best, n.length);
  }
  return best;
}

function scoreTransportProtocol(m: FilterChainMatch, conn: ConnectionFacts): number {
  const t = m.transport_protocol ?? '';
  if (t === '') return 0;
  return t === conn.transportProtocol ? 1 : -1;
}

function scoreApplicationProtocols(m: FilterChainMatch, conn: ConnectionFacts): number {
  const ps = m.application_protocols ?? [];
  if (ps.length === 0) return 0;
  return ps.some((p) => (conn.applicationProtocols ?? []).includes(p)) ? 1 : -1;
}

/** A readable name for a chosen chain: its name, else its index. */
export function filterChainName(choice: FilterChainChoice): string {
  if (choice.chain.name) return choice.chain.name;
  return choice.index < 0 ? 'default_filter_chain' : `filter_chains[${choice.index}]`;
}
