// Stash reads plugin stderr line by line: "\x01" + level + "\x02" + message.
// Lines longer than 64 KiB stop Stash's reader, so every line is capped.
import { writeFd } from './fd-write.ts';
import { redact } from './redact.ts';

export type Level = 't' | 'd' | 'i' | 'w' | 'e';

const MAX_LINE = 16 * 1024;

export interface Logger {
  trace(msg: string): void;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  progress(fraction: number): void;
}

export type LineSink = (line: string) => void;

const stderrSink: LineSink = (line) => writeFd(2, line);

function clip(text: string): string {
  const oneLine = text.replace(/\r?\n/g, '\\n');
  return oneLine.length > MAX_LINE ? `${oneLine.slice(0, MAX_LINE)}... (${oneLine.length - MAX_LINE} more chars)` : oneLine;
}

export function stashLine(level: Level | 'p', msg: string): string {
  return `\x01${level}\x02${level === 'p' ? msg : clip(redact(msg))}\n`;
}

function levels(at: (level: Level) => (msg: string) => void, progress: (fraction: number) => void): Logger {
  return { trace: at('t'), debug: at('d'), info: at('i'), warn: at('w'), error: at('e'), progress };
}

export function createLogger(sink: LineSink = stderrSink): Logger {
  return levels(
    (level) => (msg) => sink(stashLine(level, msg)),
    (fraction) => {
      const clamped = Math.min(1, Math.max(0, fraction));
      sink(stashLine('p', clamped.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')));
    },
  );
}

/** Plain timestamped lines, for the background worker's log file. */
export function createFileLogger(write: (text: string) => void): Logger {
  const names: Record<Level, string> = { t: 'TRACE', d: 'DEBUG', i: 'INFO', w: 'WARN', e: 'ERROR' };
  return levels(
    (level) => (msg) => write(`${new Date().toISOString()} ${names[level]} ${clip(redact(msg))}\n`),
    () => {},
  );
}
