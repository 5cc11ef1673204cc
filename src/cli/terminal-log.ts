// A Logger for a person at a terminal: readable lines on stderr, progress as
// one line that updates in place on a TTY, or a plain line per 10% otherwise.
import type { Logger } from '../log/logger.ts';
import { redact } from '../log/redact.ts';

export interface TerminalLogger extends Logger {
  /** Ends an in-place progress line, if one is showing. */
  finish(): void;
}

export function createTerminalLogger(stream: NodeJS.WriteStream, verbose: boolean): TerminalLogger {
  const tty = stream.isTTY === true;
  let progressShown = false;
  let lastStep = -1;
  const clearProgress = () => {
    if (tty && progressShown) stream.write('\r\x1b[2K');
    progressShown = false;
  };
  const line = (prefix: string) => (msg: string) => {
    clearProgress();
    stream.write(`${prefix}${redact(msg)}\n`);
  };
  const quiet = () => {};
  return {
    trace: verbose ? line('trace: ') : quiet,
    debug: verbose ? line('debug: ') : quiet,
    info: line(''),
    warn: line('warning: '),
    error: line('error: '),
    progress(fraction) {
      const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
      if (tty) {
        stream.write(`\r\x1b[2Kprogress ${percent}%`);
        progressShown = true;
        return;
      }
      const step = Math.floor(percent / 10);
      if (step === lastStep) return;
      lastStep = step;
      stream.write(`progress ${percent}%\n`);
    },
    finish() {
      if (tty && progressShown) stream.write('\n');
      progressShown = false;
    },
  };
}
