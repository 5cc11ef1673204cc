// End to end per metadata rule: settings in Stash, a hook, the background
// worker, then what the fake Plex shows (and what the dry run says first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorld, type World } from './helpers/world.ts';

const FILE = '/data/videos/rules.mp4';

type DryRunOutput = { scenes: { kind: string; plan?: { changes: { field: string; from: unknown; to: unknown }[] } }[]; summary: Record<string, number> };

async function dryRun(w: World, sceneId: string): Promise<Record<string, [unknown, unknown]>> {
  const run = await w.task('dry_run', { sceneId });
  assert.equal(run.code, 0, run.stderr);
  const output = run.result.output as DryRunOutput;
  return Object.fromEntries((output.scenes[0]?.plan?.changes ?? []).map((c) => [c.field, [c.from, c.to]]));
}

async function sync(w: World, sceneId: string): Promise<void> {
  const run = await w.hook('Scene.Update.Post', sceneId);
  assert.equal(run.code, 0, run.stderr);
  const settled = await w.settle();
  assert.equal(settled.dead, 0);
}

const writesTo = (w: World, rk: string) =>
  w.plex.requests.filter((r) => (r.method === 'PUT' || r.method === 'POST') && (r.path.includes(`/metadata/${rk}`) || r.query.some(([k, v]) => k === 'id' && v === rk))).length;

test('title template: the dry run shows it, Plex gets it with the plain title as sort title and the content rating', async (t) => {
  const w = await startWorld(t, { settings: { titleTemplate: '{studio} - {date} - {title}', contentRating: 'XXX' } });
  const rk = w.plex.addItem({ title: 'rules', file: FILE, size: 10 }).ratingKey;
  const studio = w.stash.addStudio('Acme');
  const scene = w.stash.addScene({ title: 'Beach Day', date: '2021-06-15', studioId: studio, files: [{ path: FILE, size: 10 }] });

  const planned = await dryRun(w, scene);
  assert.deepEqual(planned.title, ['rules', 'Acme - 2021-06-15 - Beach Day']);
  assert.deepEqual(planned.titleSort, ['', 'Beach Day']);
  assert.deepEqual(planned.contentRating, ['', 'XXX']);
  assert.equal(writesTo(w, rk), 0, 'the dry run writes nothing');

  await sync(w, scene);
  const item = w.plex.item(rk)!;
  assert.equal(item.scalars.title, 'Acme - 2021-06-15 - Beach Day');
  assert.equal(item.scalars.titleSort, 'Beach Day');
  assert.equal(item.scalars.contentRating, 'XXX');
  for (const field of ['title', 'titleSort', 'contentRating']) assert.ok(item.locked.has(field), `${field} locked`);
});

test('default settings send no sort title, content rating, labels or actor photos', async (t) => {
  const w = await startWorld(t, { stash: { session: false } });
  w.plex.addItem({ title: 'rules', file: FILE, size: 10, labels: ['Mine'] });
  const performer = w.stash.addPerformer('Ann');
  w.stash.setImage('performer', performer, new Uint8Array([1, 2, 3]));
  const tag = w.stash.addTag('Kids OK');
  const scene = w.stash.addScene({ title: 'Plain', performerIds: [performer], tagIds: [tag], files: [{ path: FILE, size: 10 }] });
  await sync(w, scene);
  const keys = w.plex.requests.filter((r) => r.method === 'PUT').flatMap((r) => r.query.map(([k]) => k));
  for (const banned of [/^titleSort/, /^contentRating/, /^label/, /\.tag\.thumb$/]) {
    assert.equal(keys.filter((k) => banned.test(k)).length, 0, `${banned} not sent`);
  }
});

