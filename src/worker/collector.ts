// A background worker's garbage collection, paced by the jobs it finishes.
//
// Each job leaves a few hundred KiB of dead response and poster buffers behind.
// V8 counts them as external memory and collects them only once its own heap
// grows, which in a 10 MiB heap is late: RSS creeps up by several MiB through a
// drain. A full collection between jobs, at most every COLLECT_EVERY_MS, keeps
// that creep out (docs/benchmarks.md, "Memory") for a few ms of CPU each time.

import { monotonicMs } from './clock.ts';

/** The least time between two collections: at most a few per cent of a drain's CPU. */
export const COLLECT_EVERY_MS = 250;

/**
 * A step callback that runs `collect` after a finished job when the last
 * collection is at least `everyMs` old. Without `collect` (no --expose-gc),
 * nothing: V8 collects on its own schedule.
 */
export function collectBetweenJobs(collect: (() => void) | undefined, everyMs = COLLECT_EVERY_MS, now: () => number = monotonicMs): (() => void) | undefined {
  if (!collect) return undefined;
  let last = now();
  return () => {
    const at = now();
    if (at - last < everyMs) return;
    collect();
    last = now();
  };
}
