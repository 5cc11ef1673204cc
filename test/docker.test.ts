// The Docker image and compose file, checked without a Docker engine: the
// Dockerfile's instructions are parsed and their logic checked (base image,
// non-root user, data volume, health check, command), and the HEALTHCHECK
// command itself is run against a live service.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { startFakePlex } from './fakes/plex-server.ts';
import { startFakeStash } from './fakes/stash-server.ts';
import { REPO } from './helpers/plugin.ts';
import { cleanEnv, getJson, startServiceProcess, waitFor } from './helpers/service.ts';
import { tempDir } from './helpers/temp.ts';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions: comments dropped, backslash continuations joined. */
function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && (line.trim() === '' || line.trim().startsWith('#'))) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(current + line);
    current = '';
  }
  return logical.map((l) => {
    const m = /^\s*(\w+)\s+(.*)$/.exec(l);
    assert.ok(m, `not an instruction: ${l}`);
    return { op: m[1]!.toUpperCase(), args: m[2]!.trim() };
  });
}

const dockerfile = parseDockerfile(readFileSync(join(REPO, 'docker', 'Dockerfile'), 'utf8'));
const stages = dockerfile.reduce<Instruction[][]>((acc, i) => (i.op === 'FROM' ? [...acc, [i]] : (acc[acc.length - 1]!.push(i), acc)), []);
const final = stages[stages.length - 1]!;

test('the image is built from the official node:24-alpine image, in two stages', () => {
  assert.ok(stages.length >= 2);
  for (const stage of stages) assert.match(stage[0]!.args, /^node:24-alpine(\s+AS\s+\w+)?$/i);
  const build = stages[0]!;
  assert.ok(build.some((i) => i.op === 'RUN' && /npm ci\b.*--ignore-scripts/.test(i.args)), 'npm ci without install scripts');
  const buildRun = build.find((i) => i.op === 'RUN' && /scripts\/build\.ts/.test(i.args));
  assert.ok(buildRun && existsSync(join(REPO, 'scripts', 'build.ts')));
  // What the final stage copies is what the build writes.
  const copy = final.find((i) => i.op === 'COPY' && /--from=build/.test(i.args));
  assert.ok(copy);
  const [source] = copy.args.replace(/--\S+/g, '').trim().split(/\s+/);
  assert.equal(source, '/src/dist/cli/plexsync.mjs');
  assert.ok(existsSync(join(REPO, 'dist', 'cli', 'plexsync.mjs')), 'the build writes dist/cli/plexsync.mjs (run npm run build)');
  const ignore = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n');
  for (const entry of ['node_modules', 'dist', '.git']) assert.ok(ignore.includes(entry), `.dockerignore leaves out ${entry}`);
});

