// The demo's sample library: about fifty scenes in the fake Stash with varied
// metadata and generated covers, their files in the fake Plex under another
// folder (so pathMap matters), and a few scenes with deliberate trouble:
// files Plex has not scanned, two Plex items that could both be a scene,
// files found only by name and size, a scene with no file.
import type { FakePlex } from '../../test/fakes/plex-server.ts';
import type { FakeStash } from '../../test/fakes/stash-server.ts';
import { coverPng } from './png.ts';

export const DEMO_PATH_MAP = '/data/videos=>/media/videos';

const STUDIOS = ['Northwind Films', 'Blue Harbour', 'Kestrel Studio', 'Lantern House', 'Quiet Fox'];
const PERFORMERS = ['Ada Moreau', 'Bruno Keller', 'Chiara Blake', 'Dmitri Vale', 'Elena Ruiz', 'Farah Quinn', 'Gus Holloway', 'Hana Ito', 'Ivo Marsh', 'Jade Okafor', 'Kai Lindqvist', 'Lena Novak'];
const TAGS = ['Outdoor', 'Interview', 'Behind the scenes', 'Drama', 'Comedy', 'Night', 'Travel', 'Studio session', 'Classic', 'Short'];
const GROUPS = ['Summer Series', 'The Lighthouse Trilogy', 'Director\'s Picks'];
const WORDS = ['Harbour', 'Lights', 'Morning', 'Echo', 'Paper', 'Signal', 'Garden', 'River', 'Static', 'Velvet', 'Winter', 'Orbit', 'Copper', 'Lantern', 'Meadow', 'Atlas'];

export interface DemoLibrary {
  scenes: number;
  trouble: { notScanned: string[]; ambiguous: string[]; byNameAndSize: string[]; noFiles: string[] };
  /** What the demo changes after the first sync. */
  edited: { sceneId: string; performerId: string };
}

/** Deterministic: the same library on every run. */
export function seedLibrary(stash: FakeStash, plex: FakePlex, count = 50): DemoLibrary {
  let state = 20260601;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const some = <T>(list: readonly T[], max: number) => [...new Set(Array.from({ length: 1 + Math.floor(rand() * max) }, () => pick(list)))];
  const studios = STUDIOS.map((n) => stash.addStudio(n));
  const performers = PERFORMERS.map((n) => stash.addPerformer(n));
  const tags = TAGS.map((n) => stash.addTag(n));
  const groups = GROUPS.map((n) => stash.addGroup(n));
  const trouble: DemoLibrary['trouble'] = { notScanned: [], ambiguous: [], byNameAndSize: [], noFiles: [] };
  const sceneIds: string[] = [];

  for (let i = 1; i <= count; i++) {
    const studio = Math.floor(rand() * studios.length);
    const title = `${pick(WORDS)} ${pick(WORDS)}${i % 7 === 0 ? ' (Extended)' : ''}`;
    const folder = STUDIOS[studio]!.toLowerCase().replace(/\W+/g, '-');
    const name = `${title.toLowerCase().replace(/\W+/g, '-')}-${String(i).padStart(3, '0')}.mp4`;
    const size = 100_000_000 + Math.floor(rand() * 900_000_000);
    const stashPath = `/data/videos/${folder}/${name}`;
    const month = String(1 + Math.floor(rand() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(rand() * 28)).padStart(2, '0');
    const kind = i === 13 || i === 29 || i === 41 ? 'not_scanned' : i === 17 ? 'ambiguous' : i === 23 || i === 37 ? 'name_size' : i === 47 ? 'no_files' : 'normal';
    const id = stash.addScene({
      title: i % 11 === 0 ? null : title,
      details: i % 3 === 0 ? null : `${title} follows ${pick(PERFORMERS)} through ${pick(WORDS).toLowerCase()} and ${pick(WORDS).toLowerCase()}.\nFilmed for ${STUDIOS[studio]}.`,
      date: i % 9 === 0 ? null : `${2015 + Math.floor(rand() * 11)}-${month}-${day}`,
      rating100: i % 4 === 0 ? null : 20 + Math.floor(rand() * 80),
      director: i % 5 === 0 ? pick(PERFORMERS) : null,
      studioId: i % 10 === 0 ? null : studios[studio]!,
      performerIds: some(performers, 3),
      tagIds: some(tags, 4),
      groupIds: i % 6 === 0 ? [pick(groups)] : [],
      files: kind === 'no_files' ? [] : [{ path: stashPath, size }],
    });
    sceneIds.push(id);
    stash.setScreenshot(id, coverPng(i), 'image/png');
    const plexFile = `/media/videos/${folder}/${name}`;
    if (kind === 'normal') plex.addItem({ title: name.replace(/\.mp4$/, ''), file: plexFile, size });
    else if (kind === 'not_scanned') trouble.notScanned.push(id);
    else if (kind === 'no_files') trouble.noFiles.push(id);
    else if (kind === 'name_size') {
      // Moved on the Plex side: found by file name and size alone.
      plex.addItem({ title: name, file: `/media/videos/archive/${name}`, size });
      trouble.byNameAndSize.push(id);
    } else {
      // Two copies in Plex, neither at the mapped path: PlexSync edits neither.
      plex.addItem({ title: `${name} (copy 1)`, file: `/media/videos/copies-a/${name}`, size });
      plex.addItem({ title: `${name} (copy 2)`, file: `/media/videos/copies-b/${name}`, size });
      trouble.ambiguous.push(id);
    }
  }
  return { scenes: count, trouble, edited: { sceneId: sceneIds[19]!, performerId: performers[0]! } };
}
