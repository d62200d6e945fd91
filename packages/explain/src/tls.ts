// explain for a connection rather than a request: given a port, whether the
// client speaks TLS, its SNI and ALPN, which listener and filter chain of a
// fleet's Envoy take the connection, whether Envoy terminates TLS there (with
// which certificates, and whether it asks for a client certificate), and what
// happens next: tcp_proxy or udp_proxy to weighted backends, or HTTP routing
// (continue with the HTTP explain for a request on that chain).
import { X509Certificate } from 'node:crypto';
import type { EnvoyResources, Listener, Cluster, Secret } from '@switchyard/protos';
import type { FilterChain } from '@switchyard/protos/generated/envoy/config/listener/v3/FilterChain.js';
import type { TcpProxy } from '@switchyard/protos/generated/envoy/extensions/filters/network/tcp_proxy/v3/TcpProxy.js';
import type { UdpProxyConfig } from '@switchyard/protos/generated/envoy/extensions/filters/udp/udp_proxy/v3/UdpProxyConfig.js';
import type { DownstreamTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/DownstreamTlsContext.js';
import type { UpstreamTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/UpstreamTlsContext.js';
import type { CommonTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/CommonTlsContext.js';
import { filterChainName, listenerPort, selectFilterChain, type ConnectionFacts } from './filter-chain.js';
import { httpConnectionManagerOf } from './http-connection-manager.js';
import { inlineText } from './data-source.js';
import { backendSourceOf } from './metadata.js';
import type { BackendSource } from './types.js';
import { INVALID_TCP_BACKEND_CLUSTER } from '@switchyard/protos';
import { DOWNSTREAM_TLS_CONTEXT_TYPE, TCP_PROXY_TYPE, TLS_INSPECTOR_TYPE, UDP_PROXY_TYPE, UDP_ROUTE_TYPE, UPSTREAM_TLS_CONTEXT_TYPE } from '@switchyard/protos';

/** A connection as a client would open it to a Gateway's Envoy. */
export interface TlsConnectionQuery {
  readonly port: number;
  /** 'tls': the client sends a TLS ClientHello; 'raw': plain TCP bytes; 'udp': datagrams. */
  readonly transport: 'tls' | 'raw' | 'udp';
  /** SNI in the ClientHello (transport 'tls' only). */
  readonly sni?: string;
  /** ALPN protocols offered in the ClientHello, e.g. ["h2", "http/1.1"]. */
  readonly alpn?: readonly string[];
}

export type ClientCertificatePolicy =
  /** Handshake fails unless the client presents a certificate that chains to the CA. */
  | 'required'
  /** Envoy asks for a certificate and verifies one that is presented, but accepts a missing or untrusted one (AllowInsecureFallback). */
  | 'optional'
  /** Envoy does not ask for a client certificate. */
  | 'none';

export interface ServedCertificate {
  /** SDS secret name, e.g. "tls/<namespace>/<name>". */
  readonly secret: string;
  /** False when the fleet has no Secret of that name (Envoy would keep the listener warming). */
  readonly present: boolean;
  readonly dnsNames: readonly string[];
  /** RSA, ECDSA, or the key type as Node names it (ed25519, …). */
  readonly keyAlgorithm?: string;
  /** The certificate's names cover the SNI (exact or wildcard). */
  readonly matchesSni: boolean;
}

export type TlsHandling =
  | { readonly mode: 'none' }
  /** Envoy does not decrypt: the encrypted bytes go to the backend as they are. */
  | { readonly mode: 'passthrough' }
  | {
      readonly mode: 'terminate';
      readonly certificates: readonly ServedCertificate[];
      /**
       * The certificates Envoy chooses from for this SNI: those whose names
       * cover it, else all of them (Envoy then serves the first that suits
       * the client's signature algorithms). Among RSA and ECDSA side by side
       * Envoy picks by what the client supports.
       */
      readonly served: readonly string[];
      readonly clientCertificate: ClientCertificatePolicy;
      /** SDS name of the CA bundle client certificates are verified against. */
      readonly clientCa?: string;
      /** ALPN protocols Envoy offers; the negotiated one is the first of these the client also offered. */
      readonly alpn: readonly string[];
      readonly negotiatedAlpn?: string;
    };

export interface UpstreamTls {
  readonly sni?: string;
  /** SDS name of the CA bundle, or 'system' for the operating system's bundle file. */
  readonly trustedCa?: string;
  readonly subjectAltNames: readonly string[];
  readonly clientCertificate?: string;
}

export interface ConnectionBackend {
  readonly cluster: string;
  /** False for a cluster name the fleet does not define: Envoy closes such connections. */
  readonly exists: boolean;
  readonly backend: BackendSource | undefined;
  readonly weight: number;
  /** weight / total weight, 0..1. */
  readonly share: number;
  /** Set when Envoy opens TLS to the backend (BackendTLSPolicy). */
  readonly upstreamTls?: UpstreamTls;
  /** This share stands for an invalid backendRef: Envoy closes these connections (cluster without endpoints). */
  readonly rejected: boolean;
}

export type ConnectionAction =
  | { readonly kind: 'tcp_proxy'; readonly backends: readonly ConnectionBackend[] }
  | { readonly kind: 'udp_proxy'; readonly backends: readonly ConnectionBackend[] }
  /** HTTP connection manager: explain a request on this listener and chain next. */
  | { readonly kind: 'http'; readonly routeConfigName: string }
  | { readonly kind: 'unsupported'; readonly filters: readonly string[] };

export type TlsConnectionExplanation =
  | { readonly outcome: 'no-listener'; readonly port: number; readonly message: string }
  | { readonly outcome: 'no-filter-chain'; readonly listener: string; readonly message: string }
  | {
      readonly outcome: 'accepted';
      readonly listener: string;
      /** The chain's name, else "filter_chains[i]" or "default_filter_chain". */
      readonly filterChain: string;
      /** Index in filter_chains, -1 for default_filter_chain. */
      readonly filterChainIndex: number;
      /** Whether Envoy could read SNI/ALPN (a tls_inspector listener filter is present). */
      readonly inspectsTls: boolean;
      readonly tls: TlsHandling;
      readonly action: ConnectionAction;
    };

type Typed = { readonly '@type'?: string } & Record<string, unknown>;
const typeOf = (c: unknown): string | undefined => (c && typeof c === 'object' ? (c as Typed)['@type'] : undefined);

export function isUdp(l: Listener): boolean {
  return l.address?.socket_address?.protocol === 'UDP' || (l.udp_listener_config !== undefined && l.udp_listener_config !== null);
}

/** Whether the listener runs the TLS inspector, without which Envoy sees no SNI or ALPN. */
export function inspectsTlsOf(listener: Listener): boolean {
  return (listener.listener_filters ?? []).some((f) => typeOf(f.typed_config) === TLS_INSPECTOR_TYPE || f.name === 'envoy.filters.listener.tls_inspector');
}

/** The listener of a port and transport (UDP listeners are matched by 'udp' only). */
export function selectConnectionListener(resources: EnvoyResources, port: number, udp: boolean): Listener | undefined {
  return resources.listeners.find((l) => listenerPort(l) === port && isUdp(l) === udp);
}

/** What a fleet's Envoy does with a connection. Pure; never throws on odd resources. */
export function explainTlsConnection(resources: EnvoyResources, q: TlsConnectionQuery): TlsConnectionExplanation {
  const wantUdp = q.transport === 'udp';
  const listener = selectConnectionListener(resources, q.port, wantUdp);
  if (!listener) {
    return {
      outcome: 'no-listener',
      port: q.port,
      message: `no ${wantUdp ? 'UDP' : 'TCP'} listener on port ${q.port}: the ${wantUdp ? 'datagrams are dropped' : 'connection is refused'}`,
    };
  }
  const name = listener.name ?? '';
  if (wantUdp) return explainUdp(resources, listener);

  const inspectsTls = inspectsTlsOf(listener);
  // Without the TLS inspector Envoy sees neither SNI nor ALPN and calls every
  // connection raw_buffer, whatever the client sends.
  const facts: ConnectionFacts =
    inspectsTls && q.transport === 'tls'
      ? { destinationPort: q.port, transportProtocol: 'tls', ...(q.sni ? { serverName: q.sni } : {}), ...(q.alpn ? { applicationProtocols: q.alpn } : {}) }
      : { destinationPort: q.port, transportProtocol: 'raw_buffer' };
  const choice = selectFilterChain(listener, facts);
  if (!choice) {
    const what = q.transport === 'tls' ? `SNI ${q.sni ? JSON.stringify(q.sni) : '(none)'}` : 'a plain-text connection';
    return {
      outcome: 'no-filter-chain',
      listener: name,
      message: `listener ${name} has no filter chain for ${what} and no default_filter_chain: Envoy closes the connection`,
    };
  }
  return {
    outcome: 'accepted',
    listener: name,
    filterChain: filterChainName(choice),
    filterChainIndex: choice.index,
    inspectsTls,
    tls: tlsHandling(resources, choice.chain, q),
    action: networkAction(resources, choice.chain),
  };
}

function tlsHandling(resources: EnvoyResources, chain: FilterChain, q: TlsConnectionQuery): TlsHandling {
  const ts = chain.transport_socket?.typed_config;
  if (typeOf(ts) === DOWNSTREAM_TLS_CONTEXT_TYPE) {
    const ctx = ts as unknown as DownstreamTlsContext;
    const common: CommonTlsContext = ctx.common_tls_context ?? {};
    const certificates = (common.tls_certificate_sds_secret_configs ?? []).map((c) => servedCertificate(resources, c.name ?? '', q.sni));
    const matching = certificates.filter((c) => c.matchesSni).map((c) => c.secret);
    const clientCa =
      common.validation_context_sds_secret_config?.name ?? common.combined_validation_context?.validation_context_sds_secret_config?.name ?? undefined;
    const acceptUntrusted =
      common.combined_validation_context?.default_validation_context?.trust_chain_verification === 'ACCEPT_UNTRUSTED' ||
      common.validation_context?.trust_chain_verification === 'ACCEPT_UNTRUSTED';
    const hasValidation = clientCa !== undefined || (common.validation_context !== undefined && common.validation_context !== null);
    const required = ctx.require_client_certificate?.value === true;
    const clientCertificate: ClientCertificatePolicy = required && !acceptUntrusted ? 'required' : hasValidation ? 'optional' : 'none';
    const alpn = common.alpn_protocols ?? [];
    const negotiatedAlpn = alpn.find((p) => (q.alpn ?? []).includes(p));
    return {
      mode: 'terminate',
      certificates,
      served: matching.length > 0 ? matching : certificates.map((c) => c.secret),
      clientCertificate,
      ...(clientCa !== undefined ? { clientCa } : {}),
      alpn,
      ...(negotiatedAlpn !== undefined ? { negotiatedAlpn } : {}),
    };
  }
  return q.transport === 'tls' ? { mode: 'passthrough' } : { mode: 'none' };
}

function servedCertificate(resources: EnvoyResources, secretName: string, sni: string | undefined): ServedCertificate {
  const secret = resources.secrets.find((s) => s.name === secretName);
  const info = secret ? certificateInfo(secret) : undefined;
  const dnsNames = info?.dnsNames ?? [];
  return {
    secret: secretName,
    present: secret !== undefined,
    dnsNames,
    ...(info?.keyAlgorithm ? { keyAlgorithm: info.keyAlgorithm } : {}),
    matchesSni: sni !== undefined && dnsNames.some((n) => hostnameCovers(n, sni)),
  };
}

function certificateInfo(secret: Secret): { dnsNames: string[]; keyAlgorithm?: string } | undefined {
  const chain = secret.tls_certificate?.certificate_chain;
  const pem = inlineText(chain);
  if (!pem) return undefined;
  try {
    const cert = new X509Certificate(pem);
    const dnsNames = (cert.subjectAltName ?? '')
      .split(', ')
      .filter((s) => s.startsWith('DNS:'))
      .map((s) => s.slice(4));
    const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
    // Envoy falls back to the subject CN when a certificate has no DNS SANs.
    if (dnsNames.length === 0 && cn) dnsNames.push(cn);
    const t = cert.publicKey.asymmetricKeyType;
    return { dnsNames, ...(t === 'rsa' ? { keyAlgorithm: 'RSA' } : t === 'ec' ? { keyAlgorithm: 'ECDSA' } : t ? { keyAlgorithm: t } : {}) };
  } catch {
    return undefined;
  }
}

/** RFC 6125 style: "*.example.com" covers exactly one extra label. */
function hostnameCovers(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === h) return true;
  if (!p.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === p.slice(1);
}

function networkAction(resources: EnvoyResources, chain: FilterChain): ConnectionAction {
  const hcm = httpConnectionManagerOf(chain);
  if (hcm) return { kind: 'http', routeConfigName: hcm.rds?.route_config_name ?? hcm.route_config?.name ?? '' };
  for (const f of chain.filters ?? []) {
    if (typeOf(f.typed_config) !== TCP_PROXY_TYPE) continue;
    const tcp = f.typed_config as unknown as TcpProxy;
    const entries = tcp.weighted_clusters?.clusters?.length
      ? tcp.weighted_clusters.clusters.map((c) => ({ cluster: c.name ?? '', weight: c.weight ?? 0 }))
      : tcp.cluster
        ? [{ cluster: tcp.cluster, weight: 1 }]
        : [];
    return { kind: 'tcp_proxy', backends: backendsOf(resources, entries) };
  }
  return { kind: 'unsupported', filters: (chain.filters ?? []).map((f) => f.name ?? typeOf(f.typed_config) ?? '') };
}

function explainUdp(resources: EnvoyResources, listener: Listener): TlsConnectionExplanation {
  const name = listener.name ?? '';
  const filter = (listener.listener_filters ?? []).find((f) => typeOf(f.typed_config) === UDP_PROXY_TYPE);
  if (!filter)
    return {
      outcome: 'accepted',
      listener: name,
      filterChain: 'udp',
      filterChainIndex: -1,
      inspectsTls: false,
      tls: { mode: 'none' },
      action: { kind: 'unsupported', filters: (listener.listener_filters ?? []).map((f) => f.name ?? '') },
    };
  const udp = filter.typed_config as unknown as UdpProxyConfig;
  let cluster = udp.cluster;
  const onNoMatch = (udp.matcher as { on_no_match?: { action?: { typed_config?: unknown } } } | undefined)?.on_no_match?.action?.typed_config;
  if (!cluster && typeOf(onNoMatch) === UDP_ROUTE_TYPE) cluster = (onNoMatch as { cluster?: string }).cluster;
  return {
    outcome: 'accepted',
    listener: name,
    filterChain: 'udp_proxy',
    filterChainIndex: -1,
    inspectsTls: false,
    tls: { mode: 'none' },
    action: { kind: 'udp_proxy', backends: cluster ? udpBackends(resources, cluster) : [] },
  };
}

/**
 * udp_proxy routes to one cluster; Switchyard expresses UDPRoute backend
 * weights inside it as one locality per backend with a locality weight, each
 * locality (and its endpoints) carrying the backend's switchyard.dev metadata. A
 * cluster without weighted localities is one backend taking everything.
 */
function udpBackends(resources: EnvoyResources, clusterName: string): ConnectionBackend[] {
  const cla = resources.endpoints.find((e) => e.cluster_name === clusterName);
  const cluster = resources.clusters.find((c) => c.name === clusterName);
  const localities = (cla?.endpoints ?? []).filter((l) => (l.load_balancing_weight?.value ?? 0) > 0);
  const backendOf = (l: (typeof localities)[number]) => backendSourceOf(l.metadata) ?? backendSourceOf(l.lb_endpoints?.[0]?.metadata);
  if (localities.length > 1 || (localities.length === 1 && backendOf(localities[0]!) !== undefined && backendSourceOf(cluster?.metadata) === undefined)) {
    const total = localities.reduce((s, l) => s + (l.load_balancing_weight?.value ?? 0), 0);
    return localities.map((l) => ({
      cluster: clusterName,
      exists: cluster !== undefined,
      backend: backendOf(l),
      weight: l.load_balancing_weight?.value ?? 0,
      share: total > 0 ? (l.load_balancing_weight?.value ?? 0) / total : 0,
      rejected: false,
    }));
  }
  return backendsOf(resources, [{ cluster: clusterName, weight: 1 }]);
}

function backendsOf(resources: EnvoyResources, entries: ReadonlyArray<{ cluster: string; weight: number }>): ConnectionBackend[] {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  return entries.map((e) => {
    const cluster = resources.clusters.find((c) => c.name === e.cluster);
    const upstreamTls = cluster ? upstreamTlsOf(cluster) : undefined;
    return {
      cluster: e.cluster,
      exists: cluster !== undefined,
      backend: backendSourceOf(cluster?.metadata),
      weight: e.weight,
      share: total > 0 ? e.weight / total : 0,
      ...(upstreamTls ? { upstreamTls } : {}),
      rejected: e.cluster === INVALID_TCP_BACKEND_CLUSTER,
    };
  });
}

/** The TLS Envoy originates towards a cluster's endpoints, if any. */
export function upstreamTlsOf(cluster: Cluster): UpstreamTls | undefined {
  const tc = cluster.transport_socket?.typed_config;
  if (typeOf(tc) !== UPSTREAM_TLS_CONTEXT_TYPE) return undefined;
  const ctx = tc as unknown as UpstreamTlsContext;
  const common: CommonTlsContext = ctx.common_tls_context ?? {};
  const vc = common.validation_context ?? common.combined_validation_context?.default_validation_context ?? undefined;
  const sdsCa =
    common.validation_context_sds_secret_config?.name ?? common.combined_validation_context?.validation_context_sds_secret_config?.name ?? undefined;
  const trustedCa = sdsCa ?? (vc?.trusted_ca?.filename ? 'system' : undefined);
  const subjectAltNames = (vc?.match_typed_subject_alt_names ?? []).map(
    (m) => `${m.san_type ?? ''}:${m.matcher?.exact ?? m.matcher?.prefix ?? m.matcher?.suffix ?? ''}`,
  );
  const clientCertificate = common.tls_certificate_sds_secret_configs?.[0]?.name;
  return {
    ...(ctx.sni ? { sni: ctx.sni } : {}),
    ...(trustedCa ? { trustedCa } : {}),
    subjectAltNames,
    ...(clientCertificate ? { clientCertificate } : {}),
  };
}

/** The explanation as text, one fact per line (for `switchyard explain` with a tls://, tcp:// or udp:// target). */
export function formatTlsConnection(e: TlsConnectionExplanation): string {
  if (e.outcome !== 'accepted') return `No: ${e.message}`;
  const lines = [`Listener ${e.listener}, filter chain ${e.filterChain}${e.inspectsTls ? ' (SNI and ALPN read by the TLS inspector)' : ''}`];
  const t = e.tls;
  if (t.mode === 'passthrough') lines.push('TLS: passed through to the backend (not decrypted)');
  else if (t.mode === 'terminate') {
    lines.push(`TLS: terminated; certificates for this SNI: ${t.served.join(', ') || '(none)'}`);
    for (const c of t.certificates)
      lines.push(
        `  ${c.secret}: ${c.present ? `${c.keyAlgorithm ?? '?'} ${c.dnsNames.join(', ')}${c.matchesSni ? ' (covers the SNI)' : ''}` : 'missing from the fleet'}`,
      );
    lines.push(
      t.clientCertificate === 'required'
        ? `Client certificate: required, verified against ${t.clientCa ?? '?'}`
        : t.clientCertificate === 'optional'
          ? `Client certificate: requested, verified against ${t.clientCa ?? '?'} but not required (AllowInsecureFallback)`
          : 'Client certificate: not requested',
    );
    if (t.alpn.length > 0) lines.push(`ALPN: offers ${t.alpn.join(', ')}${t.negotiatedAlpn ? `; negotiated ${t.negotiatedAlpn}` : ''}`);
  }
  const a = e.action;
  switch (a.kind) {
    case 'http':
      lines.push(`HTTP: routed with route configuration ${a.routeConfigName} (explain a request on this port for the route)`);
      break;
    case 'tcp_proxy':
    case 'udp_proxy':
      lines.push(`${a.kind === 'tcp_proxy' ? 'TCP' : 'UDP'} proxy to:`);
      for (const b of a.backends) {
        const who = b.rejected
          ? 'invalid backendRef: connection closed'
          : b.backend
            ? `${b.backend.kind} ${b.backend.namespace}/${b.backend.name}:${b.backend.port}`
            : `cluster ${b.cluster}${b.exists ? '' : ' (not in the fleet)'}`;
        const tls = b.upstreamTls
          ? ` [TLS to backend: SNI ${b.upstreamTls.sni ?? '-'}, CA ${b.upstreamTls.trustedCa ?? '-'}${b.upstreamTls.clientCertificate ? `, client certificate ${b.upstreamTls.clientCertificate}` : ''}]`
          : '';
        lines.push(`  ${Math.round(b.share * 1000) / 10}% (weight ${b.weight}) ${who}${tls}`);
      }
      break;
    case 'unsupported':
      lines.push(`Filters: ${a.filters.join(', ')}`);
      break;
  }
  return lines.join('\n');
}
