// The pure decisions of the play import, and the hook's echo guard.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../src/db/database.ts';
import { onSceneUpdate } from '../src/hooks/handlers.ts';
import { createLogger } from '../src/log/logger.ts';
import { getPlayState, noteRatingWrite, setAgreedRating } from '../src/plays/ledger.ts';
import { ECHO_WINDOW_MS, isImportedRatingEcho } from '../src/plays/echo.ts';
import { epochSeconds, playsToSend, ratingWinner, resumeToWrite, timestampOf, toRating100 } from '../src/plays/decide.ts';
import { tempDir } from './helpers/temp.ts';

describe('playsToSend', () => {
  const plays = [
    { key: 'a', viewedAt: 100 },
    { key: 'b', viewedAt: 200 },
  ];

  it('sends every play Stash does not show', () => {
    assert.deepEqual(playsToSend(plays, [], []), { send: ['a', 'b'], present: [] });
  });

  it('a play already in Stash (sent before a crash) is not sent again', () => {
    assert.deepEqual(playsToSend(plays, [100], []), { send: ['b'], present: ['a'] });
  });

  it("plays recorded as ours keep their place: a second play at the same second is still sent", () => {
    assert.deepEqual(playsToSend([{ key: 'c', viewedAt: 100 }], [100], [100]), { send: ['c'], present: [] });
  });

  it('two accounts watching at the same second are two plays', () => {
    const same = [
      { key: 'x', viewedAt: 300 },
      { key: 'y', viewedAt: 300 },
    ];
    assert.deepEqual(playsToSend(same, [300], []), { send: ['y'], present: ['x'] });
  });
});

describe('resumeToWrite', () => {
  it('a Plex resume point never taken becomes Stash resume_time in seconds', () => {
    assert.equal(resumeToWrite(125_000, undefined, null), 125);
  });

  it('the same Plex offset as last time leaves Stash (which may have moved on) alone', () => {
    assert.equal(resumeToWrite(125_000, 125_000, 300), undefined);
  });

  it('nothing to write when Stash already shows it', () => {
    assert.equal(resumeToWrite(125_000, undefined, 125.4), undefined);
  });

  it('a play finished in Plex clears the resume point PlexSync wrote', () => {
    assert.equal(resumeToWrite(null, 125_000, 125), 0);
  });

  it('but not one Stash moved since', () => {
    assert.equal(resumeToWrite(null, 125_000, 40), undefined);
  });
});

describe('ratingWinner', () => {
  const base = { stashChangedAt: 1_000, plexRatedAt: 2_000, agreed: undefined };

  it('equal ratings need nothing', () => {
    assert.equal(ratingWinner({ ...base, stash: 80, plex: 80 }), 'same');
  });

  it('only Plex moved from the agreed rating: Plex wins, whatever the clocks say', () => {
    assert.equal(ratingWinner({ stash: 60, plex: 80, agreed: 60, stashChangedAt: 5_000, plexRatedAt: 1_000 }), 'plex');
  });

  it('only Stash moved: Stash wins', () => {
    assert.equal(ratingWinner({ stash: 40, plex: 60, agreed: 60, stashChangedAt: 1_000, plexRatedAt: 5_000 }), 'stash');
  });

  it('both moved: the later change wins', () => {
    assert.equal(ratingWinner({ stash: 40, plex: 80, agreed: 60, stashChangedAt: 1_000, plexRatedAt: 2_000 }), 'plex');
    assert.equal(ratingWinner({ stash: 40, plex: 80, agreed: 60, stashChangedAt: 3_000, plexRatedAt: 2_000 }), 'stash');
  });

  it('an unrated Plex item never clears a Stash rating', () => {
    assert.equal(ratingWinner({ stash: 40, plex: null, agreed: 40, stashChangedAt: 0, plexRatedAt: 9_000 }), 'stash');
  });

  it('an unrated Stash scene takes the Plex rating', () => {
    assert.equal(ratingWinner({ stash: null, plex: 70, agreed: undefined, stashChangedAt: 9_000, plexRatedAt: null }), 'plex');
  });
});

describe('conversions', () => {
  it('Plex 0..10 with halves is rating100 x10', () => {
    assert.equal(toRating100(8), 80);
    assert.equal(toRating100(7.5), 75);
    assert.equal(toRating100(12), 100);
  });

  it('times go to Stash as RFC3339 UTC seconds and come back equal', () => {
    assert.equal(timestampOf(1_700_000_000), '2023-11-14T22:13:20Z');
    assert.equal(epochSeconds('2023-11-14T23:13:20+01:00'), 1_700_000_000);
  });
});

describe('the hook recognises a rating PlexSync wrote', () => {
  const log = createLogger(() => undefined);

  it('the Scene.Update.Post of an imported rating queues nothing', async (t) => {
    const db = await openDatabase(tempDir(t));
    t.after(() => db.close());
    noteRatingWrite(db, '7', 80);
    const result = onSceneUpdate(db, { id: '7', type: 'Scene.Update.Post', input: { id: '7', rating100: 80 }, inputFields: ['id', 'rating100'] }, log);
    assert.equal(result.queued, false);
    assert.match(result.reason, /from Plex/);
  });

  it('a different rating, another field alongside, or a late hook is a user edit and syncs', async (t) => {
    const db = await openDatabase(tempDir(t));
    t.after(() => db.close());
    const now = Date.now();
    noteRatingWrite(db, '7', 80, now);
    assert.equal(isImportedRatingEcho(db, 'Scene.Update.Post', '7', { id: '7', rating100: 60 }, ['id', 'rating100'], now), false);
    assert.equal(isImportedRatingEcho(db, 'Scene.Update.Post', '7', { id: '7', rating100: 80, title: 'x' }, ['id', 'rating100', 'title'], now), false);
    assert.equal(isImportedRatingEcho(db, 'Scene.Update.Post', '7', { id: '7', rating100: 80 }, ['id', 'rating100'], now + ECHO_WINDOW_MS), false);
    assert.equal(isImportedRatingEcho(db, 'Scene.Update.Post', '8', { id: '8', rating100: 80 }, ['id', 'rating100'], now), false);
    assert.equal(isImportedRatingEcho(db, 'Scene.Update.Post', '7', { id: '7', rating100: 80 }, ['id', 'rating100'], now), true);
    const edit = onSceneUpdate(db, { id: '7', type: 'Scene.Update.Post', input: { id: '7', rating100: 60 }, inputFields: ['id', 'rating100'] }, log);
    assert.equal(edit.queued, true);
  });

  it('noting a write does not move the agreed rating: a write Stash never took must not look like a Stash edit', async (t) => {
    const db = await openDatabase(tempDir(t));
    t.after(() => db.close());
    setAgreedRating(db, '7', 60);
    noteRatingWrite(db, '7', 80);
    assert.equal(getPlayState(db, '7')?.agreedRating100, 60);
    assert.equal(getPlayState(db, '7')?.writtenRating100, 80);
  });
});
