// Which Plex item plays which file: a SQLite index of `Part.file` paths for
// the searched sections, built by paging each section once, then kept fresh
// incrementally (newest `updatedAt` first, stopping at what we have seen).
import type { Db } from '../db/database.ts';
import { transaction, sql } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import type { PlexClient, PlexSection } from '../plex/client.ts';
import type { PlexMetadata } from '../plex/wire.ts';
import type { Candidate } from './decide.ts';
import { basenameKey, basenameOf, pathKey } from './pathmap.ts';

export interface LibraryIndexOptions {
  /** Section titles to search; empty: every section of type movie. */
  libraries: readonly string[];
  pageSize?: number;
  log: Logger;
}

interface SectionRow {
  section_id: string;
  title: string;
  indexed_at: number | null;
  max_updated_at: number | null;
}

const DEFAULT_PAGE_SIZE = 1000;
/** An incremental refresh is cheap, but a burst of misses should not repeat it. */
const MIN_REFRESH_INTERVAL_MS = 2_000;

export class LibraryIndex {
  readonly #db: Db;
  readonly #plex: PlexClient;
  readonly #o: LibraryIndexOptions;
  #sections: PlexSection[] | undefined;
  #lastRefreshAt = 0;
  #refreshing: Promise<void> | undefined;
  /** One build or refresh at a time per section: lanes asking meanwhile share it. */
  readonly #indexing = new Map<string, Promise<void>>();

  constructor(db: Db, plex: PlexClient, options: LibraryIndexOptions) {
    this.#db = db;
    this.#plex = plex;
    this.#o = options;
  }

