// Catch-up: Stash fires no hook for some changes (merges, play counts, edits
// while the plugin was off). The worker remembers the newest scene
// `updated_at` it has queued and, when it starts and then at an interval,
// queues the scenes updated since. A missed hook becomes a delay, not a loss.
import { type Db, getKv, setKv, sql } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { enqueueMany } from '../queue/operations.ts';
import type { StashClient } from '../stash/client.ts';

export const WATERMARK_KEY = 'catchup_watermark';

export interface CatchUpResult {
  /** True on the very first run: the watermark was set, nothing queued. */
  first: boolean;
  queued: number;
  watermark: string;
}

/**
 * The moment one second earlier, written in the stamp's own zone. Stash's
 * updated_at is local time with whole seconds and its filter is "greater
 * than", so asking from a second before re-includes scenes changed within
 * the watermark's own second (coalescing makes the repeats harmless).
 */
export function secondBefore(stamp: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(.*)$/.exec(stamp.trim());
  if (!m) return stamp;
  const [, y, mo, d, h, mi, s, zone] = m;
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}${zone}`;
}

/** RFC3339 in UTC, whole seconds: what Stash parses as a filter value. */
export function utcStamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function later(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  return !Number.isNaN(ta) && (Number.isNaN(tb) || ta > tb);
}

export async function catchUp(db: Db, stash: StashClient, now = new Date()): Promise<CatchUpResult> {
  const watermark = getKv(db, WATERMARK_KEY);
  if (!watermark) {
    // A first start does not queue the whole library: sync_all is for that.
    const start = utcStamp(now);
    setKv(db, WATERMARK_KEY, start);
    return { first: true, queued: 0, watermark: start };
  }
  const syncedAt = sql(db, 'SELECT scene_updated_at AS at FROM sync_records WHERE scene_id = ?');
  let newest = watermark;
  let queued = 0;
  for await (const stamps of stash.scenesUpdatedSince(secondBefore(watermark))) {
    // A scene already synced at exactly this version (by its hook) needs nothing.
    const stale = stamps.filter((s) => (syncedAt.get(s.id) as { at: string | null } | undefined)?.at !== s.updatedAt);
    if (stale.length > 0) enqueueMany(db, stale.map((s) => ({ kind: 'scene' as const, entityId: s.id })));
    queued += stale.length;
    for (const s of stamps) if (later(s.updatedAt, newest)) newest = s.updatedAt;
  }
  // Only ever forwards, and only to a time Stash itself reported.
  if (newest !== watermark) setKv(db, WATERMARK_KEY, newest);
  return { first: false, queued, watermark: newest };
}

/**
 * For the drain loop: runs a catch-up on the first call and then once per
 * interval (0: only the first). Failures are logged and tried again at the
 * next interval; they never stop the worker.
 */
export function catchUpTicker(db: Db, stash: StashClient, log: Logger, intervalMs: number): () => Promise<void> {
  let lastRun: number | undefined;
  return async () => {
    const now = Date.now();
    if (lastRun !== undefined && (intervalMs <= 0 || now - lastRun < intervalMs)) return;
    lastRun = now;
    try {
      const result = await catchUp(db, stash);
      if (result.first) log.info(`catch-up: watching for scenes changed after ${result.watermark}`);
      else if (result.queued > 0) log.info(`catch-up: queued ${result.queued} scene(s) changed without a hook (up to ${result.watermark})`);
    } catch (err) {
      log.warn(`catch-up failed, will try again later: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
}
