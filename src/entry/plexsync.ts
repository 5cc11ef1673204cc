// The plugin's entry: a version check that any Node can run, then the rest,
// loaded only on a Node that has what it needs.
import { nodeTooOld } from './node-version.ts';

const refusal = nodeTooOld();
if (refusal) {
  // Stash's protocol: one JSON object on stdout, log lines on stderr.
  process.stderr.write(`\x01e\x02${refusal}\n`);
  process.stdout.write(`${JSON.stringify({ error: refusal })}\n`);
  process.exitCode = 1;
} else {
  const { main } = await import('./main.ts');
  await main(process.argv.slice(2));
}