  /** The sections PlexSync searches, read once per process. */
  async sections(signal?: AbortSignal): Promise<PlexSection[]> {
    if (this.#sections) return this.#sections;
    const all = await this.#plex.sections(signal);
    const wanted = this.#o.libraries;
    const chosen =
      wanted.length === 0
        ? all.filter((s) => s.type === 'movie')
        : all.filter((s) => wanted.some((w) => w.toLowerCase() === s.title.toLowerCase()));
    if (wanted.length > 0) {
      const missing = wanted.filter((w) => !all.some((s) => s.title.toLowerCase() === w.toLowerCase()));
      if (missing.length > 0) this.#o.log.warn(`plexLibraries names unknown Plex libraries: ${missing.join(', ')}`);
    }
    this.#sections = chosen;
    return chosen;
  }

  byPath(file: string): Candidate[] {
    return this.#candidates('SELECT rating_key, section_id, file, size FROM plex_parts WHERE file_key = ?', pathKey(file));
  }

  byBasename(basename: string): Candidate[] {
    return this.#candidates('SELECT rating_key, section_id, file, size FROM plex_parts WHERE basename = ?', basenameKey(basename));
  }

  #candidates(query: string, value: string): Candidate[] {
    const rows = sql(this.#db, query).all(value) as { rating_key: string; section_id: string; file: string; size: number | null }[];
    return rows.map((r) => ({ ratingKey: r.rating_key, sectionId: r.section_id, file: r.file, size: r.size }));
  }

  /** Builds the index for sections never indexed. */
  async ensureBuilt(signal?: AbortSignal): Promise<void> {
    for (const section of await this.sections(signal)) {
      if (this.#sectionRow(section.id)?.indexed_at == null) await this.#indexOnce(section, 'full', signal);
    }
  }

  /**
   * Picks up items added or changed since the last look. Shared by concurrent
   * callers; a burst of first-time misses (a bulk edit of unscanned files)
   * shares one look, while a retry (`force`) always looks again.
   */
  async refresh(signal?: AbortSignal, options: { force?: boolean } = {}): Promise<void> {
    if (this.#refreshing) return this.#refreshing;
    if (!options.force && Date.now() - this.#lastRefreshAt < MIN_REFRESH_INTERVAL_MS) return;
    this.#refreshing = (async () => {
      try {
        for (const section of await this.sections(signal)) {
          const row = this.#sectionRow(section.id);
          await this.#indexOnce(section, row?.indexed_at == null ? 'full' : 'incremental', signal);
        }
      } finally {
        this.#lastRefreshAt = Date.now();
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Forget an item (it vanished from Plex, or its files changed under us). */
  forget(ratingKey: string): void {
    sql(this.#db, 'DELETE FROM plex_parts WHERE rating_key = ?').run(ratingKey);
  }

  /** Re-records one item from its full metadata (after reading it anyway). */
  remember(item: PlexMetadata, sectionId: string): void {
    transaction(this.#db, () => this.#store(item, sectionId));
  }

  #sectionRow(sectionId: string): SectionRow | undefined {
    return sql(this.#db, 'SELECT * FROM plex_sections WHERE section_id = ?').get(sectionId) as SectionRow | undefined;
  }

  /**
   * Joins the section's build in flight, if any (it brings the same rows:
   * a full build started meanwhile covers an incremental look too), else
   * starts one.
   */
  #indexOnce(section: PlexSection, mode: 'full' | 'incremental', signal?: AbortSignal): Promise<void> {
    const running = this.#indexing.get(section.id);
    if (running) return running;
    const build = this.#indexSection(section, mode, signal).finally(() => this.#indexing.delete(section.id));
    this.#indexing.set(section.id, build);
    return build;
  }

  /**
   * A full build replaces rows item by item as pages arrive, then drops the
   * items no page showed: readers see the old rows until the new ones are in,
   * never an emptied section.
   */
  async #indexSection(section: PlexSection, mode: 'full' | 'incremental', signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const pageSize = this.#o.pageSize ?? DEFAULT_PAGE_SIZE;
    const known = this.#sectionRow(section.id)?.max_updated_at ?? 0;
    let maxUpdatedAt = mode === 'full' ? 0 : known;
    let seen = 0;
    const listed = new Set<string>();
    for (let start = 0; ; start += pageSize) {
      const page = await this.#plex.listSectionPage(section.id, start, pageSize, signal, mode === 'incremental' ? 'updatedAt:desc' : undefined);
      let reachedKnown = false;
      transaction(this.#db, () => {
        for (const item of page.items) {
          const updatedAt = item.updatedAt ?? 0;
          // Newest first: everything past this point was indexed already.
          if (mode === 'incremental' && updatedAt < known) {
            reachedKnown = true;
            break;
          }
          this.#store(item, section.id);
          listed.add(String(item.ratingKey));
          maxUpdatedAt = Math.max(maxUpdatedAt, updatedAt);
          seen++;
        }
      });
      if (reachedKnown || page.items.length < pageSize || start + pageSize >= page.totalSize) break;
    }
    if (mode === 'full') this.#dropUnlisted(section.id, listed);
    sql(this.#db, `INSERT INTO plex_sections (section_id, title, type, indexed_at, max_updated_at, item_count)
         VALUES (?, ?, ?, ?, ?, (SELECT count(DISTINCT rating_key) FROM plex_parts WHERE section_id = ?))
         ON CONFLICT (section_id) DO UPDATE SET title = excluded.title, indexed_at = excluded.indexed_at,
           max_updated_at = excluded.max_updated_at, item_count = excluded.item_count`)
      .run(section.id, section.title, section.type, Date.now(), maxUpdatedAt, section.id);
    this.#o.log.debug(`indexed ${seen} item(s) of Plex library "${section.title}" (${mode}) in ${Date.now() - started} ms`);
  }

  /** After a full build: the section's items that no page listed are gone from Plex. */
  #dropUnlisted(sectionId: string, listed: ReadonlySet<string>): void {
    transaction(this.#db, () => {
      const rows = sql(this.#db, 'SELECT DISTINCT rating_key FROM plex_parts WHERE section_id = ?').all(sectionId) as { rating_key: string }[];
      const drop = sql(this.#db, 'DELETE FROM plex_parts WHERE rating_key = ? AND section_id = ?');
      for (const { rating_key } of rows) if (!listed.has(rating_key)) drop.run(rating_key, sectionId);
    });
  }

  #store(item: PlexMetadata, sectionId: string): void {
    sql(this.#db, 'DELETE FROM plex_parts WHERE rating_key = ?').run(item.ratingKey);
    const insert = sql(this.#db, 
      `INSERT OR REPLACE INTO plex_parts (file, rating_key, section_id, file_key, basename, size, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // Stryker disable next-line ArrayDeclaration: a stand-in string element has no Part, so it adds nothing
    for (const media of item.Media ?? []) {
      // Stryker disable next-line ArrayDeclaration: a stand-in string element has no file, so it is skipped
      for (const part of media.Part ?? []) {
        if (!part.file) continue;
        const basename = basenameKey(basenameOf(part.file));
        insert.run(part.file, item.ratingKey, sectionId, pathKey(part.file), basename, part.size ?? null, item.updatedAt ?? null);
      }
    }
  }
}
