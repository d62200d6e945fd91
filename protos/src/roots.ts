// The Envoy and xDS protos Switchyard builds and serves. Every resource type the
// translator emits, and every extension packed into a typed_config, must be
// reachable from one of these roots, or encoding an Any fails at run time.
// The protos ship inside @grpc/grpc-js-xds under deps/.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const xdsPackageDir = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));

export const PROTO_INCLUDE_DIRS: readonly string[] = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(xdsPackageDir, 'deps', d));

export const ROOT_PROTO_FILES: readonly string[] = [
  // The protocol.
  'envoy/service/discovery/v3/ads.proto',
  'envoy/service/discovery/v3/discovery.proto',
  // The five resource types.
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/extensions/transport_sockets/tls/v3/tls.proto',
  // Network and listener filters.
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/network/tcp_proxy/v3/tcp_proxy.proto',
  'envoy/extensions/filters/udp/udp_proxy/v3/udp_proxy.proto',
  'envoy/extensions/filters/udp/udp_proxy/v3/route.proto',
  'envoy/extensions/filters/listener/tls_inspector/v3/tls_inspector.proto',
  // HTTP filters.
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/filters/http/cors/v3/cors.proto',
  'envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto',
  'envoy/extensions/filters/http/grpc_web/v3/grpc_web.proto',
  'envoy/extensions/filters/http/header_mutation/v3/header_mutation.proto',
  'envoy/extensions/filters/http/ext_authz/v3/ext_authz.proto',
  // Upstream options, observability.
  'envoy/extensions/upstreams/http/v3/http_protocol_options.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/access_loggers/file/v3/file.proto',
  'envoy/config/trace/v3/opentelemetry.proto',
  'envoy/extensions/tracers/opentelemetry/samplers/v3/always_on_sampler.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'xds/type/matcher/v3/matcher.proto',
];

/**
 * Fields the Envoy the fleets run (1.40, go-control-plane v1.40.0) has and
 * the protos bundled with @grpc/grpc-js-xds predate. They are added to the
 * loaded types so they encode; the generated TypeScript types do not list
 * them (set them through a cast, next to a comment naming this table).
 */
export const NEWER_FIELDS: ReadonlyArray<{ readonly type: string; readonly name: string; readonly id: number; readonly fieldType: string }> = [
  // Per-value token buckets of wildcard descriptors kept in the LRU cache (Envoy's default is 20).
  {
    type: 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    name: 'max_dynamic_descriptors',
    id: 18,
    fieldType: 'google.protobuf.UInt32Value',
  },
  // Retry-After on the 429 of a rate-limited request.
  { type: 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit', name: 'enable_retry_after_header', id: 19, fieldType: 'bool' },
];
