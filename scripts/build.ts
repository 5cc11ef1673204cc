// Builds dist/PlexSync/ (the folder a user copies into Stash's plugins
// directory): the bundled backend, the manifest, and the UI files.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { renderManifest, UI_CSS, UI_JAVASCRIPT } from './manifest.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'PlexSync');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** One self-contained ESM file for Node >= 22.13; `node:` built-ins stay imports. */
function bundle(entry: string, outfile: string, banner: string) {
  return build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22.13',
    minifySyntax: true,
    minifyWhitespace: true,
    minifyIdentifiers: true,
    legalComments: 'none',
    banner: { js: banner },
    logLevel: 'warning',
  });
}

await bundle(
  join(root, 'src', 'entry', 'plexsync.ts'),
  join(out, 'plexsync.mjs'),
  '// PlexSync: keeps Plex metadata in step with Stash. Built file; edit src/ instead.',
);
// The `plexsync` command line (package.json "bin"): the same code, run from a shell.
await bundle(
  join(root, 'src', 'cli', 'plexsync-cli.ts'),
  join(root, 'dist', 'cli', 'plexsync.mjs'),
  '#!/usr/bin/env node\n// PlexSync command line. Built file; edit src/ instead.',
);
chmodSync(join(root, 'dist', 'cli', 'plexsync.mjs'), 0o755);

const uiDir = join(root, 'ui');
const hasUi = existsSync(join(uiDir, 'plexsync-ui.js'));
if (hasUi) {
  for (const file of [...UI_JAVASCRIPT, ...UI_CSS]) cpSync(join(uiDir, file), join(out, file));
}
writeFileSync(join(out, 'PlexSync.yml'), renderManifest({ version: pkg.version, ui: hasUi }));

// dist/PlexSync.zip and dist/index.yml, for a plugin source.
await import('./package.ts');
console.log(`built ${out}`);
