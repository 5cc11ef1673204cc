// Plain JavaScript, so that `node --test` on a Node too old for the suite
// (whose default patterns find this file but no .ts one) says what is wrong
// and how to get the right Node, rather than running nothing useful.
import assert from 'node:assert/strict';
import { isBuiltin } from 'node:module';
import { test } from 'node:test';
import '../scripts/check-node.mjs';

test('the Node running the tests can run the TypeScript test files', () => {
  assert.ok(process.features.typescript, 'type stripping');
  assert.ok(isBuiltin('node:sqlite'), 'node:sqlite');
});
