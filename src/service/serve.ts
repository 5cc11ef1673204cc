// `plexsync serve`: PlexSync as one long-running process, for Stash installs
// without Node (Stash's Docker image) and for the parts that need a server.
// Same database, queue, worker and task handlers as the plugin.
import { resolve } from 'node:path';
import { readEnv } from '../config/env.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { type RunContext, scriptPath } from '../entry/context.ts';
import { parseInput } from '../entry/input.ts';
import { describeError } from '../errors.ts';
import { createFileLogger, type Logger } from '../log/logger.ts';
import { registerSecret } from '../log/redact.ts';
import { writeFd } from '../log/fd-write.ts';
import { serverConnectionFromUrl } from '../stash/connection.ts';
import { loadSettings, loadWorkerDeps, stashClientFor } from '../sync/worker-deps.ts';
import { flagsToEnv, readServiceConfig, ServiceConfigError, type ServiceConfig } from './config.ts';
import { Health } from './health.ts';
import { Metrics } from './metrics.ts';
import { observePlexRequests } from '../plex/observe.ts';
import type { ServiceHost } from './host.ts';
import { handlerFor, type ListeningServer, listen, Router } from './http.ts';
import { SERVICE_MODULES } from './modules.ts';
import { dashboardRoutes } from './routes.ts';
import { Scheduler } from './scheduler.ts';
import { serveHelpText } from './help.ts';
import { ServiceWorker } from './worker-loop.ts';

/** SIGTERM: jobs get this long to finish before they go back to the queue (the contract allows 10 s in all). */
const STOP_GRACE_MS = 7_000;
/** Periodic jobs and servers get this long to wind down. */
const STOP_REST_MS = 2_000;

export interface RunningService {
  host: ServiceHost;
  http: ListeningServer;
  stop(): Promise<void>;
}

/** Timestamped lines on stderr (`docker logs`); debug lines only with PLEXSYNC_VERBOSE=1. */
function serviceLogger(): Logger {
  const log = createFileLogger((line) => writeFd(2, line));
  if (process.env.PLEXSYNC_VERBOSE === '1') return log;
  return { ...log, trace() {}, debug() {} };
}

/** Starts everything; resolves once the dashboard listens. */
export async function startService(config: ServiceConfig, log: Logger): Promise<RunningService> {
  const env = readEnv();
  const connection = serverConnectionFromUrl(config.stashUrl);
  const input = parseInput(JSON.stringify({ server_connection: connection, args: {} }));
  const ctx: RunContext = { input, connection: input.server_connection, env, dataDir: config.dataDir, log, script: scriptPath() };
  const db: Db = await openDatabase(config.dataDir);
  const stops: (() => Promise<void> | void)[] = [];
  const servers: ListeningServer[] = [];
  const scheduler = new Scheduler(log);
  const metrics = new Metrics();
  observePlexRequests((seconds, method, outcome) => metrics.plexRequest(seconds, method, outcome));
  const worker = new ServiceWorker(ctx, db, loadWorkerDeps, (step) => metrics.step(step));
  const stash = stashClientFor(ctx);
  const router = new Router();
  const host: ServiceHost = {
    config,
    ctx,
    db,
    log,
    scheduler,
    health: new Health(db),
    metrics,
    worker,
    router,
    stash,
    settings: () => loadSettings(stash),
    taskContext: (args) => ({ ...ctx, input: { ...input, args: { ...args } } }),
    async listen(name, bindHost, port, handler) {
      const server = await listen(name, bindHost, port, handler);
      servers.push(server);
      return server;
    },
    onStop: (fn) => void stops.push(fn),
  };
  try {
    for (const module of SERVICE_MODULES) await module.start(host);
    dashboardRoutes(host);
    const http = await host.listen(
      'dashboard',
      config.httpHost,
      config.httpPort,
      handlerFor(router, { password: config.httpPassword, open: ['/healthz'], loopbackOnly: config.httpPassword === undefined }, log),
    );
    worker.start();
    scheduler.start();
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        const closing = servers.map((s) => s.close());
        const { returned } = await worker.stop(STOP_GRACE_MS);
        if (returned > 0) log.info(`stopping: ${returned} running job(s) went back to the queue`);
        await bounded(scheduler.stop(), STOP_REST_MS);
        for (const fn of stops.reverse()) await bounded(Promise.resolve().then(fn), STOP_REST_MS);
        for (const s of servers) s.server.closeAllConnections();
        await bounded(Promise.all(closing), STOP_REST_MS);
        db.close();
      })());
    return { host, http, stop };
  } catch (err) {
    for (const s of servers) await s.close();
    db.close();
    throw err;
  }
}

async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** The `serve` command: 0 after a clean stop, 2 for bad configuration, 1 when it cannot start. */
export async function serveMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(serveHelpText());
    return 0;
  }
  let config: ServiceConfig;
  try {
    Object.assign(process.env, flagsToEnv(argv));
    config = readServiceConfig(process.env, (path) => process.getBuiltinModule('node:fs').readFileSync(path, 'utf8'));
  } catch (err) {
    if (!(err instanceof ServiceConfigError)) throw err;
    process.stderr.write(`plexsync serve: ${err.message}\nRun "plexsync serve --help" for the settings.\n`);
    return 2;
  }
  registerSecret(config.apiKey);
  registerSecret(config.httpPassword);
  registerSecret(config.settingOverrides.plexToken);
  config.dataDir = resolve(config.dataDir);
  // Through the environment, so anything this process starts sees the same.
  process.env.PLEXSYNC_DATA_DIR = config.dataDir;
  if (config.apiKey) process.env.PLEXSYNC_STASH_API_KEY = config.apiKey;
  delete process.env.PLEXSYNC_STASH_API_KEY_FILE;

  // As for the plugin's worker (entry/main.ts): a heap sized for memory keeps
  // a long-running process flat at the same speed.
  process.getBuiltinModule('node:v8').setFlagsFromString('--optimize-for-size');
  const log = serviceLogger();
  let service: RunningService;
  try {
    service = await startService(config, log);
  } catch (err) {
    log.error(`cannot start: ${describeError(err)}`);
    return 1;
  }
  log.info(`PlexSync service: dashboard at ${service.http.url}/ (Stash ${config.stashUrl}, data ${config.dataDir})`);
  const signal = await new Promise<string>((done) => {
    for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => done(name));
  });
  log.info(`${signal}: stopping`);
  await service.stop();
  log.info('stopped');
  return 0;
}