test('the final stage runs as a non-root user with its data in a volume, plexsync serve as its command', () => {
  const userIndex = final.findIndex((i) => i.op === 'USER');
  assert.ok(userIndex > 0, 'a USER instruction');
  assert.doesNotMatch(final[userIndex]!.args, /^(root|0)(:|$)/);
  assert.ok(!final.slice(userIndex + 1).some((i) => i.op === 'USER'), 'no switch back to root');
  const env = final.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
  assert.match(env, /PLEXSYNC_DATA_DIR=\/data\b/);
  assert.match(env, /PLEXSYNC_HTTP_PORT=9880\b/);
  assert.deepEqual(JSON.parse(final.find((i) => i.op === 'VOLUME')!.args), ['/data']);
  assert.ok(final.some((i) => i.op === 'RUN' && /chown node:node \/data/.test(i.args)), 'the volume belongs to the user');
  assert.equal(final.find((i) => i.op === 'EXPOSE')?.args, '9880');
  assert.deepEqual(JSON.parse(final.find((i) => i.op === 'CMD')!.args), ['plexsync', 'serve']);
  assert.ok(final.some((i) => i.op === 'RUN' && /ln -s \/app\/plexsync\.mjs \/usr\/local\/bin\/plexsync/.test(i.args)));
  assert.match(readFileSync(join(REPO, 'dist', 'cli', 'plexsync.mjs'), 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env node$/, 'the linked file runs by itself');
});

test("the HEALTHCHECK asks /healthz: it passes while the service works and fails while Stash is unreachable", async (t) => {
  const health = final.find((i) => i.op === 'HEALTHCHECK');
  assert.ok(health);
  const m = /^(.*?)\s*CMD\s+(\[.*\])$/.exec(health.args);
  assert.ok(m, health.args);
  assert.match(m[1]!, /--interval=\d+s/);
  const command = JSON.parse(m[2]!) as string[];
  assert.equal(command[0], 'node');
  const stash = await startFakeStash({ session: false });
  const plex = await startFakePlex();
  t.after(() => Promise.all([stash.close(), plex.close()]).then(() => undefined));
  stash.setSettings({ plexUrl: plex.url, plexToken: plex.token });
  const service = await startServiceProcess(t, { PLEXSYNC_STASH_URL: stash.url, PLEXSYNC_DATA_DIR: tempDir(t), PLEXSYNC_POLL_MS: '1000' });
  const port = new URL(service.url).port;
  // The image's Node runs the check with the container's environment.
  const check = () =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, command.slice(1), { env: cleanEnv({ PLEXSYNC_HTTP_PORT: port }), stdio: 'ignore' });
      child.on('exit', resolve);
    });
  assert.equal(await check(), 0);
  stash.setDown('reset');
  await waitFor('503', async () => ((await getJson(`${service.url}/healthz`)).status === 503 ? true : undefined));
  assert.equal(await check(), 1);
  stash.setDown(false);
  await waitFor('200', async () => ((await getJson(`${service.url}/healthz`)).status === 200 ? true : undefined));
  assert.equal(await check(), 0);
  assert.equal((await service.stop()).code, 0);
});

test('the compose file runs Stash, Plex and PlexSync with every data folder outside the checkout and no secret in it', () => {
  const text = readFileSync(join(REPO, 'docker', 'docker-compose.yml'), 'utf8');
  const compose = parseYaml(text) as { services: Record<string, { image?: string; build?: { context: string; dockerfile: string }; volumes?: string[]; environment?: string[] }> };
  assert.deepEqual(Object.keys(compose.services).sort(), ['plex', 'plexsync', 'stash']);
  assert.match(compose.services.stash!.image!, /^stashapp\/stash:/, 'the official Stash image, without Node');
  const build = compose.services.plexsync!.build!;
  assert.ok(existsSync(join(REPO, 'docker', build.context, build.dockerfile)), 'build context and Dockerfile exist');
  for (const [name, service] of Object.entries(compose.services)) {
    for (const volume of service.volumes ?? []) {
      const host = volume.split(':')[0]!;
      assert.doesNotMatch(host, /^\.\.?(\/|$)/, `${name}: ${volume} keeps data inside the checkout`);
      assert.match(host, /^(\/|\$\{)/, `${name}: ${volume} is an absolute host path`);
    }
  }
  const env = compose.services.plexsync!.environment!;
  assert.ok(env.includes('PLEXSYNC_STASH_URL=http://stash:9999'));
  assert.ok(env.some((e) => e.startsWith('PLEXSYNC_STASH_API_KEY_FILE=')), 'the API key from a file');
  assert.ok(env.some((e) => e.startsWith('PLEXSYNC_HTTP_PASSWORD_FILE=')), 'the image binds 0.0.0.0, so a password is needed');
  assert.ok(!env.some((e) => /^PLEXSYNC_(STASH_API_KEY|HTTP_PASSWORD|PLEX_TOKEN)=/.test(e)), 'no secret written into the compose file');
  assert.match(text, /Path mapping: \/data=>\/media\/videos/);
});
