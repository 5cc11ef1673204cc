// Runs the built plugin exactly as Stash does: `node <pluginDir>/plexsync.mjs`
// with Stash's own working directory, one JSON object on stdin then EOF,
// stdout read to the end, stderr parsed as Stash log lines.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PLUGIN_DIR = join(REPO, 'dist', 'PlexSync');
export const PLUGIN = join(PLUGIN_DIR, 'plexsync.mjs');

export interface LogLine {
  level: string;
  message: string;
}

export interface PluginRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The parsed stdout object: {output} or {error}. */
  result: { output?: unknown; error?: string };
  logs: LogLine[];
  progress: number[];
  ms: number;
}

/** Stash's working directory is its own, never the plugin's. */
const stashCwd = mkdtempSync(join(tmpdir(), 'stash-cwd-'));

export function parseStderr(stderr: string): { logs: LogLine[]; progress: number[] } {
  const logs: LogLine[] = [];
  const progress: number[] = [];
  for (const line of stderr.split('\n')) {
    if (line === '') continue;
    const m = /^\x01([tdiwep])\x02(.*)$/.exec(line);
    if (!m) {
      logs.push({ level: 'raw', message: line });
      continue;
    }
    if (m[1] === 'p') progress.push(Number(m[2]));
    else logs.push({ level: m[1]!, message: m[2]! });
  }
  return { logs, progress };
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  plugin?: string;
  timeoutMs?: number;
  args?: string[];
}

export async function runPlugin(stdin: unknown, options: RunOptions = {}): Promise<PluginRun> {
  if (!existsSync(options.plugin ?? PLUGIN)) throw new Error('dist/PlexSync/plexsync.mjs missing: run `npm run build`');
  const started = performance.now();
  const child = spawn(process.execPath, [options.plugin ?? PLUGIN, ...(options.args ?? [])], {
    cwd: stashCwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  child.stdin.on('error', () => {});
  child.stdin.end(typeof stdin === 'string' ? stdin : JSON.stringify(stdin));
  const timeout = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  // Like Stash: read stdout to EOF, then wait for the process.
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timeout);
  const stdout = Buffer.concat(out).toString('utf8');
  const stderr = Buffer.concat(err).toString('utf8');
  let result: PluginRun['result'];
  try {
    result = JSON.parse(stdout) as PluginRun['result'];
  } catch {
    result = { error: `stdout is not one JSON object: ${stdout.slice(0, 200)}` };
  }
  return { code, stdout, stderr, result, ...parseStderr(stderr), ms: performance.now() - started };
}

export interface Connection {
  Scheme: string;
  Host: string;
  Port: number;
  SessionCookie: { Name: string; Value: string } | null;
  Dir: string;
  PluginDir: string;
}

/** A server_connection for a Stash that is not there (hook and queue tests). */
export function nowhereConnection(pluginDir = PLUGIN_DIR): Connection {
  return {
    Scheme: 'http',
    Host: '127.0.0.1',
    Port: 9,
    SessionCookie: { Name: 'session', Value: 'test-session-cookie-value' },
    Dir: '/nonexistent',
    PluginDir: pluginDir,
  };
}

export function hookInput(
  connection: unknown,
  type: string,
  id: number | string,
  input: unknown = null,
  inputFields?: string[],
): unknown {
  return {
    server_connection: connection,
    args: { hookContext: { id, type, input, ...(inputFields ? { inputFields } : {}) } },
  };
}

export function taskInput(connection: unknown, mode: string, extra: Record<string, unknown> = {}): unknown {
  return { server_connection: connection, args: { mode, ...extra } };
}
