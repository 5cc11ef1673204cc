// How the background worker process is sized: it waits on Plex and Stash far
// more than it computes, so every knob here trades a little CPU for memory.
// docs/benchmarks.md, "Memory", measures the result.

/**
 * V8's: lite mode (no optimising compilers) and a 1 MB young generation cut
 * the peak RSS while draining posters by a fifth; --expose-gc lets the worker
 * collect between jobs (collector.ts); --single-threaded does V8's work (its
 * garbage collection included) on the main thread, which on a 2-core box
 * costs no time and spares the helper threads' memory. V8 takes these only on
 * the command line; --optimize-for-size too is given here, which spares the
 * worker loading node:v8 to set it.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--lite-mode', '--max-semi-space-size=1', '--optimize-for-size', '--expose-gc', '--single-threaded'];

/**
 * glibc's malloc: one arena instead of one per thread (libuv's and V8's
 * threads each grow their own), and freed memory handed back to the system
 * in 64 KiB steps rather than kept. musl ignores both. A value the user set
 * wins.
 */
export const WORKER_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: '65536' };

/** SQLite's page cache for the worker's connection (see OpenOptions.pageCacheKib). */
export const WORKER_PAGE_CACHE_KIB = 128;