test('tags as labels by name and by parent tag; a hand-made label survives, a managed one goes when its tag does', async (t) => {
  const w = await startWorld(t, { settings: { labelTags: 'Kids OK', labelTagParents: 'Quality' } });
  const rk = w.plex.addItem({ title: 'rules', file: FILE, size: 10, labels: ['Shared with Mum'] }).ratingKey;
  const quality = w.stash.addTag('Quality');
  const uhd = w.stash.addTag('4K');
  w.stash.setTagParents(uhd, [quality]);
  const kids = w.stash.addTag('Kids OK');
  const beach = w.stash.addTag('Beach');
  const scene = w.stash.addScene({ title: 'Labels', tagIds: [uhd, kids, beach], files: [{ path: FILE, size: 10 }] });

  const planned = await dryRun(w, scene);
  assert.deepEqual(planned.label, [[], ['4K', 'Kids OK']]);
  await sync(w, scene);
  let item = w.plex.item(rk)!;
  assert.deepEqual([...item.tags.Label!].sort(), ['4K', 'Kids OK', 'Shared with Mum']);
  assert.deepEqual(item.tags.Genre, ['Beach'], 'a tag sent as a label is not a genre too');
  assert.ok(item.locked.has('label'));

  w.stash.updateScene(scene, { tagIds: [beach] });
  await sync(w, scene);
  item = w.plex.item(rk)!;
  assert.deepEqual(item.tags.Label, ['Shared with Mum']);
});

test('collections by rule, and a hand-made collection survives every rule being turned on and off', async (t) => {
  const everything = {
    studioCollections: true,
    parentStudioCollections: true,
    performerCollections: true,
    collectionTags: 'Favourite',
    collectionTagParents: 'Series',
    organizedCollection: 'Organized',
  };
  const w = await startWorld(t, { settings: everything });
  const rk = w.plex.addItem({ title: 'rules', file: FILE, size: 10, collections: ['My Picks'] }).ratingKey;
  const network = w.stash.addStudio('Network');
  const studio = w.stash.addStudio('Acme');
  w.stash.setStudioParent(studio, network);
  const ann = w.stash.addPerformer('Ann');
  const series = w.stash.addTag('Series');
  const summer = w.stash.addTag('Summer Series');
  w.stash.setTagParents(summer, [series]);
  const favourite = w.stash.addTag('Favourite');
  const other = w.stash.addTag('Other');
  const group = w.stash.addGroup('Group One');
  const scene = w.stash.addScene({
    title: 'Collected',
    organized: true,
    studioId: studio,
    performerIds: [ann],
    tagIds: [summer, favourite, other],
    groupIds: [group],
    files: [{ path: FILE, size: 10 }],
  });

  const planned = await dryRun(w, scene);
  const wanted = ['Group One', 'Acme', 'Network', 'Ann', 'Summer Series', 'Favourite', 'Organized'];
  assert.deepEqual(planned.collection, [[], wanted]);
  await sync(w, scene);
  assert.deepEqual([...w.plex.item(rk)!.tags.Collection!].sort(), [...wanted, 'My Picks'].sort());

  // Every rule but one off, groups included: PlexSync's other collections go, the hand-made one stays.
  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token, skipCollections: true, organizedCollection: 'Organized' });
  w.stash.updateScene(scene, { title: 'Collected again' });
  await sync(w, scene);
  assert.deepEqual(w.plex.item(rk)!.tags.Collection, ['My Picks', 'Organized']);

  // No collection rule at all: collections are left alone, as skipCollections says.
  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token, skipCollections: true });
  w.stash.updateScene(scene, { title: 'Collected once more', organized: false });
  await sync(w, scene);
  assert.deepEqual(w.plex.item(rk)!.tags.Collection, ['My Picks', 'Organized']);
  assert.equal(w.plex.item(rk)!.scalars.title, 'Collected once more');
});

