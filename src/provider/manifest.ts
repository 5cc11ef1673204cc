// GET / : the MediaProvider manifest Plex reads when the provider's URL is
// added under Settings > Metadata Agents. Feature keys resolve against the
// host root, which is why the provider has a port of its own.
import { PROVIDER_IDENTIFIER, TYPE_MOVIE, type WireManifest } from './wire.ts';

/** The provider API version this implements (the documentation's, not PlexSync's). */
export const PROVIDER_API_VERSION = '1.0.0';

export function manifest(): WireManifest {
  return {
    MediaProvider: {
      identifier: PROVIDER_IDENTIFIER,
      title: 'PlexSync (Stash)',
      version: PROVIDER_API_VERSION,
      // Movies only: Plex recommends one parent type per provider, and a
      // Stash scene is one file.
      Types: [{ type: TYPE_MOVIE, Scheme: [{ scheme: PROVIDER_IDENTIFIER }] }],
      Feature: [
        { type: 'metadata', key: '/library/metadata' },
        { type: 'match', key: '/library/metadata/matches' },
        { type: 'collection', key: '/library/collections' },
      ],
    },
  };
}
