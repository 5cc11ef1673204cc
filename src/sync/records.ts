// Per scene: which Plex item it synced to, when, and what was written.
import { type Db, sql } from '../db/database.ts';

export interface SyncRecord {
  sceneId: string;
  ratingKey: string;
  sectionId: string | null;
  syncedAt: number;
  stateHash: string | null;
  posterHash: string | null;
  posterUrl: string | null;
  collections: string[];
  /** Labels PlexSync manages on the item (hand-made ones are not here). */
  labels?: string[];
  sceneUpdatedAt: string | null;
  /** Collections the item had before PlexSync first wrote it (hand-made: never removed). */
  handMadeCollections?: string[];
  /** Labels the item had before PlexSync first wrote it (hand-made: never removed). */
  handMadeLabels?: string[];
}

interface Row {
  scene_id: string;
  rating_key: string;
  section_id: string | null;
  synced_at: number;
  state_hash: string | null;
  poster_hash: string | null;
  poster_url: string | null;
  collections: string | null;
  labels: string | null;
  scene_updated_at: string | null;
  hand_made_collections: string | null;
  hand_made_labels: string | null;
}

export function getRecord(db: Db, sceneId: string): SyncRecord | undefined {
  const row = sql(db, 'SELECT * FROM sync_records WHERE scene_id = ?').get(sceneId) as Row | undefined;
  if (!row) return undefined;
  return {
    sceneId: row.scene_id,
    ratingKey: row.rating_key,
    sectionId: row.section_id,
    syncedAt: row.synced_at,
    stateHash: row.state_hash,
    posterHash: row.poster_hash,
    posterUrl: row.poster_url,
    collections: row.collections ? (JSON.parse(row.collections) as string[]) : [],
    labels: row.labels ? (JSON.parse(row.labels) as string[]) : [],
    sceneUpdatedAt: row.scene_updated_at,
    handMadeCollections: row.hand_made_collections ? (JSON.parse(row.hand_made_collections) as string[]) : [],
    handMadeLabels: row.hand_made_labels ? (JSON.parse(row.hand_made_labels) as string[]) : [],
  };
}

export function putRecord(db: Db, r: SyncRecord): void {
  sql(db, 
    `INSERT INTO sync_records (scene_id, rating_key, section_id, synced_at, state_hash, poster_hash, poster_url, collections, labels, scene_updated_at, hand_made_collections, hand_made_labels)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (scene_id) DO UPDATE SET rating_key = excluded.rating_key, section_id = excluded.section_id,
       synced_at = excluded.synced_at, state_hash = excluded.state_hash, poster_hash = excluded.poster_hash,
       poster_url = excluded.poster_url, collections = excluded.collections, labels = excluded.labels, scene_updated_at = excluded.scene_updated_at,
       hand_made_collections = excluded.hand_made_collections, hand_made_labels = excluded.hand_made_labels`,
  ).run(
    r.sceneId,
    r.ratingKey,
    r.sectionId,
    r.syncedAt,
    r.stateHash,
    r.posterHash,
    r.posterUrl,
    JSON.stringify(r.collections),
    JSON.stringify(r.labels ?? []),
    r.sceneUpdatedAt,
    JSON.stringify(r.handMadeCollections ?? []),
    JSON.stringify(r.handMadeLabels ?? []),
  );
}

export function deleteRecord(db: Db, sceneId: string): void {
  sql(db, 'DELETE FROM sync_records WHERE scene_id = ?').run(sceneId);
}

/** Scenes whose sync record names this Plex item. */
export function scenesRecordedFor(db: Db, ratingKey: string): string[] {
  const rows = sql(db, 'SELECT scene_id FROM sync_records WHERE rating_key = ?').all(ratingKey) as { scene_id: string }[];
  return rows.map((r) => r.scene_id);
}
