// The record of plays taken from Plex. Every Plex history entry gets a row the
// moment it is seen, and moves waiting -> sending -> done:
//
// - waiting: seen in Plex, not yet written (its item may not be matched yet);
// - sending: about to be written to this scene. Committed BEFORE the
//   mutation goes to Stash, so a crash leaves it here, never lost;
// - done: in Stash. Committed after Stash answered.
//
// A row found in `sending` at the next run may or may not have reached
// Stash: the importer then looks at the scene's play_history and only sends
// the plays Stash does not show (importer.ts). So a crash at any moment
// writes each play at most once, and a later run writes it at least once.
import { type Db, getKv, setKv, sql, transaction } from '../db/database.ts';
import type { PlayEntry } from './model.ts';

export interface OpenPlay extends PlayEntry {
  state: 'waiting' | 'sending';
  sceneId: string | null;
}

/** Records entries not seen before; returns how many were new. */
export function recordEntries(db: Db, entries: readonly PlayEntry[], now = Date.now()): number {
  if (entries.length === 0) return 0;
  return transaction(db, () => {
    const insert = sql(
      db,
      `INSERT INTO play_imports (entry_key, account_id, rating_key, section_id, viewed_at, state, updated_at)
       VALUES (?, ?, ?, ?, ?, 'waiting', ?) ON CONFLICT (entry_key) DO NOTHING`,
    );
    let added = 0;
    for (const e of entries) added += Number(insert.run(e.key, e.accountId, e.ratingKey, e.sectionId, e.viewedAt, now).changes);
    return added;
  });
}

/** Plays not yet in Stash whose Plex item is matched to a scene, with that scene. */
export function openPlaysOfMatchedItems(db: Db): (OpenPlay & { matchedSceneId: string })[] {
  const rows = sql(
    db,
    `SELECT p.entry_key, p.account_id, p.rating_key, p.section_id, p.viewed_at, p.state, p.scene_id, r.scene_id AS matched
       FROM play_imports p JOIN sync_records r ON r.rating_key = p.rating_key
      WHERE p.state <> 'done' ORDER BY p.viewed_at, p.entry_key`,
  ).all() as {
    entry_key: string;
    account_id: number;
    rating_key: string;
    section_id: string | null;
    viewed_at: number;
    state: 'waiting' | 'sending';
    scene_id: string | null;
    matched: string;
  }[];
  return rows.map((r) => ({
    key: r.entry_key,
    accountId: r.account_id,
    ratingKey: r.rating_key,
    sectionId: r.section_id,
    viewedAt: r.viewed_at,
    state: r.state,
    sceneId: r.scene_id,
    matchedSceneId: r.matched,
  }));
}

/** Plays seen whose item no scene is matched to (yet). */
export function unmatchedCount(db: Db): number {
  const row = sql(
    db,
    `SELECT count(*) AS n FROM play_imports p WHERE p.state = 'waiting'
        AND NOT EXISTS (SELECT 1 FROM sync_records r WHERE r.rating_key = p.rating_key)`,
  ).get() as { n: number };
  return row.n;
}

/** The intent: these plays are about to be written to this scene. */
export function markSending(db: Db, sceneId: string, keys: readonly string[], now = Date.now()): void {
  transaction(db, () => {
    const update = sql(db, `UPDATE play_imports SET state = 'sending', scene_id = ?, updated_at = ? WHERE entry_key = ? AND state <> 'done'`);
    for (const key of keys) update.run(sceneId, now, key);
  });
}

export function markDone(db: Db, sceneId: string, keys: readonly string[], now = Date.now()): void {
  transaction(db, () => {
    const update = sql(db, `UPDATE play_imports SET state = 'done', scene_id = ?, updated_at = ? WHERE entry_key = ?`);
    for (const key of keys) update.run(sceneId, now, key);
  });
}

/** Epoch seconds of this scene's plays already written, for telling them from Stash's own. */
export function donePlaySeconds(db: Db, sceneId: string): number[] {
  const rows = sql(db, `SELECT viewed_at FROM play_imports WHERE scene_id = ? AND state = 'done'`).all(sceneId) as { viewed_at: number }[];
  return rows.map((r) => r.viewed_at);
}

