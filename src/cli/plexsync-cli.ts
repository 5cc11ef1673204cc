// The `plexsync` command. A background worker it starts re-runs this file
// with `--worker`, which is the plugin's own worker entry.
import { main as pluginMain } from '../entry/main.ts';
import { serveMain } from '../service/serve.ts';
import { cliMain } from './main.ts';

const argv = process.argv.slice(2);
if (argv[0] === '--worker') await pluginMain(argv);
// After a stop, whatever still runs (a request Plex never answers) was handed
// back to the queue: exit now rather than wait for it.
else if (argv[0] === 'serve') process.exit(await serveMain(argv.slice(1)));
else process.exitCode = await cliMain(argv);
