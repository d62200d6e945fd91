import { encodeMessage, RESOURCE_FIELDS, type EnvoyResources } from '@switchyard/protos';
import { explainTlsConnection, formatTlsConnection } from '@switchyard/explain';
import { certificateSecretName } from './secret-names.js';
import { tlsCertificateSecret } from '../envoy/sds.js';
import { checkTlsCertificateSecret } from './certificate.js';
import { downstreamTlsContext, downstreamTransportSocket, upstreamTlsContext, upstreamTransportSocket } from '../envoy/tls-context.js';
import { createTestCertificate, tlsSecretObject } from '../../test/certificates.js';

const meta = (fields: Record<string, string>) => ({
  filter_metadata: { 'switchyard.dev': { fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, { stringValue: v }])) } },
});
const tlsInspector = {
  name: 'envoy.filters.listener.tls_inspector',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector' },
};
const tcpProxy = (clusters: Array<[string, number]>) => ({
  name: 'envoy.filters.network.tcp_proxy',
  typed_config: {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
    stat_prefix: 'tcp',
    weighted_clusters: { clusters: clusters.map(([name, weight]) => ({ name, weight })) },
  },
});
const hcm = (rds: string) => ({
  name: 'envoy.filters.network.http_connection_manager',
  typed_config: {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    stat_prefix: 'http',
    rds: { route_config_name: rds, config_source: { ads: {} } },
  },
});

// The generated Any type does not admit nested extension fields; the encoder does.
const udpProxy = (cluster: string) =>
  ({
    '@type': 'type.googleapis.com/envoy.extensions.filters.udp.udp_proxy.v3.UdpProxyConfig',
    stat_prefix: 'udp',
    matcher: {
      on_no_match: { action: { name: 'route', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.udp.udp_proxy.v3.Route', cluster } } },
    },
  }) as { '@type': string };

async function fleet(): Promise<EnvoyResources> {
  const rsa = await createTestCertificate({ dnsNames: ['*.example.com'] });
  const ecdsa = await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['*.example.com'] });
  const other = await createTestCertificate({ keyType: 'ECDSA', dnsNames: ['other.org'] });
  const secrets = [
    ['rsa', rsa],
    ['ecdsa', ecdsa],
    ['other', other],
  ].map(([n, c]) => {
    const r = checkTlsCertificateSecret(tlsSecretObject('infra', n as string, c as typeof rsa), new Date());
    if (!r.ok) throw new Error(r.message);
    return tlsCertificateSecret(certificateSecretName('infra', n as string), r.certificate);
  });
  return {
    secrets,
    listeners: [
      {
        name: 'tls-443',
        address: { socket_address: { address: '0.0.0.0', port_value: 443 } },
        listener_filters: [tlsInspector],
        filter_chains: [
          {
            name: 'https/www',
            filter_chain_match: { server_names: ['www.example.com', '*.example.com'], transport_protocol: 'tls' },
            transport_socket: downstreamTransportSocket(
              downstreamTlsContext({
                certificateSecretNames: ['tls/infra/rsa', 'tls/infra/ecdsa'],
                alpnProtocols: ['h2', 'http/1.1'],
                clientValidation: { caSecretName: 'ca/ConfigMap/infra/ca', mode: 'AllowValidOnly' },
              }),
            ),
            filters: [hcm('https-443')],
          },
          {
            name: 'https/other',
            filter_chain_match: { server_names: ['other.org'], transport_protocol: 'tls' },
            transport_socket: downstreamTransportSocket(
              downstreamTlsContext({ certificateSecretNames: ['tls/infra/other'], clientValidation: { caSecretName: 'ca/x', mode: 'AllowInsecureFallback' } }),
            ),
            filters: [hcm('https-443')],
          },
          {
            name: 'passthrough/abc',
            filter_chain_match: { server_names: ['abc.example.com'], transport_protocol: 'tls' },
            filters: [
              tcpProxy([
                ['svc-a', 80],
                ['svc-b', 20],
                ['svc-gone', 0],
              ]),
            ],
          },
        ],
      },
      { name: 'tcp-9000', address: { socket_address: { address: '0.0.0.0', port_value: 9000 } }, filter_chains: [{ filters: [tcpProxy([['svc-a', 1]])] }] },
      {
        name: 'udp-5300',
        address: { socket_address: { address: '0.0.0.0', port_value: 5300, protocol: 'UDP' } },
        udp_listener_config: {},
        listener_filters: [{ name: 'envoy.filters.udp_listener.udp_proxy', typed_config: udpProxy('udp-mixed') }],
      },
    ],
    routes: [],
    clusters: [
      {
        name: 'svc-a',
        metadata: meta({ kind: 'Service', namespace: 'apps', name: 'a', port: '443' }),
        transport_socket: upstreamTransportSocket(
          upstreamTlsContext({ sni: 'abc.example.com', trust: { kind: 'System' }, subjectAltNames: [{ type: 'Hostname', hostname: 'abc.example.com' }] }),
        ),
      },
      { name: 'svc-b', metadata: meta({ kind: 'Service', namespace: 'apps', name: 'b', port: '443' }) },
      { name: 'udp-mixed' },
    ],
    endpoints: [
      {
        cluster_name: 'udp-mixed',
        endpoints: [
          {
            load_balancing_weight: { value: 3 },
            lb_endpoints: [
              {
                metadata: meta({ kind: 'Service', namespace: 'apps', name: 'dns-a', port: '53' }),
                endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 53, protocol: 'UDP' } } },
              },
            ],
          },
          {
            load_balancing_weight: { value: 1 },
            lb_endpoints: [
              {
                metadata: meta({ kind: 'Service', namespace: 'apps', name: 'dns-b', port: '53' }),
                endpoint: { address: { socket_address: { address: '10.0.0.2', port_value: 53, protocol: 'UDP' } } },
              },
            ],
          },
        ],
      },
    ],
  };
}

