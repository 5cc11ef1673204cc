/**
 * A random version 4 UUID for leases and identifiers: unique, not secret.
 * Math.random (V8 seeds it per process from the system's entropy) rather than
 * node:crypto, which the worker does not load otherwise (sync/fingerprint.ts).
 */
export function randomUuid(): string {
  const hex = Array.from({ length: 4 }, () => Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, '0')).join('');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
