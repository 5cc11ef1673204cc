// What every benchmark shares: the result shape, percentiles, timed process
// runs (the way Stash runs the plugin), a private copy of the built plugin,
// and a loopback world of fake Stash and fake Plex outside node:test.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { PLUGIN } from '../test/helpers/plugin.ts';
import { startWorld, type World, type WorldOptions } from '../test/helpers/world.ts';

/** smoke: seconds, for the test suite; quick: a fast look; full: the published figures. */
export type Scale = 'smoke' | 'quick' | 'full';

export interface Row {
  metric: string;
  value: string;
  target: string;
  /** undefined: informational, no target. */
  pass?: boolean;
}

export interface BenchResult {
  name: string;
  title: string;
  /** What was run, in words: sizes, latencies, settings. */
  setup: string;
  rows: Row[];
  notes: string[];
  seconds: number;
}

export interface Benchmark {
  name: string;
  run(scale: Scale): Promise<Omit<BenchResult, 'name' | 'seconds'>>;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** Cleanups registered the way node:test's `t.after` takes them, run in reverse. */
export class Scope {
  readonly #cleanups: (() => unknown)[] = [];
  after(fn: () => unknown): void {
    this.#cleanups.push(fn);
  }
  async close(): Promise<void> {
    for (const fn of this.#cleanups.reverse()) await fn();
  }
}

/**
 * A copy of the built plugin in its own folder: colleagues' test runs use
 * dist/ at the same time, and /proc sampling must see only our workers.
 */
export function privatePlugin(scope: Scope): { dir: string; script: string } {
  if (!existsSync(PLUGIN)) throw new Error('dist/PlexSync/plexsync.mjs missing: run `npm run build`');
  const dir = mkdtempSync(join(tmpdir(), 'plexsync-bench-plugin-'));
  scope.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'plexsync.mjs');
  copyFileSync(PLUGIN, script);
  return { dir, script };
}

export async function benchWorld(scope: Scope, options: WorldOptions = {}): Promise<World> {
  return startWorld(scope, options);
}

const stashCwd = mkdtempSync(join(tmpdir(), 'stash-cwd-bench-'));

export interface TimedRun {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** One process run as Stash runs a plugin: stdin then EOF, stdout and stderr read to the end. */
export function timedRun(args: readonly string[], stdin: string, env: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<TimedRun> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: stashCwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  if (child.pid !== undefined) onSpawn?.(child.pid);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => {});
  child.stdin.end(stdin);
  const timeout = setTimeout(() => child.kill('SIGKILL'), 600_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timeout);
      resolve({ ms: performance.now() - started, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    }),
  );
}

/** The handler's own time from its debug line "... (N.NN ms)". */
export function handlerMs(stderr: string): number | undefined {
  const m = /\((\d+(?:\.\d+)?) ms\)\n?$/m.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

/** Pids of live processes whose command line holds every given word. */
export function processesWith(...words: string[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (words.every((w) => cmdline.some((part) => part.includes(w)))) pids.push(Number(entry));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return pids;
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export function machine(): { cpu: string; cores: number; memory: string; node: string; date: string } {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memory: `${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** Bounded wait for a condition, polling. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, pollMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
