// Cluster from the IR. Service backends use EDS over ADS (endpoints follow
// in a ClusterLoadAssignment of the same name); ExternalName Services are
// resolved by Envoy's DNS (LOGICAL_DNS). h2c backends (appProtocol
// kubernetes.io/h2c, and every GRPCRoute backend) speak HTTP/2 without TLS.
import type { Cluster } from '@switchyard/protos';
import type { HttpProtocolOptions } from '@switchyard/protos/generated/envoy/extensions/upstreams/http/v3/HttpProtocolOptions.js';
import type { UpstreamTlsContext } from '@switchyard/protos/generated/envoy/extensions/transport_sockets/tls/v3/UpstreamTlsContext.js';
import type { ClusterIR, UpstreamTlsIR } from '../ir/ir.js';
import { upstreamTlsContext, upstreamTransportSocket } from './tls-context.js';
import { clusterMetadata } from './metadata.js';

const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';

export function cluster(c: ClusterIR): Cluster {
  const out: Cluster = {
    name: c.name,
    connect_timeout: { seconds: '10', nanos: 0 },
    metadata: clusterMetadata(c.backend),
  };
  if (c.blocked) {
    // No endpoints at all: Envoy answers 503 (no healthy upstream); see ClusterIR.blocked.
    out.type = 'STATIC';
    out.load_assignment = { cluster_name: c.name, endpoints: [] };
    return out;
  }
  if (c.discovery.type === 'eds' || c.discovery.type === 'weighted-eds') {
    out.type = 'EDS';
    out.eds_cluster_config = { eds_config: { ads: {}, resource_api_version: 'V3' } };
    if (c.discovery.type === 'weighted-eds') out.common_lb_config = { locality_weighted_lb_config: {} };
  } else {
    out.type = 'LOGICAL_DNS';
    out.dns_lookup_family = 'V4_PREFERRED';
    out.load_assignment = {
      cluster_name: c.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: c.discovery.hostname, port_value: c.discovery.port } } } }] }],
    };
  }
  if (c.protocol === 'h2c' || c.protocol === 'http2') {
    const options: HttpProtocolOptions & { '@type': string } = {
      '@type': `type.googleapis.com/${HTTP_PROTOCOL_OPTIONS}`,
      explicit_http_config: { http2_protocol_options: {} },
    };
    out.typed_extension_protocol_options = { [HTTP_PROTOCOL_OPTIONS]: options };
  }
  if (c.tls) out.transport_socket = upstreamTransportSocket(upstreamTls(c.tls));
  return out;
}

/** BackendTLSPolicy: Envoy originates TLS with the policy's hostname as SNI and verifies the server certificate. */
function upstreamTls(t: UpstreamTlsIR): UpstreamTlsContext {
  return upstreamTlsContext({
    sni: t.sni,
    trust: t.trust.kind === 'System' ? { kind: 'System' } : { kind: 'CaBundle', caSecretName: t.trust.caSecret },
    subjectAltNames: t.subjectAltNames.map((s) => (s.type === 'Hostname' ? { type: 'Hostname', hostname: s.value } : { type: 'URI', uri: s.value })),
    ...(t.clientCertificateSecret ? { clientCertificateSecretName: t.clientCertificateSecret } : {}),
  });
}
