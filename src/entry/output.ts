// Stdout carries exactly one JSON object: {"output": ...} or {"error": "..."}.
import { redact } from '../log/redact.ts';

let written = false;

export function writeResult(result: { output: unknown } | { error: string }): void {
  if (written) return;
  written = true;
  process.stdout.write(`${redact(JSON.stringify(result))}\n`);
  if ('error' in result) process.exitCode = 1;
}