// Per account and section: the newest viewedAt seen. Each run asks from a
// margin before it (plays Plex files late, clocks); rows make repeats harmless.
const watermarkKey = (accountId: number, sectionId: string) => `plays_watermark:${accountId}:${sectionId}`;

export function getWatermark(db: Db, accountId: number, sectionId: string): number | undefined {
  const value = getKv(db, watermarkKey(accountId, sectionId));
  return value === undefined ? undefined : Number(value);
}

export function setWatermark(db: Db, accountId: number, sectionId: string, viewedAt: number): void {
  const current = getWatermark(db, accountId, sectionId);
  if (current === undefined || viewedAt > current) setKv(db, watermarkKey(accountId, sectionId), String(viewedAt));
}

export interface PlayState {
  viewOffsetMs: number | null;
  agreedRating100: number | null;
  writtenRating100: number | null;
  ratingWrittenAt: number | null;
}

export function getPlayState(db: Db, sceneId: string): PlayState | undefined {
  const row = sql(db, 'SELECT * FROM play_state_imports WHERE scene_id = ?').get(sceneId) as
    | { view_offset_ms: number | null; agreed_rating100: number | null; written_rating100: number | null; rating_written_at: number | null }
    | undefined;
  return (
    row && {
      viewOffsetMs: row.view_offset_ms,
      agreedRating100: row.agreed_rating100,
      writtenRating100: row.written_rating100,
      ratingWrittenAt: row.rating_written_at,
    }
  );
}

export function setViewOffset(db: Db, sceneId: string, ms: number): void {
  sql(
    db,
    `INSERT INTO play_state_imports (scene_id, view_offset_ms) VALUES (?, ?)
     ON CONFLICT (scene_id) DO UPDATE SET view_offset_ms = excluded.view_offset_ms`,
  ).run(sceneId, ms);
}

export function setAgreedRating(db: Db, sceneId: string, rating100: number): void {
  sql(
    db,
    `INSERT INTO play_state_imports (scene_id, agreed_rating100) VALUES (?, ?)
     ON CONFLICT (scene_id) DO UPDATE SET agreed_rating100 = excluded.agreed_rating100`,
  ).run(sceneId, rating100);
}

/**
 * Before PlexSync writes a rating into Stash: Stash runs the Scene.Update.Post
 * hook while the mutation is in flight, so the hook must find this committed.
 * The agreed rating moves only once Stash has taken the write (setAgreedRating):
 * a write that failed must not look like a change made in Stash.
 */
export function noteRatingWrite(db: Db, sceneId: string, rating100: number, now = Date.now()): void {
  sql(
    db,
    `INSERT INTO play_state_imports (scene_id, written_rating100, rating_written_at) VALUES (?, ?, ?)
     ON CONFLICT (scene_id) DO UPDATE SET written_rating100 = excluded.written_rating100, rating_written_at = excluded.rating_written_at`,
  ).run(sceneId, rating100, now);
}

// One importer at a time (a task, a worker's start, the service's timer):
// two at once could both send the same play. A row in worker_lease under its
// own name, renewed while the import runs.
const LEASE_NAME = 'import_plays';

export function acquireImportLease(db: Db, owner: string, leaseMs: number, now = Date.now()): boolean {
  const changes = sql(
    db,
    `INSERT INTO worker_lease (name, owner, pid, started_at, expires_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, started_at = excluded.started_at, expires_at = excluded.expires_at
     WHERE worker_lease.owner = excluded.owner OR worker_lease.expires_at <= ?`,
  ).run(LEASE_NAME, owner, process.pid, now, now + leaseMs, now).changes;
  return Number(changes) === 1;
}

export function importLeaseExpiresAt(db: Db): number | undefined {
  const row = sql(db, 'SELECT expires_at FROM worker_lease WHERE name = ?').get(LEASE_NAME) as { expires_at: number } | undefined;
  return row?.expires_at;
}

export function releaseImportLease(db: Db, owner: string): void {
  sql(db, 'DELETE FROM worker_lease WHERE name = ? AND owner = ?').run(LEASE_NAME, owner);
}