test('turning a collection rule off takes its collections away and leaves the hand-made one', async (t) => {
  const w = await startWorld(t, { settings: { studioCollections: true, performerCollections: true } });
  const rk = w.plex.addItem({ title: 'rules', file: FILE, size: 10, collections: ['My Picks'] }).ratingKey;
  const studio = w.stash.addStudio('Acme');
  const ann = w.stash.addPerformer('Ann');
  const group = w.stash.addGroup('Group One');
  const scene = w.stash.addScene({ title: 'Rules', studioId: studio, performerIds: [ann], groupIds: [group], files: [{ path: FILE, size: 10 }] });
  await sync(w, scene);
  assert.deepEqual([...w.plex.item(rk)!.tags.Collection!].sort(), ['Acme', 'Ann', 'Group One', 'My Picks']);

  w.stash.setSettings({ plexUrl: w.plex.url, plexToken: w.plex.token, studioCollections: true });
  const planned = await dryRun(w, scene);
  assert.deepEqual(planned.collection, [['Group One', 'Acme', 'Ann'], ['Group One', 'Acme']]);
  await sync(w, scene);
  assert.deepEqual([...w.plex.item(rk)!.tags.Collection!].sort(), ['Acme', 'Group One', 'My Picks']);
});

test('sync filters: a scene outside them is never written, one that leaves them keeps what Plex shows', async (t) => {
  const w = await startWorld(t, { settings: { onlyOrganized: true, onlyWithStashId: true, excludeTags: 'Private, Hidden' } });
  const rkIn = w.plex.addItem({ title: 'in', file: '/data/videos/in.mp4', size: 1 }).ratingKey;
  const rkOut = w.plex.addItem({ title: 'out', file: '/data/videos/out.mp4', size: 2 }).ratingKey;
  const rkNoId = w.plex.addItem({ title: 'noid', file: '/data/videos/noid.mp4', size: 3 }).ratingKey;
  const inside = w.stash.addScene({ title: 'Inside', organized: true, stashIds: [{ endpoint: 'https://stashdb.org/graphql', stash_id: 'a1' }], files: [{ path: '/data/videos/in.mp4', size: 1 }] });
  const unorganized = w.stash.addScene({ title: 'Unorganized', organized: false, stashIds: [{ endpoint: 'https://stashdb.org/graphql', stash_id: 'b2' }], files: [{ path: '/data/videos/out.mp4', size: 2 }] });
  const noStashId = w.stash.addScene({ title: 'No StashID', organized: true, files: [{ path: '/data/videos/noid.mp4', size: 3 }] });

  const dry = await w.task('dry_run');
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal((dry.result.output as DryRunOutput).summary.filtered, 2);

  for (const id of [inside, unorganized, noStashId]) await sync(w, id);
  assert.equal(w.plex.item(rkIn)!.scalars.title, 'Inside');
  assert.equal(writesTo(w, rkOut), 0);
  assert.equal(writesTo(w, rkNoId), 0);

  // The synced scene gets an excluded tag and a new title: Plex keeps the old one.
  const hidden = w.stash.addTag('Hidden');
  w.stash.updateScene(inside, { title: 'Renamed while hidden', tagIds: [hidden] });
  const writes = writesTo(w, rkIn);
  await sync(w, inside);
  assert.equal(writesTo(w, rkIn), writes);
  assert.equal(w.plex.item(rkIn)!.scalars.title, 'Inside');
  const one = await w.task('dry_run', { sceneId: inside });
  assert.ok(one.logs.some((l) => l.message.includes('outside the sync filters (tagged "Hidden")')), JSON.stringify(one.logs));
});

