// When to try a failed download again: exponential backoff with a ceiling, so a broken URL costs
// little while a flaky network still recovers on its own.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 2000, maxMs: 5 * 60_000, factor: 2 };

/** Delay before attempt number `failures + 1`, after `failures` consecutive failures (≥ 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy = defaultBackoff): number {
  const exp = policy.initialMs * policy.factor ** Math.max(failures - 1, 0);
  return Math.min(Math.round(exp), policy.maxMs);
}
