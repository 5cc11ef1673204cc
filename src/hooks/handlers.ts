// Hook invocations: decide whether the event needs a sync, record it, return.
// Runs on Stash's save path, so it touches only SQLite: never Plex, never Stash.
import type { Db } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { dropPending, enqueue } from '../queue/operations.ts';
import type { JobKind } from '../queue/types.ts';
import { isImportedRatingEcho } from '../plays/echo.ts';

export interface HookContext {
  id: string;
  type: string;
  input: unknown;
  inputFields?: readonly string[] | undefined;
}

export interface HookResult {
  hook: string;
  id: string;
  queued: boolean;
  coalesced?: boolean;
  reason: string;
}

/** Scene input keys whose change shows in Plex (or may, via the file). */
const SCENE_SYNC_FIELDS = new Set([
  'title',
  'code',
  'details',
  'director',
  'date',
  'url',
  'urls',
  'rating',
  'rating100',
  'studio_id',
  'performer_ids',
  'tag_ids',
  'group_ids',
  'movies',
  'groups',
  'movie_ids',
  'cover_image',
  'organized',
  'primary_file_id',
  'stash_ids',
]);

/** Keys present in every update input that say nothing by themselves. */
// Stryker disable next-line ArrayDeclaration,StringLiteral: equivalent, no sync field set holds these keys; the set says so
const IGNORED_KEYS = new Set(['id', 'ids', 'clientMutationId']);

const ENTITY_HOOKS: Record<string, JobKind> = {
  'Performer.Update.Post': 'performer',
  'Studio.Update.Post': 'studio',
  'Tag.Update.Post': 'tag',
  'Group.Update.Post': 'group',
  'Movie.Update.Post': 'group',
};

/**
 * Fields of a performer, studio, tag or group whose change shows in Plex:
 * the name always; with the metadata rules also a performer's image (actor
 * photo), a studio's or tag's parents (parent-studio collections, tag rules)
 * and a group's cover and synopsis (its collection's poster and summary).
 */
const ENTITY_SYNC_FIELDS: Record<string, ReadonlySet<string>> = {
  performer: new Set(['name', 'image']),
  studio: new Set(['name', 'parent_id']),
  tag: new Set(['name', 'parent_ids']),
  group: new Set(['name', 'synopsis', 'front_image']),
};

function sentKeys(ctx: HookContext): string[] | undefined {
  if (ctx.inputFields && ctx.inputFields.length > 0) return [...ctx.inputFields];
  if (ctx.input && typeof ctx.input === 'object' && !Array.isArray(ctx.input)) {
    // Without inputFields, a key counts as sent when its value is not null.
    return Object.entries(ctx.input as Record<string, unknown>)
      .filter(([, value]) => value !== null && value !== undefined)
      .map(([key]) => key);
  }
  return undefined;
}

export function requiresPlexSync(ctx: HookContext): boolean {
  if (ctx.type === 'Scene.Destroy.Post') return true;
  if (ctx.type === 'Scene.Create.Post') return true;
  const entity = ENTITY_HOOKS[ctx.type];
  if (ctx.type !== 'Scene.Update.Post' && !entity) return false;
  // A null input on Update means a scan added or changed a file.
  if (ctx.input === null || ctx.input === undefined) return ctx.type === 'Scene.Update.Post';
  // scenesUpdate sends the whole array: we cannot tell which keys were ours.
  if (Array.isArray(ctx.input)) return true;
  const keys = sentKeys(ctx);
  if (!keys) return true;
  const relevant = entity ? ENTITY_SYNC_FIELDS[entity]! : SCENE_SYNC_FIELDS;
  return keys.some((key) => !IGNORED_KEYS.has(key) && relevant.has(key));
}

export function onSceneUpdate(db: Db, ctx: HookContext, log: Logger): HookResult {
  // hrtime, not performance.now(): the global `performance` loads perf_hooks, a dozen modules.
  const started = process.hrtime.bigint();
  const result = recordHook(db, ctx);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (elapsed > 100) log.warn(`hook ${ctx.type} for ${ctx.id} took ${elapsed.toFixed(0)} ms to record`);
  log.debug(`${ctx.type} ${ctx.id}: ${result.reason} (${elapsed.toFixed(2)} ms)`);
  return result;
}

function recordHook(db: Db, ctx: HookContext): HookResult {
  const base = { hook: ctx.type, id: ctx.id };
  if (!requiresPlexSync(ctx)) return { ...base, queued: false, reason: 'no field shown in Plex changed' };
  if (isImportedRatingEcho(db, ctx.type, ctx.id, ctx.input, sentKeys(ctx))) {
    return { ...base, queued: false, reason: 'rating taken from Plex: nothing to send back' };
  }

  if (ctx.type === 'Scene.Destroy.Post') {
    const input = (ctx.input ?? {}) as Record<string, unknown>;
    dropPending(db, 'scene', ctx.id);
    const payload = { path: typeof input.path === 'string' ? input.path : null, deleteFile: input.delete_file === true };
    const { coalesced } = enqueue(db, { kind: 'scene_destroy', entityId: ctx.id, payload });
    return { ...base, queued: true, coalesced, reason: 'scene deleted' };
  }
  const kind = ENTITY_HOOKS[ctx.type] ?? 'scene';
  const { coalesced } = enqueue(db, { kind, entityId: ctx.id });
  const reason = kind === 'scene' ? 'scene changed' : `${kind} renamed: its scenes will follow`;
  return { ...base, queued: true, coalesced, reason };
}
