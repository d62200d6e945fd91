// The token buckets behind Envoy's local rate limit. The model says which
// limit applies to a request and what keys its buckets (explain's
// RateLimitOutcome); this counts the tokens, one bucket per route and key.
import type { RateLimitOutcome } from './envoy-model.js';

interface Bucket {
  tokens: number;
  /** When the bucket was last refilled, ms. */
  filled: number;
}

export interface RateLimitVerdict {
  readonly allowed: boolean;
  /** x-ratelimit-* headers, when the config asks for them. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes a token for `key` (route identity and descriptor values). */
  take(limit: RateLimitOutcome, key: string): RateLimitVerdict {
    const intervalMs = Math.max(1, limit.fillIntervalSeconds * 1000);
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: limit.maxTokens, filled: now };
    const fills = Math.floor((now - b.filled) / intervalMs);
    if (fills > 0) {
      b.tokens = Math.min(limit.maxTokens, b.tokens + fills * limit.tokensPerFill);
      b.filled += fills * intervalMs;
    }
    this.buckets.set(key, b);
    const allowed = !limit.enforced || b.tokens > 0;
    if (b.tokens > 0) b.tokens -= 1;
    const reset = Math.max(0, Math.ceil((b.filled + intervalMs - now) / 1000));
    const headers: Array<[string, string]> = limit.rateLimitHeaders
      ? [
          ['x-ratelimit-limit', String(limit.maxTokens)],
          ['x-ratelimit-remaining', String(b.tokens)],
          ['x-ratelimit-reset', String(reset)],
        ]
      : [];
    return { allowed, headers };
  }
}
