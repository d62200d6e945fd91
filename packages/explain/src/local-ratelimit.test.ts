// evaluateLocalRateLimit reads Envoy's semantics, not Switchyard's output
// alone: the filter must be in the connection manager, filter_enabled
// defaults to 0%, and only wildcard descriptors the route's actions produce
// key the buckets.
import type { FilterConfigRef } from './types.js';
import { LOCAL_RATE_LIMIT_FILTER } from '@switchyard/protos';
import { evaluateLocalRateLimit } from './local-ratelimit.js';

const TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
const bucket = { max_tokens: 12, tokens_per_fill: { value: 10 }, fill_interval: { seconds: '60', nanos: 0 } };
const all = { default_value: { numerator: 100, denominator: 'HUNDRED' } };
const ref = (config: Record<string, unknown>, level: FilterConfigRef['level'] = 'route'): FilterConfigRef => ({
  filter: LOCAL_RATE_LIMIT_FILTER,
  level,
  typeUrl: TYPE,
  config: { '@type': TYPE, stat_prefix: 'x', ...config },
});
const filters = ['envoy.filters.http.cors', LOCAL_RATE_LIMIT_FILTER, 'envoy.filters.http.router'];

describe('evaluateLocalRateLimit', () => {
  it('reports the bucket, the key and 429', () => {
    const r = evaluateLocalRateLimit(
      filters,
      [ref({ token_bucket: bucket, filter_enabled: all, filter_enforced: all, descriptors: [{ entries: [{ key: 'remote_address' }], token_bucket: bucket }] })],
      ['remote_address'],
    );
    expect(r).toEqual({
      level: 'route',
      maxTokens: 12,
      tokensPerFill: 10,
      fillIntervalSeconds: 60,
      keyedBy: ['remote_address'],
      enforced: true,
      status: 429,
      rateLimitHeaders: false,
    });
  });

  it('says whether responses carry the x-ratelimit-* headers', () => {
    const r = evaluateLocalRateLimit(
      filters,
      [ref({ token_bucket: bucket, filter_enabled: all, filter_enforced: all, enable_x_ratelimit_headers: 'DRAFT_VERSION_03' })],
      [],
    );
    expect(r).toMatchObject({ rateLimitHeaders: true });
  });

  it('is undefined when the connection manager lacks the filter, or the route does not enable it', () => {
    const cfg = ref({ token_bucket: bucket, filter_enabled: all, filter_enforced: all });
    expect(evaluateLocalRateLimit(['envoy.filters.http.router'], [cfg], [])).toBeUndefined();
    expect(evaluateLocalRateLimit(filters, [ref({ token_bucket: bucket })], [])).toBeUndefined();
    expect(evaluateLocalRateLimit(filters, [ref({ token_bucket: bucket, filter_enabled: { default_value: { numerator: 0 } } })], [])).toBeUndefined();
    expect(evaluateLocalRateLimit(filters, [], [])).toBeUndefined();
  });

  it('a descriptor the route produces no entry for does not key the buckets; enforcement 0% only counts', () => {
    const r = evaluateLocalRateLimit(
      filters,
      [ref({ token_bucket: bucket, filter_enabled: all, descriptors: [{ entries: [{ key: 'header:x-tenant' }] }] }, 'virtual_host')],
      [],
    );
    expect(r).toMatchObject({ level: 'virtual_host', keyedBy: [], enforced: false });
  });
});