test('performer photos: Stash without a password sends each image URL with its actor, once', async (t) => {
  const w = await startWorld(t, { stash: { session: false }, settings: { performerPhotos: true } });
  const rk = w.plex.addItem({ title: 'rules', file: FILE, size: 10 }).ratingKey;
  const ann = w.stash.addPerformer('Ann');
  const bea = w.stash.addPerformer('Bea');
  w.stash.setImage('performer', ann, new Uint8Array([1, 2, 3]));
  const scene = w.stash.addScene({ title: 'Photos', performerIds: [ann, bea], files: [{ path: FILE, size: 10 }] });

  const planned = await dryRun(w, scene);
  assert.deepEqual(planned.actor, [[], ['Ann', 'Bea']]);
  assert.deepEqual(planned.actorPhoto, [['(none)'], [`Ann: ${w.stash.url}/performer/${ann}/image?t=1`]]);
  await sync(w, scene);
  const role = w.plex.requests.find((r) => r.method === 'PUT' && r.query.some(([k]) => k === 'actor[0].tag.thumb'));
  assert.ok(role, 'a thumb went with the actor');
  const thumb = role.query.find(([k]) => k === 'actor[0].tag.thumb')![1];
  assert.match(thumb, new RegExp(`^${w.stash.url}/performer/${ann}/image\\?t=\\d+$`));
  assert.equal(role.query.some(([k]) => k === 'actor[1].tag.thumb'), false, 'a performer without an image gets no photo');

  // Unchanged: no write. A new image (new stamp): the actor is sent again with it.
  const before = writesTo(w, rk);
  await sync(w, scene);
  assert.equal(writesTo(w, rk), before);
  w.stash.setImage('performer', ann, new Uint8Array([4, 5, 6]));
  const replanned = await dryRun(w, scene);
  assert.deepEqual(replanned.actorPhoto, [[`${w.stash.url}/performer/${ann}/image?t=1`], [`Ann: ${w.stash.url}/performer/${ann}/image?t=2`]]);
  await sync(w, scene);
  const last = w.plex.requests.filter((r) => r.method === 'PUT').at(-1)!;
  assert.match(last.query.find(([k]) => k === 'actor[0].tag.thumb')?.[1] ?? '', /\?t=2$/);
});

test('performer photos are not sent when Stash asks for credentials, and the log says why', async (t) => {
  const w = await startWorld(t, { settings: { performerPhotos: true } });
  w.plex.addItem({ title: 'rules', file: FILE, size: 10 });
  const ann = w.stash.addPerformer('Ann');
  w.stash.setImage('performer', ann, new Uint8Array([1, 2, 3]));
  const scene = w.stash.addScene({ title: 'Photos', performerIds: [ann], files: [{ path: FILE, size: 10 }] });
  const dry = await w.task('dry_run', { sceneId: scene });
  assert.ok(dry.logs.some((l) => l.message.includes('performerPhotos is on, but Stash asks for credentials')), JSON.stringify(dry.logs));
  await sync(w, scene);
  const sent = w.plex.requests.flatMap((r) => r.query).filter(([k]) => k.endsWith('.tag.thumb'));
  assert.deepEqual(sent, []);
  assert.equal(w.plex.requests.some((r) => r.rawUrl.includes(w.stash.session ?? '\u0000')), false);
});

test('bad rule settings are named with their value', async (t) => {
  const w = await startWorld(t, { settings: { titleTemplate: '{studio} - {titel}', contentRating: 'X'.repeat(41) } });
  const run = await w.task('dry_run');
  assert.notEqual(run.code, 0);
  assert.match(run.result.error ?? '', /titleTemplate has unknown placeholders \{titel\}.*got "\{studio\} - \{titel\}"/);
  assert.match(run.result.error ?? '', /contentRating must be at most 40 characters/);
});

test('a tag given a parent in Stash: the Tag.Update.Post hook brings its scenes under the label rule', async (t) => {
  const w = await startWorld(t, { settings: { labelTagParents: 'Audience' } });
  const rk = w.plex.addItem({ title: 'rules', file: FILE, size: 10 }).ratingKey;
  const audience = w.stash.addTag('Audience');
  const kids = w.stash.addTag('Kids OK');
  const scene = w.stash.addScene({ title: 'Family', tagIds: [kids], files: [{ path: FILE, size: 10 }] });
  await sync(w, scene);
  assert.deepEqual(w.plex.item(rk)!.tags.Genre, ['Kids OK']);
  assert.deepEqual(w.plex.item(rk)!.tags.Label, []);

  w.stash.setTagParents(kids, [audience]);
  const run = await w.hook('Tag.Update.Post', kids, { id: kids, parent_ids: [audience] }, ['id', 'parent_ids']);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((await w.settle()).dead, 0);
  assert.deepEqual(w.plex.item(rk)!.tags.Label, ['Kids OK']);
  assert.deepEqual(w.plex.item(rk)!.tags.Genre, []);
});
