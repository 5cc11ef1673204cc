// A per-request deadline that lets go of everything the moment the request
// ends. AbortSignal.timeout() keeps its timer, signal and listeners (and so
// the request and response they reach) alive for the whole timeout after the
// request is done; at a few hundred requests a second that garbage lives long
// enough to be promoted, and a long-running worker's heap balloons.

export interface Deadline {
  signal: AbortSignal;
  /** True when the deadline, not the caller, aborted the request. */
  expired(): boolean;
  /** Call when the request is over, however it ended. */
  dispose(): void;
}

export function deadline(ms: number, caller?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError'));
  }, ms);
  const follow = () => controller.abort(caller?.reason);
  if (caller?.aborted) follow();
  else caller?.addEventListener('abort', follow, { once: true });
  return {
    signal: controller.signal,
    expired: () => expired,
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', follow);
    },
  };
}
