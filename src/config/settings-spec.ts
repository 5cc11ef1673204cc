// Every plugin setting in one place: the manifest's `settings:` section is
// generated from this list, and settings.ts validates against it. Stash stores
// unset settings as absent, and shows an unset BOOLEAN as off, so every
// boolean here is phrased so that "off" is the default behaviour.

export type SettingType = 'STRING' | 'NUMBER' | 'BOOLEAN';

export interface SettingSpec {
  key: string;
  displayName: string;
  description: string;
  type: SettingType;
}

export const SETTINGS_SPEC: readonly SettingSpec[] = [
  { key: 'plexUrl', displayName: 'Plex URL', type: 'STRING', description: 'Plex Media Server address, e.g. http://127.0.0.1:32400 (required).' },
  { key: 'plexToken', displayName: 'Plex token', type: 'STRING', description: 'Your X-Plex-Token (required). Never logged.' },
  { key: 'plexLibraries', displayName: 'Plex libraries', type: 'STRING', description: 'Comma-separated library titles to search. Empty: every movie-type library.' },
  { key: 'pathMap', displayName: 'Path mapping', type: 'STRING', description: 'How Stash paths appear in Plex: stashPrefix=>plexPrefix pairs separated by ";". Empty: same paths.' },
  { key: 'plexInsecureTls', displayName: 'Accept self-signed Plex certificate', type: 'BOOLEAN', description: 'Skip TLS certificate checks for an https Plex URL. Off: certificates are verified.' },
  { key: 'plexTimeoutSeconds', displayName: 'Plex request timeout (s)', type: 'NUMBER', description: 'Per-request timeout towards Plex. Default 30.' },
  { key: 'plexConcurrency', displayName: 'Parallel Plex syncs', type: 'NUMBER', description: 'Scenes synced at once (1-8). Plex has a single-writer database; default 3.' },
  { key: 'maxAttempts', displayName: 'Attempts before dead letter', type: 'NUMBER', description: 'Transient failures retried this many times with backoff. Default 10.' },
  { key: 'dlqRetentionDays', displayName: 'Keep dead letters (days)', type: 'NUMBER', description: 'Dead letters older than this are purged. Default 30.' },
  { key: 'skipTitle', displayName: 'Do not sync titles', type: 'BOOLEAN', description: 'Leave Plex titles alone.' },
  { key: 'skipSummary', displayName: 'Do not sync details', type: 'BOOLEAN', description: 'Leave Plex summaries alone.' },
  { key: 'skipDate', displayName: 'Do not sync dates', type: 'BOOLEAN', description: 'Leave Plex release dates alone.' },
  { key: 'skipStudio', displayName: 'Do not sync studios', type: 'BOOLEAN', description: 'Leave Plex studios alone.' },
  { key: 'skipPerformers', displayName: 'Do not sync performers', type: 'BOOLEAN', description: 'Leave Plex actors alone.' },
  { key: 'skipTags', displayName: 'Do not sync tags', type: 'BOOLEAN', description: 'Leave Plex genres alone.' },
  { key: 'skipDirector', displayName: 'Do not sync directors', type: 'BOOLEAN', description: 'Leave Plex directors alone.' },
  { key: 'skipRating', displayName: 'Do not sync ratings', type: 'BOOLEAN', description: 'Leave Plex user ratings alone.' },
  { key: 'skipCollections', displayName: 'Do not sync groups as collections', type: 'BOOLEAN', description: 'Leave Plex collections alone.' },
  { key: 'skipPoster', displayName: 'Do not sync covers', type: 'BOOLEAN', description: 'Leave Plex posters alone.' },
  {
    key: 'syncMode',
    displayName: 'Sync mode',
    type: 'STRING',
    description: 'edit (default): write and lock each field in Plex. provider: the library uses the PlexSync metadata provider; a change asks Plex to refresh the item and only the cover and rating are written.',
  },
  { key: 'titleTemplate', displayName: 'Title template', type: 'STRING', description: 'How Plex titles are built, e.g. "{studio} - {date} - {title}" ({title} {studio} {parentStudio} {date} {year} {code} {performers} {director}); the plain title becomes the sort title. Empty: the Stash title.' },
  { key: 'contentRating', displayName: 'Content rating', type: 'STRING', description: 'Content rating every synced item gets, e.g. XXX: written and locked in edit mode, given by the metadata provider in provider mode. Empty: leave Plex\'s alone.' },
  { key: 'labelTags', displayName: 'Tags sent as labels', type: 'STRING', description: 'Comma-separated tag names that go to Plex labels instead of genres. Empty: none.' },
  { key: 'labelTagParents', displayName: 'Children of these tags as labels', type: 'STRING', description: 'Comma-separated parent tags: their direct child tags go to Plex labels instead of genres. Empty: none.' },
  { key: 'studioCollections', displayName: 'Collections: studio', type: 'BOOLEAN', description: 'Each studio becomes a Plex collection.' },
  { key: 'parentStudioCollections', displayName: 'Collections: parent studio', type: 'BOOLEAN', description: 'Each parent studio becomes a Plex collection.' },
  { key: 'performerCollections', displayName: 'Collections: performers', type: 'BOOLEAN', description: 'Each performer becomes a Plex collection.' },
  { key: 'collectionTags', displayName: 'Collections: these tags', type: 'STRING', description: 'Comma-separated tag names that become Plex collections. Empty: none.' },
  { key: 'collectionTagParents', displayName: 'Collections: children of these tags', type: 'STRING', description: 'Comma-separated parent tags whose direct child tags become Plex collections. Empty: none.' },
  { key: 'organizedCollection', displayName: 'Collection for organized scenes', type: 'STRING', description: 'Name of a Plex collection every organized scene joins. Empty: none.' },
  { key: 'groupCollectionArt', displayName: 'Group covers on collections', type: 'BOOLEAN', description: 'A group\'s front cover and synopsis become its Plex collection\'s poster and summary.' },
  { key: 'onlyOrganized', displayName: 'Sync only organized scenes', type: 'BOOLEAN', description: 'Scenes not marked organized are not synced (what Plex shows for them stays).' },
  { key: 'onlyWithStashId', displayName: 'Sync only scenes with a StashID', type: 'BOOLEAN', description: 'Scenes without a stash-box ID are not synced (what Plex shows for them stays).' },
  { key: 'excludeTags', displayName: 'Never sync scenes tagged', type: 'STRING', description: 'Comma-separated tag names: scenes with any of them are not synced (what Plex shows for them stays). Empty: none.' },
  { key: 'performerPhotos', displayName: 'Performer photos on actors', type: 'BOOLEAN', description: 'Send each performer\'s Stash image address with the Plex actor. Only for a Stash without a password, whose address Plex can reach.' },
  { key: 'serviceUrl', displayName: 'PlexSync service URL', type: 'STRING', description: 'Address of the PlexSync service dashboard (plexsync serve), e.g. http://127.0.0.1:9880/. The panel links to it when Stash cannot run Node.' },
  { key: 'importPlays', displayName: 'Import plays from Plex', type: 'BOOLEAN', description: 'Write plays and resume points of matched items in Plex into Stash (task "Import plays from Plex", and at each worker start). Off: Stash play state is left alone.' },
  { key: 'importRatings', displayName: 'Import ratings from Plex', type: 'BOOLEAN', description: 'With plays imported, also take Plex user ratings into Stash (x10); when both sides changed, the later change wins.' },
  { key: 'importAccounts', displayName: 'Plex accounts whose plays count', type: 'STRING', description: 'Comma-separated Plex account ids (Plex\'s local ids, as in its history). Empty: the server owner\'s account, which the token belongs to.' },
  { key: 'noScanRequests', displayName: 'Never ask Plex to scan', type: 'BOOLEAN', description: 'Do not request a folder scan for files Plex has not found yet.' },
];
