// The `detect_paths` task: compare Stash's file paths with the files in the
// Plex libraries PlexSync searches, and suggest the pathMap that explains
// them. Reads only: nothing is changed, not even the setting.
import { type Db, sql } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { detectPathMap, type PathDetection, type PlexFile, type SceneFiles } from '../match/detect-paths.ts';
import type { SceneSyncDeps } from '../sync/scene-sync.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';
import { recordMatchStats } from './match-stats.ts';

const STAMP_PAGE = 1000;

export async function detectPathsTask(ctx: RunContext, db: Db): Promise<PathDetection & { current: string }> {
  const { log } = ctx;
  const { settings, sync, close } = await loadSyncDeps(ctx, db);
  let plexFiles: PlexFile[];
  let scenes: SceneFiles[];
  try {
    log.progress(0);
    ({ plexFiles, scenes } = await collectFiles(sync, db, () => log.progress(0.3)));
  } finally {
    close();
  }
  log.progress(0.7);
  const d = detectPathMap(scenes, plexFiles, sync.mappings);
  log.progress(1);
  const current = settings.pathMapRaw.trim();
  const { better } = d;
  recordMatchStats(db, {
    by: 'detect_paths',
    scenes: d.scenes,
    matched: d.matchedWithCurrent,
    exact: d.exactWithCurrent,
    ...(better ? { suggestion: d.suggestion } : {}),
  });

  log.info(`Compared ${d.scenes} Stash scene(s) with ${plexFiles.length} file(s) in Plex`);
  log.info(`Current pathMap ${JSON.stringify(current)} matches ${countsText(d.exactWithCurrent, d.matchedWithCurrent, d.scenes)}`);
  for (const m of d.mappings) log.info(`Stash "${m.stash}" is Plex "${m.plex}" (${m.files} file(s) agree)`);
  if (better) {
    log.warn(`Suggested pathMap: ${d.suggestion === '' ? '(empty: same paths on both sides)' : d.suggestion} (matches ${countsText(d.exactWithSuggestion, d.matchedWithSuggestion, d.scenes)})`);
  } else log.info(`The current pathMap is as good as any found (${countsText(d.exactWithCurrent, d.matchedWithCurrent, d.scenes)})`);
  if (d.matchedWithCurrent - d.exactWithCurrent > d.exactWithCurrent) {
    log.warn('More scenes match only by file name and size than by exact path: the pathMap is probably wrong');
  }
  if (d.unexplainedCount > 0) {
    log.info(`${d.unexplainedCount} scene(s) have no file Plex knows, e.g. ${d.unexplained.slice(0, 5).map((u) => `scene ${u.sceneId} (${u.path})`).join(', ')}`);
  }
  return { current, ...d };
}

/** Every Stash scene's files and every file in the searched Plex sections (the index brought up to date). */
export async function collectFiles(sync: SceneSyncDeps, db: Db, onPlexRead?: () => void): Promise<{ plexFiles: PlexFile[]; scenes: SceneFiles[] }> {
  await sync.index.ensureBuilt();
  await sync.index.refresh();
  const sectionIds = (await sync.index.sections()).map((s) => s.id);
  const plexFiles = readPlexFiles(db, sectionIds);
  onPlexRead?.();
  const scenes: SceneFiles[] = [];
  for await (const stamps of sync.stash.allSceneStamps(STAMP_PAGE)) {
    for (const s of stamps) scenes.push({ sceneId: s.id, files: s.files });
  }
  return { plexFiles, scenes };
}

/** "28 of 30 scene(s) by exact path, 2 more by file name and size only". */
function countsText(exact: number, matched: number, scenes: number): string {
  return `${exact} of ${scenes} scene(s) by exact path, ${matched - exact} more by file name and size only`;
}

/** The indexed parts of the searched sections: a few MB even for 50,000 files. */
function readPlexFiles(db: Db, sectionIds: readonly string[]): PlexFile[] {
  if (sectionIds.length === 0) return [];
  const rows = sql(db, `SELECT file, size FROM plex_parts WHERE section_id IN (${sectionIds.map(() => '?').join(', ')})`)
    .all(...sectionIds) as { file: string; size: number | null }[];
  return rows.map((r) => ({ path: r.file, size: r.size }));
}
