// syncMode = provider: the library's agent is the PlexSync metadata provider
// (src/provider/), so Plex pulls a scene's fields itself. A change in Stash
// only asks Plex to refresh the item; PlexSync writes what a provider cannot
// carry (the user rating, and the cover as uploaded bytes, because Plex may
// fetch provider images through a cloud service that cannot reach a LAN
// address) and locks nothing the provider owns.

/**
 * The fields edit mode writes and locks that the provider fills. A lock on
 * any of them keeps the provider's value out, for good: these are what
 * switching a library from edit mode needs unlocked. The poster (`thumb`)
 * is not among them: PlexSync still uploads it and keeps it locked.
 */
export const PROVIDER_OWNED_FIELDS: readonly string[] = ['title', 'summary', 'originallyAvailableAt', 'studio', 'actor', 'genre', 'director', 'collection'];

export const PROVIDER_GUID_PREFIX = 'tv.plex.agents.custom.plexsync://';

/** Owned fields the item has locked, in a stable order. */
export function lockedOwnedFields(locked: readonly string[]): string[] {
  const have = new Set(locked);
  return PROVIDER_OWNED_FIELDS.filter((f) => have.has(f));
}

/** The advice a provider-mode sync gives about an item edit mode locked. */
export function unlockAdvice(ratingKey: string, fields: readonly string[]): string {
  return `Plex item ${ratingKey} has ${fields.join(', ')} locked from edit mode, so the provider cannot update them: run the task "Unlock fields for provider mode"`;
}
