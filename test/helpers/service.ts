// Runs the built `plexsync serve` as a user runs it, on an ephemeral
// loopback port, and talks to it over HTTP. Waits are bounded in time.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO } from './plugin.ts';

export const CLI = join(REPO, 'dist', 'cli', 'plexsync.mjs');

export interface ServiceProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port>, once started. */
  url: string;
  stderr(): string;
  /** Sends a signal and waits for the exit; the code and how long it took. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; ms: number }>;
  exited: Promise<number | null>;
}

type TestContext = { after(fn: () => unknown): void };

/** Environment without the caller's PLEXSYNC_* (each test says what it sets). */
export function cleanEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PLEXSYNC_')));
  return { ...base, PLEXSYNC_HTTP_PORT: '0', ...env };
}

/** Starts the service and waits for its "dashboard at" line (or its exit). */
export async function startServiceProcess(t: TestContext, env: Record<string, string | undefined>, args: string[] = []): Promise<ServiceProcess> {
  if (!existsSync(CLI)) throw new Error('dist/cli/plexsync.mjs missing: run `npm run build`');
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  child.stdout!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  t.after(async () => {
    if (exitCode === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let url = '';
  for (const until = Date.now() + 30_000; Date.now() < until && exitCode === undefined; await sleep(25)) {
    const m = /dashboard at (http:\/\/\S+?)\/? /.exec(err);
    if (m) {
      url = m[1]!;
      break;
    }
  }
  if (!url) throw new Error(`service did not start (exit ${exitCode}):\n${err}`);
  return {
    child,
    url,
    stderr: () => err,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      const started = Date.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return { code, ms: Date.now() - started };
    },
  };
}

/** Runs `plexsync serve` expecting it to exit by itself (bad configuration). */
export function runServeToExit(env: Record<string, string | undefined>, args: string[] = []): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: cleanEnv(env), stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err });
    }),
  );
}

export async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text };
}

/** Polls `check` until it returns a value (not undefined), within timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
