// Stash's real GraphQL schema, kept in the repository as a test fixture
// (test/fixtures/stash-graphql, refreshed by scripts/refresh-stash-schema.ts),
// so queries and the fake Stash are checked against what Stash accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GraphQLError, type GraphQLSchema, buildSchema, parse, validate } from 'graphql';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const STASH_SCHEMA_DIR = join(REPO_ROOT, 'test', 'fixtures', 'stash-graphql', 'graphql', 'schema');

let cached: GraphQLSchema | undefined;

/**
 * schema.graphql holds the root types and the `schema {}` block, types/ the
 * rest; the files neither `extend` types nor declare directives beyond the
 * built-in @deprecated, so one concatenated SDL builds as is. Custom scalars
 * (Time, Int64, Map, PluginConfigMap, ...) pass values through unchanged.
 */
export function loadStashSchema(): GraphQLSchema {
  if (cached) return cached;
  const typesDir = join(STASH_SCHEMA_DIR, 'types');
  const files = [
    join(STASH_SCHEMA_DIR, 'schema.graphql'),
    ...readdirSync(typesDir)
      .filter((name) => name.endsWith('.graphql'))
      .sort()
      .map((name) => join(typesDir, name)),
  ];
  cached = buildSchema(files.map((file) => readFileSync(file, 'utf8')).join('\n'));
  return cached;
}

/** Parse and validation errors of a document against Stash's schema; [] when valid. */
export function validateQuery(doc: string): readonly GraphQLError[] {
  try {
    return validate(loadStashSchema(), parse(doc));
  } catch (err) {
    return [err as GraphQLError];
  }
}