describe('explainTlsConnection', () => {
  let resources: EnvoyResources;
  beforeAll(async () => {
    resources = await fleet();
  });

  it('selects the SNI chain, serves the certificates covering the name and requires a client certificate', () => {
    const r = explainTlsConnection(resources, { port: 443, transport: 'tls', sni: 'www.example.com', alpn: ['http/1.1'] });
    expect(r).toMatchObject({
      outcome: 'accepted',
      listener: 'tls-443',
      filterChain: 'https/www',
      tls: {
        mode: 'terminate',
        served: ['tls/infra/rsa', 'tls/infra/ecdsa'],
        clientCertificate: 'required',
        clientCa: 'ca/ConfigMap/infra/ca',
        negotiatedAlpn: 'http/1.1',
      },
      action: { kind: 'http', routeConfigName: 'https-443' },
    });
    if (r.outcome !== 'accepted' || r.tls.mode !== 'terminate') throw new Error('terminate');
    expect(r.tls.certificates.map((c) => [c.secret, c.keyAlgorithm, c.matchesSni])).toEqual([
      ['tls/infra/rsa', 'RSA', true],
      ['tls/infra/ecdsa', 'ECDSA', true],
    ]);
  });

  it('prefers an exact server name over a wildcard and passes TLS through to weighted backends', () => {
    const r = explainTlsConnection(resources, { port: 443, transport: 'tls', sni: 'abc.example.com' });
    expect(r).toMatchObject({ outcome: 'accepted', filterChain: 'passthrough/abc', tls: { mode: 'passthrough' } });
    if (r.outcome !== 'accepted' || r.action.kind !== 'tcp_proxy') throw new Error('tcp_proxy');
    expect(r.action.backends.map((b) => [b.cluster, b.exists, b.backend?.name, b.share])).toEqual([
      ['svc-a', true, 'a', 0.8],
      ['svc-b', true, 'b', 0.2],
      ['svc-gone', false, undefined, 0],
    ]);
    expect(r.action.backends[0]?.upstreamTls).toEqual({ sni: 'abc.example.com', trustedCa: 'system', subjectAltNames: ['DNS:abc.example.com'] });
  });

  it('reports AllowInsecureFallback as an optional client certificate', () => {
    const r = explainTlsConnection(resources, { port: 443, transport: 'tls', sni: 'OTHER.org' });
    expect(r).toMatchObject({
      outcome: 'accepted',
      filterChain: 'https/other',
      tls: { mode: 'terminate', clientCertificate: 'optional', served: ['tls/infra/other'] },
    });
  });

  it('closes connections no chain takes: unknown SNI, no SNI, plain text on a TLS port', () => {
    expect(explainTlsConnection(resources, { port: 443, transport: 'tls', sni: 'nope.org' })).toMatchObject({
      outcome: 'no-filter-chain',
      listener: 'tls-443',
    });
    expect(explainTlsConnection(resources, { port: 443, transport: 'tls' })).toMatchObject({ outcome: 'no-filter-chain' });
    expect(explainTlsConnection(resources, { port: 443, transport: 'raw' })).toMatchObject({ outcome: 'no-filter-chain' });
    expect(explainTlsConnection(resources, { port: 444, transport: 'tls', sni: 'www.example.com' })).toMatchObject({ outcome: 'no-listener', port: 444 });
  });

  it('ignores SNI on a listener without the TLS inspector (Envoy cannot see it)', () => {
    const r = explainTlsConnection(resources, { port: 9000, transport: 'tls', sni: 'x.example.com' });
    expect(r).toMatchObject({ outcome: 'accepted', listener: 'tcp-9000', inspectsTls: false, tls: { mode: 'passthrough' }, action: { kind: 'tcp_proxy' } });
  });

  it('splits UDP datagrams by locality weight within the udp_proxy cluster', () => {
    const r = explainTlsConnection(resources, { port: 5300, transport: 'udp' });
    if (r.outcome !== 'accepted' || r.action.kind !== 'udp_proxy') throw new Error(JSON.stringify(r));
    expect(r.action.backends.map((b) => [b.backend?.name, b.share])).toEqual([
      ['dns-a', 0.75],
      ['dns-b', 0.25],
    ]);
    expect(explainTlsConnection(resources, { port: 9000, transport: 'udp' })).toMatchObject({ outcome: 'no-listener' });
  });

  it('evaluates resources Envoy would accept (every one encodes as its Envoy type)', () => {
    for (const [field, typeUrl] of RESOURCE_FIELDS) for (const r of resources[field]) expect(encodeMessage(typeUrl, r).length).toBeGreaterThan(0);
  });

  it('formats an explanation for people', () => {
    expect(formatTlsConnection(explainTlsConnection(resources, { port: 443, transport: 'tls', sni: 'abc.example.com' })).split('\n')).toEqual([
      'Listener tls-443, filter chain passthrough/abc (SNI and ALPN read by the TLS inspector)',
      'TLS: passed through to the backend (not decrypted)',
      'TCP proxy to:',
      '  80% (weight 80) Service apps/a:443 [TLS to backend: SNI abc.example.com, CA system]',
      '  20% (weight 20) Service apps/b:443',
      '  0% (weight 0) cluster svc-gone (not in the fleet)',
    ]);
    expect(formatTlsConnection(explainTlsConnection(resources, { port: 443, transport: 'tls', sni: 'www.example.com' }))).toContain(
      'Client certificate: required, verified against ca/ConfigMap/infra/ca',
    );
    expect(formatTlsConnection(explainTlsConnection(resources, { port: 444, transport: 'tls' }))).toBe(
      'No: no TCP listener on port 444: the connection is refused',
    );
  });
});
