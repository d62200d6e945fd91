// shouldRetry follows the retry_on conditions as Envoy documents them.
import { shouldRetry } from './retry.js';
import type { Retry } from './types.js';

const policy = (retryOn: string[], codes: number[] = [], numRetries = 2): Retry => ({ retryOn, numRetries, retriableStatusCodes: codes, level: 'route' });

describe('shouldRetry', () => {
  it('5xx retries any 5xx, resets and failed connects; not a 4xx', () => {
    const p = policy(['5xx']);
    expect(shouldRetry(p, { kind: 'response', status: 500 }, 1)).toBe(true);
    expect(shouldRetry(p, { kind: 'reset' }, 1)).toBe(true);
    expect(shouldRetry(p, { kind: 'connect-failure' }, 1)).toBe(true);
    expect(shouldRetry(p, { kind: 'response', status: 404 }, 1)).toBe(false);
  });

  it('gateway-error is 502, 503 and 504 only; retriable-status-codes uses the list', () => {
    expect(shouldRetry(policy(['gateway-error']), { kind: 'response', status: 500 }, 1)).toBe(false);
    expect(shouldRetry(policy(['gateway-error']), { kind: 'response', status: 503 }, 1)).toBe(true);
    expect(shouldRetry(policy(['retriable-status-codes'], [418]), { kind: 'response', status: 418 }, 1)).toBe(true);
    expect(shouldRetry(policy(['retriable-status-codes'], [418]), { kind: 'response', status: 500 }, 1)).toBe(false);
  });

  it('stops after num_retries, and never retries without a policy', () => {
    expect(shouldRetry(policy(['5xx'], [], 2), { kind: 'response', status: 500 }, 3)).toBe(false);
    expect(shouldRetry(undefined, { kind: 'response', status: 500 }, 1)).toBe(false);
  });
});
