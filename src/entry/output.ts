// Stdout carries exactly one JSON object: {"output": ...} or {"error": "..."}.
import { writeFd } from '../log/fd-write.ts';
import { redact } from '../log/redact.ts';

let written = false;

export function writeResult(result: { output: unknown } | { error: string }): void {
  if (written) return;
  written = true;
  writeFd(1, `${redact(JSON.stringify(result))}\n`);
  if ('error' in result) process.exitCode = 1;
}
