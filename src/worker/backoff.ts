// Exponential backoff with full jitter: a pure function of the attempt.
// delay = random(0, min(cap, base * 2^(attempt-1))); Retry-After wins.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows nothing below 2^1023; cap early anyway.
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(exponent, 40));
}

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, policy.capMs);
  return Math.floor(random() * backoffCeiling(attempt, policy));
}
