// Numbered, append-only migrations. `PRAGMA user_version` holds the number of
// migrations applied. Never edit a released entry: add a new one.

export const migrations: readonly string[] = [
  // 1: queue, worker lease, settings-free state, sync records, Plex index.
  `
  CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    job_key          TEXT    NOT NULL,           -- coalescing key, e.g. 'scene:42'
    kind             TEXT    NOT NULL,           -- scene | scene_destroy | performer | studio | tag | group
    entity_id        TEXT    NOT NULL,
    payload          TEXT,                       -- small JSON, readable, never secrets
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'in_progress', 'done', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    events           INTEGER NOT NULL DEFAULT 1, -- hook events folded into this job
    run_at           INTEGER NOT NULL,           -- epoch ms when it is due
    lease            TEXT,                       -- set while in_progress; fences ack/nack
    lease_expires_at INTEGER,
    error_class      TEXT,                       -- TransientError | PermanentError | ...
    error_code       TEXT,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    finished_at      INTEGER                     -- done or dead time
  );
  -- At most one pending job per key: newer events fold into it.
  CREATE UNIQUE INDEX jobs_one_pending_per_key ON jobs (job_key) WHERE status = 'pending';
  CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status = 'pending';
  CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE status = 'in_progress';
  CREATE INDEX jobs_dead ON jobs (finished_at) WHERE status = 'dead';
  CREATE INDEX jobs_done ON jobs (finished_at) WHERE status = 'done';

  CREATE TABLE worker_lease (
    name         TEXT PRIMARY KEY,
    owner        TEXT    NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
  );

  CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );

  CREATE TABLE sync_records (
    scene_id        TEXT PRIMARY KEY,
    rating_key      TEXT    NOT NULL,
    section_id      TEXT,
    synced_at       INTEGER NOT NULL,
    state_hash      TEXT,                        -- hash of the desired state last written
    poster_hash     TEXT,                        -- sha256 of the poster bytes last uploaded
    collections     TEXT,                        -- JSON array of collections PlexSync manages here
    scene_updated_at TEXT
  );
  CREATE INDEX sync_records_rating_key ON sync_records (rating_key);

  CREATE TABLE plex_sections (
    section_id  TEXT PRIMARY KEY,
    title       TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    indexed_at  INTEGER,
    max_updated_at INTEGER,
    item_count  INTEGER
  );

  CREATE TABLE plex_parts (
    file        TEXT    NOT NULL,                -- Part.file exactly as Plex reports it
    rating_key  TEXT    NOT NULL,
    section_id  TEXT    NOT NULL,
    file_key    TEXT    NOT NULL,                -- pathKey(file): Windows paths case- and slash-folded
    basename    TEXT    NOT NULL,                -- lower-cased; the matcher re-checks exactly
    size        INTEGER,
    updated_at  INTEGER,
    PRIMARY KEY (file, rating_key)
  ) WITHOUT ROWID;
  CREATE INDEX plex_parts_file_key ON plex_parts (file_key);
  CREATE INDEX plex_parts_basename ON plex_parts (basename, size);
  CREATE INDEX plex_parts_rating_key ON plex_parts (rating_key);
  `,
  // 2: the screenshot URL last uploaded, so an unchanged cover costs no download.
  `ALTER TABLE sync_records ADD COLUMN poster_url TEXT;`,
  // 3: who holds what. The worker lease names its process precisely enough to
  // tell a dead holder from a live one (pid, start time, pid namespace and
  // boot); a claimed job names the worker lease it was claimed under, so the
  // next worker takes a dead one's jobs over at once. One job per key runs at
  // a time: the claim looks keys up in jobs_running_key.
  `
  ALTER TABLE worker_lease ADD COLUMN pid_start TEXT;
  ALTER TABLE worker_lease ADD COLUMN pid_scope TEXT;
  ALTER TABLE jobs ADD COLUMN owner TEXT;
  CREATE INDEX jobs_running_key ON jobs (job_key) WHERE status = 'in_progress';
  `,
  // 4: path keys are now NFC, and //server shares are Windows paths: index Plex's files again.
  `DELETE FROM plex_parts;
   UPDATE plex_sections SET indexed_at = NULL, max_updated_at = NULL;`,
  // 5: the collections an item had before PlexSync first wrote it: the user's, never removed.
  `ALTER TABLE sync_records ADD COLUMN hand_made_collections TEXT;`,
  // 6: plays imported from Plex. One row per Plex history entry, recorded
  // before anything is sent to Stash, so no play is written twice (see
  // src/plays/ledger.ts for the states), and per scene what PlexSync last
  // took from Plex's item state.
  `
  CREATE TABLE play_imports (
    entry_key   TEXT PRIMARY KEY,                -- Plex historyKey, or account:ratingKey:viewedAt
    account_id  INTEGER NOT NULL,
    rating_key  TEXT    NOT NULL,
    section_id  TEXT,
    viewed_at   INTEGER NOT NULL,                -- epoch seconds, as Plex reports it
    scene_id    TEXT,                            -- set with state 'sending'
    state       TEXT    NOT NULL CHECK (state IN ('waiting', 'sending', 'done')),
    updated_at  INTEGER NOT NULL
  );
  CREATE INDEX play_imports_open ON play_imports (rating_key) WHERE state <> 'done';
  CREATE INDEX play_imports_scene ON play_imports (scene_id, viewed_at) WHERE state = 'done';

  CREATE TABLE play_state_imports (
    scene_id          TEXT PRIMARY KEY,
    view_offset_ms    INTEGER,                   -- the Plex viewOffset last written as resume_time
    agreed_rating100  INTEGER,                   -- the rating both sides last showed
    written_rating100 INTEGER,                   -- the rating100 PlexSync last wrote into Stash
    rating_written_at INTEGER                    -- when (epoch ms): the hook recognises its echo
  );
  `,
  // 7: labels PlexSync manages per item, and those the item had before PlexSync
  // first wrote it (the user's, never removed); what was last sent to each
  // group's Plex collection.
  `ALTER TABLE sync_records ADD COLUMN labels TEXT;
  ALTER TABLE sync_records ADD COLUMN hand_made_labels TEXT;
  CREATE TABLE collection_art (
    section_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    summary_hash TEXT,                           -- sha256 of the summary last sent
    poster_url   TEXT,                           -- the cover URL last fetched (carries Stash's change stamp)
    poster_hash  TEXT,                           -- sha256 of the poster bytes last uploaded
    PRIMARY KEY (section_id, name)
  );`,
];
