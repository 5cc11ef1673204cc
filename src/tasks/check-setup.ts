// The `check_setup` task ("Test connection" in the panel's setup, and the
// service dashboard's check): is Plex reachable, is the token valid, are
// there libraries to search, and what share of the scenes have a file Plex
// has at exactly the mapped path. Each line passes or fails with its fix.
// Reads only; stops at the first line the next ones depend on.
import { parseSettings, type Settings, settingsProblems } from '../config/settings.ts';
import type { Db } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { describeError, errorCode } from '../errors.ts';
import { decideMatch } from '../match/decide.ts';
import { type PlexFile, plexFileLookup, type SceneFiles } from '../match/detect-paths.ts';
import { LibraryIndex } from '../match/library-index.ts';
import { type PathMapping, parsePathMap } from '../match/pathmap.ts';
import { rulesFrom } from '../sync/rules.ts';
import type { SceneSyncDeps } from '../sync/scene-sync.ts';
import { plexClientFor, stashClientFor, togglesFrom } from '../sync/worker-deps.ts';
import { collectFiles } from './detect-paths.ts';

export type CheckName = 'settings' | 'reachable' | 'token' | 'libraries' | 'paths';

export interface CheckLine {
  name: CheckName;
  ok: boolean;
  detail: string;
  /** What to do when it failed. */
  fix?: string;
}

export interface SetupCheck {
  ok: boolean;
  checks: CheckLine[];
  /** Scenes with a file, and those whose file Plex has at exactly the mapped path. */
  scenes?: number;
  exact?: number;
}

/** Below this share of exactly mapped scenes the paths line fails. */
const EXACT_SHARE_OK = 0.5;
const PROBE_TIMEOUT_MS = 10_000;

/** Scenes whose file Plex has at exactly the mapped path (a basename-and-size match does not count). */
export function exactMatches(scenes: readonly SceneFiles[], plexFiles: readonly PlexFile[], mappings: readonly PathMapping[]): number {
  const lookup = plexFileLookup(plexFiles);
  let exact = 0;
  for (const s of scenes) {
    if (s.files.length === 0) continue;
    const d = decideMatch(s.files, mappings, lookup);
    if (d.kind === 'matched' && d.via === 'path') exact++;
  }
  return exact;
}

export async function checkSetupTask(ctx: RunContext, db: Db): Promise<SetupCheck> {
  const checks: CheckLine[] = [];
  const done = (extra: Partial<SetupCheck> = {}): SetupCheck => {
    const result = { ok: checks.every((c) => c.ok), checks, ...extra };
    for (const c of checks) ctx.log[c.ok ? 'info' : 'warn'](`Setup check ${c.name}: ${c.ok ? 'ok' : 'FAILED'}: ${c.detail}${c.fix ? ` (${c.fix})` : ''}`);
    return result;
  };

  const stash = stashClientFor(ctx);
  const raw = await stash.pluginSettings();
  const problems = settingsProblems(raw);
  if (problems.length > 0) {
    checks.push({ name: 'settings', ok: false, detail: problems.join('; '), fix: 'Open the panel\'s Set up (Plex link in the navbar, then Set up) or the plugin settings, and fill in what is named.' });
    return done();
  }
  const settings: Settings = parseSettings(raw);
  checks.push({ name: 'settings', ok: true, detail: 'Plex URL and token are set.' });

  const plex = plexClientFor(db, settings);
  try {
    try {
      const identity = await plex.identity(AbortSignal.timeout(PROBE_TIMEOUT_MS));
      checks.push({ name: 'reachable', ok: true, detail: `Plex answers at ${settings.plexUrl} (version ${identity.version || 'unknown'}).` });
    } catch (err) {
      checks.push({
        name: 'reachable',
        ok: false,
        detail: `Plex does not answer at ${settings.plexUrl}: ${describeError(err)}`,
        fix: 'Start Plex, or correct Plex URL: it is the address as seen from where Stash runs (in Docker, not localhost but the Plex container\'s name or the host\'s address).',
      });
      return done();
    }

    let sections;
    try {
      sections = await plex.sections(AbortSignal.timeout(PROBE_TIMEOUT_MS));
      checks.push({ name: 'token', ok: true, detail: 'Plex accepts the token.' });
    } catch (err) {
      const refused = errorCode(err) === 'unauthorized';
      checks.push({
        name: 'token',
        ok: false,
        detail: refused ? 'Plex refused the token.' : `Plex did not list its libraries: ${describeError(err)}`,
        fix: refused ? 'Sign in with Plex again in Set up, or paste a fresh token; the token must belong to an account with access to this server.' : 'Try again; if it persists, look at Plex\'s own log.',
      });
      return done();
    }

    const movies = sections.filter((s) => s.type === 'movie');
    const wanted = settings.plexLibraries;
    const chosen = wanted.length === 0 ? movies : sections.filter((s) => wanted.some((w) => w.toLowerCase() === s.title.toLowerCase()));
    const unknown = wanted.filter((w) => !sections.some((s) => s.title.toLowerCase() === w.toLowerCase()));
    if (chosen.length === 0 || unknown.length > 0) {
      checks.push({
        name: 'libraries',
        ok: false,
        detail:
          unknown.length > 0
            ? `Plex has no library named ${unknown.map((u) => `"${u}"`).join(', ')} (it has ${sections.map((s) => `"${s.title}"`).join(', ') || 'none'}).`
            : 'Plex has no Movies library to search.',
        fix: unknown.length > 0 ? 'Pick the libraries again in Set up, or correct Plex libraries in the plugin settings.' : 'Create a Movies library in Plex for the folders Stash scans, then test again.',
      });
      return done();
    }
    checks.push({ name: 'libraries', ok: true, detail: `Searching ${chosen.length} librar${chosen.length === 1 ? 'y' : 'ies'}: ${chosen.map((s) => s.title).join(', ')}.` });

    const mappings = parsePathMap(settings.pathMapRaw);
    const index = new LibraryIndex(db, plex, { libraries: settings.plexLibraries, log: ctx.log });
    const sync: SceneSyncDeps = {
      db,
      stash,
      plex,
      index,
      mappings,
      toggles: togglesFrom(settings),
      rules: rulesFrom(settings, stash.needsCredentials),
      groupCollectionArt: false,
      requestScans: false,
      syncMode: settings.syncMode,
      log: ctx.log,
    };
    const { plexFiles, scenes } = await collectFiles(sync, db);
    const withFiles = scenes.filter((s) => s.files.length > 0).length;
    const exact = exactMatches(scenes, plexFiles, mappings);
    const share = withFiles === 0 ? 1 : exact / withFiles;
    const percent = withFiles === 0 ? 100 : Math.round(share * 100);
    checks.push({
      name: 'paths',
      ok: withFiles > 0 && share >= EXACT_SHARE_OK,
      detail:
        withFiles === 0
          ? 'Stash has no scene with a file yet, so no path can be compared.'
          : `${exact} of ${withFiles} scenes (${percent}%) have a file Plex has at exactly the mapped path.`,
      ...(withFiles > 0 && share >= EXACT_SHARE_OK
        ? {}
        : { fix: withFiles === 0 ? 'Scan your library in Stash, then test again.' : 'Run Detect path mapping (or step 3 of Set up) and save the suggested path mapping; check that Plex has scanned these folders.' }),
    });
    return done({ scenes: withFiles, exact });
  } finally {
    plex.close();
  }
}
