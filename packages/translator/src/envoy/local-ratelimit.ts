// A RateLimit in Envoy terms: the local rate limit HTTP filter
// (envoy.filters.http.local_ratelimit). The connection manager gets the
// filter without a token bucket, which leaves it disabled (filter_enabled
// defaults to 0%); each rate-limited route enables it through
// typed_per_filter_config with its own bucket:
//   max_tokens = requests + burst, tokens_per_fill = requests, fill_interval = unit.
// Keyed limits add a rate limit action to the route (remote_address, or
// request_headers for a header) and a wildcard descriptor (an entry with the
// key and no value) to the per-route config, so Envoy keeps one bucket per
// distinct value. Requests that produce no descriptor (the header is absent)
// fall back to the route's own bucket, which keyed requests do not drain
// (always_consume_default_token_bucket: false).
// Over the limit Envoy answers 429 with Retry-After and the draft-03
// x-ratelimit-* headers.
import type { Route } from '@switchyard/protos/generated/envoy/config/route/v3/Route.js';
import type { RateLimit as RouteRateLimit } from '@switchyard/protos/generated/envoy/config/route/v3/RateLimit.js';
import type { HttpFilter } from '@switchyard/protos/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpFilter.js';
import type { LocalRateLimit } from '@switchyard/protos/generated/envoy/extensions/filters/http/local_ratelimit/v3/LocalRateLimit.js';
import type { LocalRateLimitIR } from '../extensions/ir.js';
import { LOCAL_RATE_LIMIT_FILTER, LOCAL_RATE_LIMIT_TYPE } from '@switchyard/protos';

const STAT_PREFIX = 'http_local_rate_limiter';
/**
 * Distinct key values (clients, header values) a keyed route keeps buckets
 * for, per Envoy pod, least recently used evicted. Envoy's default is 20,
 * which a busy route outgrows at once (an evicted key starts again with a
 * full bucket); a bucket is ~100 bytes, so this costs at most ~1 MiB per
 * keyed route and pod. The field is newer than the bundled protos
 * (NEWER_FIELDS in @switchyard/protos).
 */
export const MAX_TRACKED_KEYS = 10_000;
const REMOTE_ADDRESS_KEY = 'remote_address';

/** The connection manager's copy of the filter: no bucket, so it does nothing unless a route enables it. */
export function localRateLimitHttpFilter(): HttpFilter {
  const config: LocalRateLimit & { '@type': string } = { '@type': LOCAL_RATE_LIMIT_TYPE, stat_prefix: STAT_PREFIX };
  return { name: LOCAL_RATE_LIMIT_FILTER, typed_config: config };
}

export function localRateLimitPerRoute(rl: LocalRateLimitIR): LocalRateLimit & { '@type': string } {
  const bucket = {
    max_tokens: rl.maxTokens,
    tokens_per_fill: { value: rl.tokensPerFill },
    fill_interval: { seconds: String(rl.fillIntervalSeconds), nanos: 0 },
  };
  const all = { default_value: { numerator: 100, denominator: 'HUNDRED' as const } };
  const out: LocalRateLimit & { '@type': string } = {
    '@type': LOCAL_RATE_LIMIT_TYPE,
    stat_prefix: STAT_PREFIX,
    token_bucket: bucket,
    filter_enabled: { runtime_key: 'switchyard.local_rate_limit.enabled', ...all },
    filter_enforced: { runtime_key: 'switchyard.local_rate_limit.enforced', ...all },
    enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    // A limited gRPC call ends with RESOURCE_EXHAUSTED (gRPC's code for quota), not UNAVAILABLE (retried by clients).
    rate_limited_as_resource_exhausted: true,
  };
  // Retry-After (seconds until the bucket has a token) on the 429; newer than the bundled protos (NEWER_FIELDS).
  (out as { enable_retry_after_header?: boolean }).enable_retry_after_header = true;
  const key = descriptorKey(rl);
  if (key) {
    // Blank value: a wildcard descriptor, one bucket per distinct value.
    out.descriptors = [{ entries: [{ key, value: '' }], token_bucket: bucket }];
    out.always_consume_default_token_bucket = { value: false };
    (out as { max_dynamic_descriptors?: { value: number } }).max_dynamic_descriptors = { value: MAX_TRACKED_KEYS };
  }
  return out;
}

function descriptorKey(rl: LocalRateLimitIR): string | undefined {
  switch (rl.key.type) {
    case 'None':
      return undefined;
    case 'ClientAddress':
      return REMOTE_ADDRESS_KEY;
    case 'Header':
      return `header:${rl.key.header}`;
  }
}

/** The route action's rate limit actions that produce the descriptor a keyed limit counts by. */
export function rateLimitActions(rl: LocalRateLimitIR): RouteRateLimit[] {
  switch (rl.key.type) {
    case 'None':
      return [];
    case 'ClientAddress':
      return [{ actions: [{ remote_address: {} }] }];
    case 'Header':
      return [{ actions: [{ request_headers: { header_name: rl.key.header, descriptor_key: `header:${rl.key.header}` } }] }];
  }
}

/** Puts a rate limit on an emitted route: the per-route filter config, and the key's actions when the route forwards. */
export function applyRateLimit(route: Route, rl: LocalRateLimitIR): void {
  route.typed_per_filter_config = { ...route.typed_per_filter_config, [LOCAL_RATE_LIMIT_FILTER]: localRateLimitPerRoute(rl) };
  const actions = rateLimitActions(rl);
  // Redirects and direct responses have no route action to carry the key:
  // their requests count against the route's single bucket.
  if (actions.length > 0 && route.route) route.route.rate_limits = actions;
}
