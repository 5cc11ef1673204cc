// The plugin settings, validated once and eagerly. Stash stores unset keys
// as absent, so every optional setting takes its default from
// SETTING_DEFAULTS; anything present but wrong is an error naming the
// setting and the value (never the token's value).
import * as v from 'valibot';
import { PermanentError } from '../errors.ts';
import { registerSecret } from '../log/redact.ts';
import { TITLE_PLACEHOLDERS, unknownPlaceholders } from '../sync/rules.ts';
import { SETTINGS_SPEC } from './settings-spec.ts';

export interface Settings {
  plexUrl: string;
  plexToken: string;
  /** Section titles to search; empty means every movie-type section. */
  plexLibraries: string[];
  /** The raw `pathMap` text; parsed where paths are mapped. */
  pathMapRaw: string;
  plexInsecureTls: boolean;
  plexTimeoutSeconds: number;
  plexConcurrency: number;
  maxAttempts: number;
  dlqRetentionDays: number;
  skipTitle: boolean;
  skipSummary: boolean;
  skipDate: boolean;
  skipStudio: boolean;
  skipPerformers: boolean;
  skipTags: boolean;
  skipDirector: boolean;
  skipRating: boolean;
  skipCollections: boolean;
  skipPoster: boolean;
  titleTemplate: string;
  /** Set on every synced item (edit mode) or sent by the provider; '' leaves Plex's alone. */
  contentRating: string;
  labelTags: string[];
  labelTagParents: string[];
  studioCollections: boolean;
  parentStudioCollections: boolean;
  performerCollections: boolean;
  collectionTags: string[];
  collectionTagParents: string[];
  organizedCollection: string;
  groupCollectionArt: boolean;
  onlyOrganized: boolean;
  onlyWithStashId: boolean;
  excludeTags: string[];
  performerPhotos: boolean;
  noScanRequests: boolean;
  /** edit: write and lock fields; provider: ask Plex to refresh from the provider. */
  syncMode: 'edit' | 'provider';
  /** The service dashboard's address ('' when unset); only the panel uses it. */
  serviceUrl: string;
  importPlays: boolean;
  importRatings: boolean;
  /** Plex account ids whose plays count; empty: the token's own (the server owner's). */
  importAccounts: number[];
}

export type OptionalSettings = Omit<Settings, 'plexUrl' | 'plexToken'>;

export const SETTING_DEFAULTS: Readonly<OptionalSettings> = Object.freeze({
  plexLibraries: [],
  pathMapRaw: '',
  plexInsecureTls: false,
  plexTimeoutSeconds: 30,
  plexConcurrency: 3,
  maxAttempts: 10,
  dlqRetentionDays: 30,
  skipTitle: false,
  skipSummary: false,
  skipDate: false,
  skipStudio: false,
  skipPerformers: false,
  skipTags: false,
  skipDirector: false,
  skipRating: false,
  skipCollections: false,
  skipPoster: false,
  titleTemplate: '',
  contentRating: '',
  labelTags: [],
  labelTagParents: [],
  studioCollections: false,
  parentStudioCollections: false,
  performerCollections: false,
  collectionTags: [],
  collectionTagParents: [],
  organizedCollection: '',
  groupCollectionArt: false,
  onlyOrganized: false,
  onlyWithStashId: false,
  excludeTags: [],
  performerPhotos: false,
  noScanRequests: false,
  syncMode: 'edit',
  serviceUrl: '',
  importPlays: false,
  importRatings: false,
  importAccounts: [],
});

/** Settings whose values must never be echoed in a message. */
const SECRET_KEYS = new Set(['plexToken']);

const text = (what: string) => v.string((issue) => (issue.input === undefined ? `${what} is not set` : `${what} must be text`));

// Stash hands NUMBER settings over as JSON numbers, but values set through
// the API or older UIs can arrive as numeric strings: accept both.
const numberLike = v.union([v.number(), v.pipe(v.string(), v.regex(/^[+-]?\d+(\.\d+)?$/), v.transform(Number))], 'must be a number');

function wholeNumber(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return v.optional(v.pipe(numberLike, v.integer(message), v.minValue(min, message), v.maxValue(max, message)));
}

// BOOLEAN settings likewise arrive as booleans or "true"/"false".
const flag = v.optional(
  v.union([v.boolean(), v.pipe(v.string(), v.toLowerCase(), v.picklist(['true', 'false']), v.transform((s) => s === 'true'))], 'must be true or false'),
);

/** Comma-separated names (tag titles, library titles), trimmed, blanks dropped. */
function nameList(key: string) {
  return v.optional(v.pipe(text(key), v.transform((list) => list.split(',').map((name) => name.trim()).filter((name) => name !== ''))));
}

const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;

function shortText(key: string, max: number) {
  return v.optional(
    v.pipe(text(key), v.maxLength(max, `must be at most ${max} characters`), v.regex(NO_CONTROL_CHARS, 'must be one line without control characters')),
  );
}

const titleTemplate = v.optional(
  v.pipe(
    text('titleTemplate'),
    v.maxLength(500, 'must be at most 500 characters'),
    v.check((t) => unknownPlaceholders(t).length === 0, (issue) => `has unknown placeholders ${unknownPlaceholders(String(issue.input)).map((n) => `{${n}}`).join(' ')} (known: ${TITLE_PLACEHOLDERS.map((n) => `{${n}}`).join(' ')})`),
    v.check((t) => t.includes('{title}'), 'must contain {title}'),
  ),
);

function hasHost(url: string): boolean {
  try {
    return new URL(url).hostname !== '';
  } catch {
    return false;
  }
}

