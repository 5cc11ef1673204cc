import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSettings, SETTING_DEFAULTS, settingsProblems, VALIDATED_KEYS } from '../src/config/settings.ts';
import { SETTINGS_SPEC } from '../src/config/settings-spec.ts';
import { redact } from '../src/log/redact.ts';

const TOKEN = 'plex-token-abcdef123456';
const required = { plexUrl: 'http://127.0.0.1:32400', plexToken: TOKEN };

function problemOf(raw: Record<string, unknown>): string {
  const problems = settingsProblems(raw);
  assert.equal(problems.length, 1, `expected one problem, got ${JSON.stringify(problems)}`);
  return problems[0] ?? '';
}

describe('plugin settings', () => {
  it('every setting in the spec is validated, and nothing else', () => {
    assert.deepEqual([...VALIDATED_KEYS].sort(), SETTINGS_SPEC.map((s) => s.key).sort());
  });

  it('every optional setting has a default of its spec type', () => {
    const typeOf: Record<string, string> = { STRING: 'string', NUMBER: 'number', BOOLEAN: 'boolean' };
    const field = (key: string) => (key === 'pathMap' ? 'pathMapRaw' : key);
    for (const spec of SETTINGS_SPEC.filter((s) => s.key !== 'plexUrl' && s.key !== 'plexToken')) {
      const value = (SETTING_DEFAULTS as unknown as Record<string, unknown>)[field(spec.key)];
      // Comma-separated lists (libraries, tag names, account ids) are parsed into arrays.
      const expected = spec.type === 'STRING' && Array.isArray(value) ? 'object' : typeOf[spec.type];
      assert.equal(typeof value, expected, spec.key);
    }
  });

  it('importAccounts takes account numbers separated by commas, and names a bad one', () => {
    assert.deepEqual(parseSettings({ ...required, importAccounts: ' 1, 5012 ,1' }).importAccounts, [1, 5012]);
    assert.deepEqual(parseSettings(required).importAccounts, []);
    assert.throws(() => parseSettings({ ...required, importAccounts: '1, friend' }), /importAccounts must be account numbers.*got "1, friend"/);
  });

  it('fills every default when only the required settings are given', () => {
    assert.deepEqual(parseSettings(required), { ...SETTING_DEFAULTS, ...required });
    assert.deepEqual(parseSettings({ ...required, plexConcurrency: null, plexLibraries: '', skipTags: '' }), { ...SETTING_DEFAULTS, ...required });
  });

  it('accepts numbers and booleans as Stash may store them: typed or as strings', () => {
    const settings = parseSettings({
      ...required,
      plexTimeoutSeconds: '45',
      plexConcurrency: 5,
      maxAttempts: ' 20 ',
      dlqRetentionDays: 7.0,
      plexInsecureTls: 'true',
      skipPoster: true,
      skipTags: 'FALSE',
      noScanRequests: 'false',
    });
    assert.deepEqual(
      [settings.plexTimeoutSeconds, settings.plexConcurrency, settings.maxAttempts, settings.dlqRetentionDays],
      [45, 5, 20, 7],
    );
    assert.deepEqual([settings.plexInsecureTls, settings.skipPoster, settings.skipTags, settings.noScanRequests], [true, true, false, false]);
  });

  it('normalises the Plex URL and the library list, keeps the path map text', () => {
    const settings = parseSettings({ ...required, plexUrl: ' https://plex.lan:32400// ', plexLibraries: ' Movies , ,Clips,', pathMap: '/data=>/media; /x=>/y' });
    assert.equal(settings.plexUrl, 'https://plex.lan:32400');
    assert.deepEqual(settings.plexLibraries, ['Movies', 'Clips']);
    assert.equal(settings.pathMapRaw, '/data=>/media; /x=>/y');
  });

  it('names a Plex URL without scheme and the value given', () => {
    assert.equal(problemOf({ ...required, plexUrl: 'plex:32400' }), 'plexUrl must start with http:// or https://, got "plex:32400"');
    assert.match(problemOf({ ...required, plexUrl: 'http://' }), /^plexUrl must name a host.*, got "http:\/\/"$/);
    assert.match(problemOf({ ...required, plexUrl: 'http://plex:32400/?X-Plex-Token=abc' }), /^plexUrl must not carry a query string/);
  });

  it('missing required settings are named', () => {
    assert.deepEqual(settingsProblems({}), ['plexUrl is not set', 'plexToken is empty']);
    assert.equal(problemOf({ ...required, plexToken: '   ' }), 'plexToken is empty');
  });

  it('never echoes the token', () => {
    const problems = settingsProblems({ ...required, plexToken: 12345678901 });
    assert.deepEqual(problems, ['plexToken must be text']);
    assert.throws(() => parseSettings({ plexToken: TOKEN, plexUrl: `ftp://${TOKEN}` }), (err: Error) => !redact(err.message).includes(TOKEN));
  });

  it('names each bad number and the value given', () => {
    const cases: [string, unknown, RegExp][] = [
      ['plexConcurrency', 9, /^plexConcurrency must be a whole number from 1 to 8, got 9$/],
      ['plexConcurrency', '0', /^plexConcurrency must be a whole number from 1 to 8, got "0"$/],
      ['maxAttempts', 2.5, /^maxAttempts must be a whole number from 1 to 100, got 2.5$/],
      ['maxAttempts', 'ten', /^maxAttempts must be a number, got "ten"$/],
      ['plexTimeoutSeconds', -1, /^plexTimeoutSeconds must be a whole number from 1 to 3600, got -1$/],
      ['dlqRetentionDays', true, /^dlqRetentionDays must be a number, got true$/],
    ];
    for (const [key, value, expected] of cases) assert.match(problemOf({ ...required, [key]: value }), expected);
  });

  it('names each bad boolean and the value given', () => {
    assert.equal(problemOf({ ...required, skipTitle: 'yes' }), 'skipTitle must be true or false, got "yes"');
    assert.equal(problemOf({ ...required, plexInsecureTls: 1 }), 'plexInsecureTls must be true or false, got 1');
  });

  it('parseSettings throws one PermanentError naming every problem', () => {
    assert.throws(() => parseSettings({ plexUrl: 'plex', plexConcurrency: 20 }), {
      name: 'PermanentError',
      code: 'bad_settings',
      message: /plexUrl must start with .*; plexToken is empty; plexConcurrency must be a whole number from 1 to 8, got 20/,
    });
  });

  it('ignores settings it does not know (left over from older versions)', () => {
    assert.deepEqual(parseSettings({ ...required, retiredSetting: 'x' }), { ...SETTING_DEFAULTS, ...required });
  });
});

