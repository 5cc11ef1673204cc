// Secrets are registered once (token, session cookie, API key) and masked in
// every string that leaves the process: log lines, errors, status output.

const secrets = new Set<string>();

export function registerSecret(value: string | null | undefined): void {
  // Very short values would mask ordinary words; real secrets are long.
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('***');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret && out.includes(encoded)) out = out.split(encoded).join('***');
  }
  // Belt and braces for tokens that were never registered.
  return out.replace(/([?&]X-Plex-Token=)[^&\s"]+/gi, '$1***');
}
