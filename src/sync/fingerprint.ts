// Content fingerprints: has this poster, summary or desired state changed
// since it was last written to Plex? Change detection, not security.
//
// CRC-32 from zlib rather than SHA-256 from node:crypto: loading node:crypto
// brings some twenty modules and nearly 2 MiB of resident memory into a
// worker that needs no cryptography (docs/benchmarks.md, "Memory"); zlib
// comes with the HTTP stack's streams, and its CRC runs at memory speed. Two
// CRCs, of the whole and of its first half, and the length: a change across
// both halves (a regenerated image) slips past with odds of 1 in 2^64, and
// CRC-32 catches every edit of up to 4 bytes in a row outright.

export function fingerprint(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const half = bytes.subarray(0, bytes.byteLength >>> 1);
  const { crc32 } = process.getBuiltinModule('node:zlib');
  return `${bytes.byteLength.toString(16)}-${crc32(bytes).toString(16).padStart(8, '0')}${crc32(half).toString(16).padStart(8, '0')}`;
}
