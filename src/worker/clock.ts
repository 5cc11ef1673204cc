/**
 * Milliseconds on a clock that never jumps (unlike Date.now()). hrtime, not
 * performance.now(): the global `performance` loads perf_hooks, a dozen
 * modules resident in the worker for its whole life.
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
