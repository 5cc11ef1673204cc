// Images Plex stores URLs of. They point at this provider, never at Stash:
// Stash wants credentials, and a URL Plex keeps must not carry any. The
// provider fetches the bytes from Stash with its own key and hands them on.
// Each URL repeats Stash's change stamp, so a new cover is a new URL.
import { errorCode } from '../errors.ts';
import type { StashClient } from '../stash/client.ts';

export type ImageKind = 'scene' | 'performer' | 'group';

/** Our path -> Stash's path for the same image. Ids are digits only (checked by the router). */
const STASH_PATHS: Record<ImageKind, (id: string) => string> = {
  scene: (id) => `/scene/${id}/screenshot`,
  performer: (id) => `/performer/${id}/image`,
  group: (id) => `/group/${id}/frontimage`,
};

export function imageUrl(baseUrl: string, kind: ImageKind, id: string, stamp: string): string {
  const query = stamp === '' ? '' : `?t=${encodeURIComponent(stamp)}`;
  return `${baseUrl}/images/${kind}/${id}${query}`;
}

export type ImageAnswer = { status: 200; bytes: Uint8Array; contentType: string } | { status: 404 };

/** The image's bytes from Stash; 404 when Stash has none. Other failures throw, classified. */
export async function fetchStashImage(stash: StashClient, kind: ImageKind, id: string, stamp: string | undefined): Promise<ImageAnswer> {
  const query = stamp ? `?t=${encodeURIComponent(stamp)}` : '';
  try {
    const image = await stash.fetchImage(`${stash.baseUrl}${STASH_PATHS[kind](id)}${query}`);
    // Only images go out: a login page or an error text is not passed on.
    if (!/^image\//i.test(image.contentType)) return { status: 404 };
    return { status: 200, bytes: image.bytes, contentType: image.contentType };
  } catch (err) {
    if (errorCode(err) === 'not_found') return { status: 404 };
    throw err;
  }
}
