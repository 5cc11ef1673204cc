// What the service hands its modules (service/modules.ts): the shared
// database, context and logger, the scheduler for periodic jobs, and a way to
// open an HTTP server of one's own (the metadata provider's port). Everything
// registered here is stopped, in reverse order, when the service stops.
import type { RequestListener } from 'node:http';
import type { Settings } from '../config/settings.ts';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import type { Logger } from '../log/logger.ts';
import type { StashClient } from '../stash/client.ts';
import type { ServiceConfig } from './config.ts';
import type { Health } from './health.ts';
import type { Metrics } from './metrics.ts';
import type { ListeningServer, Router } from './http.ts';
import type { Scheduler } from './scheduler.ts';
import type { ServiceWorker } from './worker-loop.ts';

export interface ServiceHost {
  config: ServiceConfig;
  /** The run context the task handlers take (args empty; see taskContext). */
  ctx: RunContext;
  db: Db;
  log: Logger;
  scheduler: Scheduler;
  health: Health;
  /** /metrics: counters and histograms of this process. */
  metrics: Metrics;
  worker: ServiceWorker;
  /** The dashboard's router: modules may add routes under /api/ (behind the password). */
  router: Router;
  /** One Stash client for the process (API key from the environment). */
  stash: StashClient;
  /** Plugin settings from Stash with the environment's overrides; throws like the worker would. */
  settings(): Promise<Settings>;
  /** A run context for one task call with these args (e.g. { sceneId }). */
  taskContext(args: Record<string, unknown>): RunContext;
  /** Opens a further HTTP server (closed at stop). Host and port are the module's own settings. */
  listen(name: string, host: string, port: number, handler: RequestListener): Promise<ListeningServer>;
  /** Runs at stop, before the database closes. */
  onStop(fn: () => Promise<void> | void): void;
}

export interface ServiceModule {
  name: string;
  /** Registers periodic jobs, routes or servers; a throw stops the service from starting. */
  start(host: ServiceHost): Promise<void> | void;
}
