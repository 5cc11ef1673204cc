import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as queries from '../src/provider/queries.ts';
import { validateQuery } from './helpers/stash-schema.ts';

describe("provider's Stash GraphQL documents", () => {
  const documents: [string, string][] = Object.entries(queries as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === 'string');

  it('exports the documents the provider sends', () => {
    assert.equal(documents.length, 5);
  });

  for (const [name, doc] of documents) {
    it(`${name} is valid against Stash's schema`, () => {
      assert.deepEqual(
        validateQuery(doc).map((e) => e.message),
        [],
      );
      assert.match(doc, /query PlexSyncProvider\w+/);
    });
  }
});
