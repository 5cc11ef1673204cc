// Every benchmark, in the order the document shows them.
import { bulkEdit } from './bulk-edit.ts';
import { hookLatency } from './hook-latency.ts';
import type { Benchmark } from './lib.ts';
import { libraryIndex } from './library-index.ts';
import { playsImport } from './plays-import.ts';
import { provider } from './provider.ts';
import { reconcile } from './reconcile.ts';
import { serviceIdle } from './service-idle.ts';
import { syncThroughput } from './sync-throughput.ts';
import { workerMemory } from './worker-memory.ts';

export const BENCHMARKS: readonly Benchmark[] = [hookLatency, bulkEdit, syncThroughput, libraryIndex, reconcile, playsImport, serviceIdle, workerMemory, provider];
