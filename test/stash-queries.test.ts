import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as changeQueries from '../src/stash/change-queries.ts';
import * as dashboardQueries from '../src/stash/dashboard-queries.ts';
import * as queries from '../src/stash/queries.ts';
import { validateQuery } from './helpers/stash-schema.ts';

describe('Stash GraphQL documents', () => {
  const related = Object.fromEntries(Object.entries(changeQueries.RELATED_SINCE).map(([kind, doc]) => [`RELATED_SINCE.${kind}`, doc]));
  const documents = Object.entries({ ...queries, ...changeQueries, ...dashboardQueries, ...related }).filter((entry): entry is [string, string] => typeof entry[1] === 'string');

  it('exports the documents the client sends', () => {
    assert.ok(documents.length >= 9, `only ${documents.length} documents found`);
  });

  for (const [name, doc] of documents) {
    it(`${name} is valid against Stash's schema`, () => {
      assert.deepEqual(
        validateQuery(doc).map((e) => e.message),
        [],
      );
    });
  }

  it('a misspelt field is caught by the schema check', () => {
    const errors = validateQuery(queries.FIND_SCENE.replace('rating100', 'rating'));
    assert.match(errors[0]?.message ?? '', /Cannot query field "rating" on type "Scene"/);
  });

  it('a wrong criterion type is caught by the schema check', () => {
    const errors = validateQuery(queries.FIND_SCENE_IDS_BY_STUDIO.replace('modifier: INCLUDES', 'modifier: CONTAINS'));
    assert.ok(errors.length > 0);
  });

  it('values travel as variables, never inside the document', () => {
    for (const [name, doc] of documents) {
      assert.doesNotMatch(doc, /\$\{/, `${name} has an interpolation left in it`);
      assert.match(doc, /(query|mutation) PlexSync\w+/, `${name} is not a named PlexSync operation`);
    }
  });
});
