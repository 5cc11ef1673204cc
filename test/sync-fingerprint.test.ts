// Content fingerprints: equal content, equal fingerprint; any change, a new one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fingerprint } from '../src/sync/fingerprint.ts';

const poster = (seed: number) => {
  const bytes = new Uint8Array(200 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
};

test('the same bytes, wherever they sit, give the same fingerprint; text fingerprints as its UTF-8', () => {
  const a = poster(1);
  const inLargerBuffer = new Uint8Array(a.byteLength + 10);
  inLargerBuffer.set(a, 5);
  assert.equal(fingerprint(inLargerBuffer.subarray(5, 5 + a.byteLength)), fingerprint(a));
  assert.equal(fingerprint('Søren’s scene'), fingerprint(Buffer.from('Søren’s scene', 'utf8')));
  assert.notEqual(fingerprint(''), fingerprint('\0'));
});

test('one byte changed anywhere, in either half, gives a new fingerprint', () => {
  const original = poster(7);
  const before = fingerprint(original);
  for (const at of [0, 1, original.length / 2 - 1, original.length / 2, original.length - 1]) {
    const edited = original.slice();
    edited[at] = edited[at]! ^ 0x01;
    assert.notEqual(fingerprint(edited), before, `byte ${at}`);
  }
  assert.notEqual(fingerprint(original.subarray(0, original.length - 1)), before, 'one byte shorter');
});

test('different contents never share a fingerprint in thousands of random pairs', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), fc.uint8Array({ minLength: 0, maxLength: 64 }), (a, b) => {
      fc.pre(Buffer.compare(a, b) !== 0);
      return fingerprint(a) !== fingerprint(b);
    }),
    { numRuns: 5_000 },
  );
});