const SettingsSchema = v.object({
  plexUrl: v.pipe(
    text('plexUrl'),
    v.regex(/^https?:\/\//i, 'must start with http:// or https://'),
    v.check(hasHost, 'must name a host, like http://127.0.0.1:32400'),
    // A query string is where a token would end up logged: the token has its own setting.
    v.check((url) => !/[?#]/.test(url), 'must not carry a query string or fragment (the token goes in plexToken)'),
    v.transform((url) => url.replace(/\/+$/, '')),
  ),
  plexToken: v.string((issue) => (issue.input === undefined ? 'is empty' : 'must be text')),
  plexLibraries: v.optional(
    v.pipe(
      text('plexLibraries'),
      v.transform((list) => list.split(',').map((title) => title.trim()).filter((title) => title !== '')),
    ),
  ),
  pathMap: v.optional(text('pathMap')),
  plexInsecureTls: flag,
  plexTimeoutSeconds: wholeNumber(1, 3600),
  plexConcurrency: wholeNumber(1, 8),
  maxAttempts: wholeNumber(1, 100),
  dlqRetentionDays: wholeNumber(1, 3650),
  skipTitle: flag,
  skipSummary: flag,
  skipDate: flag,
  skipStudio: flag,
  skipPerformers: flag,
  skipTags: flag,
  skipDirector: flag,
  skipRating: flag,
  skipCollections: flag,
  skipPoster: flag,
  titleTemplate,
  contentRating: shortText('contentRating', 40),
  labelTags: nameList('labelTags'),
  labelTagParents: nameList('labelTagParents'),
  studioCollections: flag,
  parentStudioCollections: flag,
  performerCollections: flag,
  collectionTags: nameList('collectionTags'),
  collectionTagParents: nameList('collectionTagParents'),
  organizedCollection: shortText('organizedCollection', 200),
  groupCollectionArt: flag,
  onlyOrganized: flag,
  onlyWithStashId: flag,
  excludeTags: nameList('excludeTags'),
  performerPhotos: flag,
  noScanRequests: flag,
  syncMode: v.optional(v.pipe(text('syncMode'), v.toLowerCase(), v.picklist(['edit', 'provider'], 'must be edit or provider'))),
  serviceUrl: v.optional(
    v.pipe(
      text('serviceUrl'),
      v.trim(),
      v.check((url) => url === '' || (/^https?:\/\//i.test(url) && hasHost(url)), 'must be empty or an http(s) address like http://127.0.0.1:9880/'),
    ),
  ),
  importPlays: flag,
  importRatings: flag,
  importAccounts: v.optional(
    v.pipe(
      text('importAccounts'),
      v.transform((list) => list.split(',').map((id) => id.trim()).filter((id) => id !== '')),
      v.check((ids) => ids.every((id) => /^\d{1,12}$/.test(id)), 'must be account numbers separated by commas, like 1, 5012345'),
      v.transform((ids) => [...new Set(ids.map(Number))]),
    ),
  ),
});

/** The setting keys the schema knows, to check against SETTINGS_SPEC. */
export const VALIDATED_KEYS: readonly string[] = Object.keys(SettingsSchema.entries);

/**
 * Unset, null and blank all mean "use the default"; text is trimmed. Every
 * known key is present (maybe undefined) so a missing required setting gets
 * its own message rather than valibot's "invalid key".
 */
function normalise(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key } of SETTINGS_SPEC) {
    const value = typeof raw[key] === 'string' ? (raw[key] as string).trim() : raw[key];
    out[key] = value === null || value === '' ? undefined : value;
  }
  return out;
}

type Parsed = { ok: true; settings: Settings } | { ok: false; problems: string[] };

function check(raw: Record<string, unknown>): Parsed {
  const input = normalise(raw);
  if (typeof input['plexToken'] === 'string') registerSecret(input['plexToken']);
  // One message per setting: the first rule it breaks.
  const result = v.safeParse(SettingsSchema, input, { abortPipeEarly: true });
  if (!result.success) {
    const problems = result.issues.map((issue) => {
      const key = String(issue.path?.[0]?.key ?? 'settings');
      // text() already names the key in "is not set" messages.
      const message = issue.message.startsWith(key) ? issue.message : `${key} ${issue.message}`;
      const value = input[key];
      return value === undefined || SECRET_KEYS.has(key) ? message : `${message}, got ${JSON.stringify(value)}`;
    });
    return { ok: false, problems };
  }
  const { pathMap, plexUrl, plexToken, ...rest } = result.output;
  // The default lists are copied, so no caller can change the shared defaults.
  const defaults = Object.fromEntries(Object.entries(SETTING_DEFAULTS).map(([k, d]) => [k, Array.isArray(d) ? [...(d as unknown[])] : d])) as OptionalSettings;
  const settings: Settings = { ...defaults, plexUrl, plexToken };
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) Object.assign(settings, { [key]: value });
  }
  if (pathMap !== undefined) settings.pathMapRaw = pathMap;
  return { ok: true, settings };
}

/** Validated settings with defaults filled in; throws PermanentError('bad_settings') naming every problem. */
export function parseSettings(raw: Record<string, unknown>): Settings {
  const parsed = check(raw);
  if (!parsed.ok) throw new PermanentError('bad_settings', `PlexSync settings: ${parsed.problems.join('; ')}`);
  return parsed.settings;
}

/** Every problem with the settings as human messages, [] when they are fine. Never throws. */
export function settingsProblems(raw: Record<string, unknown>): string[] {
  const parsed = check(raw);
  return parsed.ok ? [] : parsed.problems;
}
