// The `plexsync` command. A background worker it starts re-runs this file
// with `--worker`, which is the plugin's own worker entry; `serve` is the
// long-running service. The version check comes first, before anything that
// needs a newer Node is loaded.
import { nodeTooOld } from '../entry/node-version.ts';

const refusal = nodeTooOld();
if (refusal) {
  process.stderr.write(`plexsync: ${refusal}\n`);
  process.exitCode = 1;
} else {
  const argv = process.argv.slice(2);
  if (argv[0] === 'serve') {
    const { serveMain } = await import('../service/serve.ts');
    // After a stop, whatever still runs (a request Plex never answers) was
    // handed back to the queue: exit now rather than wait for it.
    process.exit(await serveMain(argv.slice(1)));
  }
  const [{ main: pluginMain }, { cliMain }] = await Promise.all([import('../entry/main.ts'), import('./main.ts')]);
  if (argv[0] === '--worker') await pluginMain(argv);
  else process.exitCode = await cliMain(argv);
}
