// The fake Stash's data and its findScenes semantics: an in-memory library
// of scenes and the objects they show, shaped for graphql-js resolvers.

export interface FakeSceneInput {
  id?: string;
  title?: string | null;
  code?: string | null;
  details?: string | null;
  director?: string | null;
  /** YYYY-MM-DD */
  date?: string | null;
  rating100?: number | null;
  organized?: boolean;
  studioId?: string | null;
  performerIds?: string[];
  tagIds?: string[];
  groupIds?: string[];
  /** duration: seconds (Stash's VideoFile.duration); default 0. */
  files?: { path: string; size: number; duration?: number }[];
  stashIds?: { endpoint: string; stash_id: string }[];
}

export type FakeScene = Required<FakeSceneInput> & {
  createdAt: Date;
  updatedAt: Date;
  /** Play state (Stash's scenes_view_dates and resume columns). */
  playHistory: Date[];
  resumeTime: number | null;
  playDuration: number;
};
export type RelatedKind = 'performer' | 'studio' | 'tag' | 'group';

/** Stash's Time scalar: RFC3339 in the server's local zone, whole seconds (Go's time.RFC3339). */
export function stashTime(date: Date): string {
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${zone}`;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

type Criterion = { value?: unknown; value2?: unknown; modifier: string; depth?: number | null; excludes?: unknown };

/**
 * Stash's string criteria on a column: EQUALS and NOT_EQUALS are SQL LIKE
 * without added wildcards (so case-folded, and `_`/`%` in the value are
 * wildcards: Stash's stringCriterionHandler), INCLUDES adds `%` both sides.
 */
const likeCache = new Map<string, RegExp>();

function matchesString(have: readonly string[], criterion: Criterion, name: string): boolean {
  const value = String(criterion.value ?? '');
  const like = (pattern: string) => {
    const cached = likeCache.get(pattern);
    if (cached) return cached;
    const re = new RegExp(`^${[...pattern].map((ch) => (ch === '%' ? '.*' : ch === '_' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))).join('')}$`, 'is');
    if (likeCache.size > 1000) likeCache.clear();
    likeCache.set(pattern, re);
    return re;
  };
  switch (criterion.modifier) {
    case 'EQUALS':
      return have.some((h) => like(value).test(h));
    case 'NOT_EQUALS':
      return !have.some((h) => like(value).test(h));
    case 'INCLUDES':
      return have.some((h) => like(`%${value}%`).test(h));
    default:
      throw new Error(`fake Stash does not implement modifier ${criterion.modifier} for ${name}`);
  }
}

/** Stash's list criteria: INCLUDES any, INCLUDES_ALL, EXCLUDES. */
function matchesList(have: string[], criterion: Criterion, name: string): boolean {
  if (criterion.depth) throw new Error(`fake Stash does not implement scene_filter.${name}.depth`);
  if (criterion.excludes) throw new Error(`fake Stash does not implement scene_filter.${name}.excludes`);
  const wanted = (criterion.value as string[] | null | undefined) ?? [];
  switch (criterion.modifier) {
    case 'INCLUDES':
      return wanted.some((id) => have.includes(id));
    case 'INCLUDES_ALL':
      return wanted.every((id) => have.includes(id));
    case 'EXCLUDES':
      return !wanted.some((id) => have.includes(id));
    default:
      throw new Error(`fake Stash does not implement modifier ${criterion.modifier} for scene_filter.${name}`);
  }
}

function compare(have: number, criterion: Criterion, name: string, parse: (v: unknown) => number): boolean {
  const value = parse(criterion.value);
  switch (criterion.modifier) {
    case 'GREATER_THAN':
      return have > value;
    case 'LESS_THAN':
      return have < value;
    case 'EQUALS':
      return have === value;
    default:
      throw new Error(`fake Stash does not implement modifier ${criterion.modifier} for scene_filter.${name}`);
  }
}

// Stash turns the timestamp into local time and compares whole seconds.
function timestampSeconds(value: unknown): number {
  const ms = Date.parse(String(value));
  if (Number.isNaN(ms)) throw new Error(`fake Stash cannot parse timestamp ${JSON.stringify(value)}`);
  return Math.floor(ms / 1000);
}

export class FakeStore {
  readonly scenes = new Map<string, FakeScene>();
  readonly names: Record<RelatedKind, Map<string, string>> = { performer: new Map(), studio: new Map(), tag: new Map(), group: new Map() };
  /** When each performer/studio/tag/group was last changed (its own updated_at). */
  readonly relatedUpdatedAt: Record<RelatedKind, Map<string, Date>> = { performer: new Map(), studio: new Map(), tag: new Map(), group: new Map() };
  settings: Record<string, Record<string, unknown>> = {};
  readonly screenshots = new Map<string, { bytes: Uint8Array; contentType: string }>();
  /** Studio id -> parent studio id; tag id -> parent tag ids. */
  readonly studioParents = new Map<string, string>();
  readonly tagParents = new Map<string, string[]>();
  /** Images by `performer:<id>` / `group:<id>`, with a stamp that moves on each change (Stash's `?t=`). */
  readonly images = new Map<string, { bytes: Uint8Array; contentType: string; stamp: number }>();
  readonly synopses = new Map<string, string>();
  #nextId = 1;
  readonly #now: () => Date;

  constructor(now: () => Date) {
    this.#now = now;
  }

  addRelated(kind: RelatedKind, name: string, id?: string): string {
    const key = id ?? String(this.#nextId++);
    this.names[kind].set(key, name);
    this.relatedUpdatedAt[kind].set(key, this.#now());
    return key;
  }

  rename(kind: RelatedKind, id: string, name: string): void {
    if (!this.names[kind].has(id)) throw new Error(`no ${kind} ${id}`);
    // Renaming does not touch the scenes' updated_at in Stash either, only the object's own.
    this.names[kind].set(id, name);
    this.relatedUpdatedAt[kind].set(id, this.#now());
  }

  addScene(input: FakeSceneInput): string {
    const id = input.id ?? String(this.#nextId++);
    const now = this.#now();
    this.scenes.set(id, {
      id,
      title: input.title ?? null,
      code: input.code ?? null,
      details: input.details ?? null,
      director: input.director ?? null,
      date: input.date ?? null,
      rating100: input.rating100 ?? null,
      organized: input.organized ?? false,
      studioId: input.studioId ?? null,
      performerIds: input.performerIds ?? [],
      tagIds: input.tagIds ?? [],
      groupIds: input.groupIds ?? [],
      files: input.files ?? [],
      stashIds: input.stashIds ?? [],
      createdAt: now,
      updatedAt: now,
      playHistory: [],
      resumeTime: null,
      playDuration: 0,
    });
    return id;
  }

  updateScene(id: string, patch: Omit<FakeSceneInput, 'id'>): void {
    const scene = this.scenes.get(id);
    if (!scene) throw new Error(`no scene ${id}`);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    this.scenes.set(id, { ...scene, ...defined, updatedAt: this.#now() });
  }

  /**
   * sceneAddPlay: one play per time, now when none is given. Stash's
   * Timestamp input is RFC3339 (or a relative "<4h", not needed here).
   * Plays live in their own table: the scene's updated_at stays.
   */
  addPlays(id: string, times: string[] | null | undefined): { count: number; history: string[] } {
    const scene = this.scenes.get(id);
    if (!scene) throw new Error(`scene with id ${id} not found`);
    const dates = (times ?? [null]).map((t) => {
      if (t === null) return this.#now();
      const ms = Date.parse(t);
      if (Number.isNaN(ms)) throw new Error(`invalid timestamp ${JSON.stringify(t)}`);
      return new Date(Math.floor(ms / 1000) * 1000);
    });
    scene.playHistory.push(...dates);
    return { count: scene.playHistory.length, history: scene.playHistory.map(stashTime) };
  }

  #matches(scene: FakeScene, filter: Record<string, Criterion | null>): boolean {
    for (const [name, criterion] of Object.entries(filter)) {
      if (criterion == null) continue;
      const ok = (() => {
        switch (name) {
          case 'performers':
            return matchesList(scene.performerIds, criterion, name);
          case 'tags':
            return matchesList(scene.tagIds, criterion, name);
          case 'groups':
            return matchesList(scene.groupIds, criterion, name);
          case 'studios':
            return matchesList(scene.studioId ? [scene.studioId] : [], criterion, name);
          case 'updated_at':
            return compare(seconds(scene.updatedAt), criterion, name, timestampSeconds);
          case 'id':
            return compare(Number(scene.id), criterion, name, Number);
          case 'title':
            return matchesString(scene.title === null ? [] : [scene.title], criterion, name);
          // Stash's path criterion: SQL LIKE over each file's full path (folder + basename).
          case 'path':
            return matchesString(scene.files.map((f) => f.path), criterion, name);
          case 'files_filter':
            return this.#matchesFiles(scene, criterion as unknown as Record<string, Criterion | null>);
          default:
            throw new Error(`fake Stash does not implement scene_filter.${name}`);
        }
      })();
      if (!ok) return false;
    }
    return true;
  }

  #matchesFiles(scene: FakeScene, filter: Record<string, Criterion | null>): boolean {
    return scene.files.some((file) =>
      Object.entries(filter).every(([name, criterion]) => {
        if (criterion == null) return true;
        const basename = file.path.split(/[\\/]/).pop() ?? '';
        if (name === 'basename') return matchesString([basename], criterion, `files_filter.${name}`);
        if (name === 'path') return matchesString([file.path], criterion, `files_filter.${name}`);
        throw new Error(`fake Stash does not implement scene_filter.files_filter.${name}`);
      }),
    );
  }

  /** findScenes: filter, sort by id (or updated_at), then page (1-based; per_page -1 = all, default 25). */
  findScenes(args: { filter?: Record<string, unknown> | null; scene_filter?: Record<string, Criterion | null> | null; ids?: string[] | null }): { count: number; scenes: FakeScene[] } {
    // Stash's q searches title, details, code and file paths, case-insensitively.
    const q = typeof args.filter?.['q'] === 'string' ? (args.filter['q'] as string).toLowerCase() : '';
    const matching = [...this.scenes.values()]
      .filter((s) => (args.ids ? args.ids.includes(s.id) : true))
      .filter((s) => q === '' || [s.title, s.details, s.code, ...s.files.map((f) => f.path)].some((v) => v?.toLowerCase().includes(q)))
      .filter((s) => this.#matches(s, args.scene_filter ?? {}));
    const { count, items } = sortAndPage(matching, args.filter ?? {});
    return { count, scenes: items };
  }

  /** findPerformers / findStudios / findTags / findGroups: only the updated_at criterion is implemented. */
  findRelated(kind: RelatedKind, args: { filter?: Record<string, unknown> | null; ids?: string[] | null } & Record<string, unknown>): { count: number; items: { id: string; name: string; updatedAt: Date }[] } {
    const filterArg = (args[`${kind}_filter`] as Record<string, Criterion | null> | null | undefined) ?? {};
    const all = [...this.names[kind].entries()].map(([id, name]) => ({ id, name, updatedAt: this.relatedUpdatedAt[kind].get(id) ?? new Date(0) }));
    const matching = all
      .filter((o) => (args.ids ? args.ids.includes(o.id) : true))
      .filter((o) =>
        Object.entries(filterArg).every(([name, criterion]) => {
          if (criterion == null) return true;
          if (name !== 'updated_at') throw new Error(`fake Stash does not implement ${kind}_filter.${name}`);
          return compare(seconds(o.updatedAt), criterion, name, timestampSeconds);
        }),
      );
    return sortAndPage(matching, args.filter ?? {});
  }
}

/** Stash's FindFilterType over id or updated_at (then id); per_page -1 = all, default 25. */
function sortAndPage<T extends { id: string; updatedAt: Date }>(items: T[], filter: Record<string, unknown>): { count: number; items: T[] } {
  const sort = filter['sort'] ?? 'id';
  if (sort !== 'id' && sort !== 'updated_at') throw new Error(`fake Stash only sorts by id or updated_at, got ${JSON.stringify(sort)}`);
  const descending = filter['direction'] === 'DESC';
  const key = (o: T) => (sort === 'id' ? Number(o.id) : seconds(o.updatedAt));
  const all = [...items].sort((a, b) => (key(a) - key(b) || Number(a.id) - Number(b.id)) * (descending ? -1 : 1));
  const perPage = typeof filter['per_page'] === 'number' ? filter['per_page'] : 25;
  if (perPage < 0) return { count: all.length, items: all };
  const page = Math.max(1, typeof filter['page'] === 'number' ? filter['page'] : 1);
  return { count: all.length, items: all.slice((page - 1) * perPage, page * perPage) };
}
