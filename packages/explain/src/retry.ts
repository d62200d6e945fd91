// Whether Envoy's router retries an attempt, by the retry_on conditions of the
// route's (or virtual host's) retry policy: "5xx" (any 5xx, a reset or a
// failed connect), "gateway-error" (502, 503, 504), "reset",
// "connect-failure", "refused-stream" and "retriable-status-codes" (the
// policy's retriable_status_codes). Conditions Envoy has but a request
// outcome cannot show here (retriable-headers, grpc codes) never retry.
import type { Retry } from './types.js';

/** How one upstream attempt ended. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number }
  /** The connection to the endpoint could not be made. */
  | { readonly kind: 'connect-failure' }
  /** The upstream reset the stream or closed the connection before a response. */
  | { readonly kind: 'reset' }
  /** The per-try timeout fired. */
  | { readonly kind: 'per-try-timeout' };

export function shouldRetry(retry: Retry | undefined, outcome: AttemptOutcome, attempt: number): boolean {
  if (!retry || attempt > retry.numRetries) return false;
  const on = new Set(retry.retryOn);
  switch (outcome.kind) {
    case 'response': {
      const s = outcome.status;
      if (on.has('5xx') && s >= 500) return true;
      if (on.has('gateway-error') && (s === 502 || s === 503 || s === 504)) return true;
      return on.has('retriable-status-codes') && retry.retriableStatusCodes.includes(s);
    }
    case 'connect-failure':
      return on.has('5xx') || on.has('gateway-error') || on.has('connect-failure');
    case 'reset':
      return on.has('5xx') || on.has('gateway-error') || on.has('reset');
    case 'per-try-timeout':
      // A per-try timeout counts as a 504 for 5xx and gateway-error.
      return on.has('5xx') || on.has('gateway-error');
  }
}
