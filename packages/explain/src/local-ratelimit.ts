// Envoy's local rate limit filter (envoy.filters.http.local_ratelimit) as it
// applies to a request: enabled only where a per-route (or virtual host)
// config with a token bucket and filter_enabled is present and the
// connection manager runs the filter. Explain does not count tokens (that
// depends on traffic); it says the route is limited, by how much, and what
// each bucket is keyed by.
import { LOCAL_RATE_LIMIT_FILTER } from '@switchyard/protos';
import type { FilterConfigRef, RateLimitOutcome } from './types.js';

interface Bucket {
  max_tokens?: number;
  tokens_per_fill?: { value?: number } | null;
  fill_interval?: { seconds?: string | number; nanos?: number } | null;
}
interface LocalRateLimitFields extends Bucket {
  token_bucket?: Bucket | null;
  filter_enabled?: { default_value?: { numerator?: number } | null } | null;
  filter_enforced?: { default_value?: { numerator?: number } | null } | null;
  descriptors?: Array<{ entries?: Array<{ key?: string; value?: string }>; token_bucket?: Bucket | null }>;
  status?: { code?: number | string } | null;
  enable_x_ratelimit_headers?: string | number;
}

function seconds(d: Bucket['fill_interval']): number {
  return Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;
}

/** The rate limit a request is subject to, or undefined when none applies. */
export function evaluateLocalRateLimit(
  httpFilters: readonly string[],
  filterConfigs: readonly FilterConfigRef[],
  rateLimitKeys: readonly string[],
): RateLimitOutcome | undefined {
  if (!httpFilters.includes(LOCAL_RATE_LIMIT_FILTER)) return undefined;
  const ref = filterConfigs.find((f) => f.filter === LOCAL_RATE_LIMIT_FILTER);
  if (!ref) return undefined;
  const c = ref.config as LocalRateLimitFields;
  const b = c.token_bucket;
  // filter_enabled defaults to 0%: without it the filter does nothing.
  if (!b || !c.filter_enabled || (c.filter_enabled.default_value?.numerator ?? 0) === 0) return undefined;
  const wildcard = (c.descriptors ?? []).flatMap((d) => (d.entries ?? []).filter((e) => !e.value).map((e) => e.key ?? ''));
  const keyedBy = wildcard.filter((k) => rateLimitKeys.includes(k));
  return {
    level: ref.level,
    maxTokens: b.max_tokens ?? 0,
    tokensPerFill: b.tokens_per_fill?.value ?? 1,
    fillIntervalSeconds: seconds(b.fill_interval),
    keyedBy,
    enforced: (c.filter_enforced?.default_value?.numerator ?? 0) > 0,
    status: typeof c.status?.code === 'number' && c.status.code >= 400 ? c.status.code : 429,
    rateLimitHeaders: c.enable_x_ratelimit_headers === 'DRAFT_VERSION_03' || c.enable_x_ratelimit_headers === 1,
  };
}