describe('metadata rule settings', () => {
  it('parses tag lists and keeps today\'s behaviour when unset', () => {
    const s = parseSettings({ ...required, labelTags: ' Kids OK , 4K,, ', excludeTags: 'Private', organizedCollection: ' Organized ' });
    assert.deepEqual(s.labelTags, ['Kids OK', '4K']);
    assert.deepEqual(s.excludeTags, ['Private']);
    assert.equal(s.organizedCollection, 'Organized');
    const d = parseSettings(required);
    assert.deepEqual([d.titleTemplate, d.contentRating, d.labelTags, d.studioCollections, d.onlyOrganized, d.performerPhotos], ['', '', [], false, false, false]);
  });

  it('names the setting and the bad value', () => {
    assert.deepEqual(settingsProblems({ ...required, titleTemplate: '{studio} - {titel}' }), [
      'titleTemplate has unknown placeholders {titel} (known: {title} {studio} {parentStudio} {date} {year} {code} {performers} {director}), got "{studio} - {titel}"',
    ]);
    assert.deepEqual(settingsProblems({ ...required, titleTemplate: '{studio}' }), ['titleTemplate must contain {title}, got "{studio}"']);
    assert.deepEqual(settingsProblems({ ...required, contentRating: 'X'.repeat(41) }), [`contentRating must be at most 40 characters, got "${'X'.repeat(41)}"`]);
    assert.deepEqual(settingsProblems({ ...required, organizedCollection: 'a\nb' }), ['organizedCollection must be one line without control characters, got "a\\nb"']);
    assert.deepEqual(settingsProblems({ ...required, onlyOrganized: 'yes' }), ['onlyOrganized must be true or false, got "yes"']);
    assert.deepEqual(settingsProblems({ ...required, labelTags: 42 }), ['labelTags must be text, got 42']);
  });
});
