// Plain types of the play import, apart from Plex's and Stash's wire shapes.

/** One play in Plex's history. */
export interface PlayEntry {
  /** Plex's historyKey: unique per play. */
  key: string;
  accountId: number;
  ratingKey: string;
  sectionId: string | null;
  /** Epoch seconds. */
  viewedAt: number;
}

/** What Plex shows of a matched item for the token's account. */
export interface PlexPlayState {
  ratingKey: string;
  /** ms; null when there is no resume point. */
  viewOffsetMs: number | null;
  /** 0..10; null when unrated. */
  userRating: number | null;
  /** Epoch seconds. */
  lastRatedAt: number | null;
}

/** Why plays were left out: the scene is gone from Stash; the account was taken off importAccounts. */
export type SkipReason = 'scene_gone' | 'account_not_listed';

export interface ImportSummary {
  enabled: boolean;
  dryRun: boolean;
  accounts: number[];
  /** History entries seen for the first time this run. */
  newEntries: number;
  playsAdded: number;
  /** Plays found already in Stash after an interrupted run, recorded without sending again. */
  playsRecovered: number;
  resumePoints: number;
  ratings: number;
  /** Plays whose Plex item no scene is matched to yet: imported once it is. */
  unmatchedPlays: number;
  /** scene_gone counts scenes, account_not_listed counts plays. */
  skipped: Partial<Record<SkipReason, number>>;
  /** Dry run: what would be written, one line per scene and kind. */
  planned: string[];
  message: string;
}
