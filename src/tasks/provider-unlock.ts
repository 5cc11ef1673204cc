// The `provider_unlock` task: after switching syncMode to provider, unlock
// the fields edit mode locked on the items PlexSync synced (a lock keeps an
// agent's value out, so the provider could never update them), then ask
// Plex to refresh each item so the provider fills them. The poster keeps
// its lock: provider mode still uploads it.
import { type Db, sql } from '../db/database.ts';
import type { RunContext } from '../entry/context.ts';
import { PermanentError } from '../errors.ts';
import { toPlexItemState } from '../plex/item-state.ts';
import { lockedOwnedFields } from '../sync/provider-mode.ts';
import { loadSyncDeps } from '../sync/worker-deps.ts';

/** Items fetched per request (the client's batch unit). */
const BATCH = 40;

export interface UnlockReport {
  items: number;
  unlocked: number;
  /** How many items had each field unlocked. */
  fields: Record<string, number>;
}

export async function providerUnlockTask(ctx: RunContext, db: Db): Promise<UnlockReport> {
  const { log } = ctx;
  const { settings, sync, close } = await loadSyncDeps(ctx, db);
  try {
    // In edit mode the next sync would lock them all again.
    if (settings.syncMode !== 'provider') throw new PermanentError('bad_settings', 'syncMode is "edit": set it to "provider" before unlocking, or edit mode locks the fields again at the next sync');
    const keys = (sql(db, 'SELECT DISTINCT rating_key FROM sync_records ORDER BY rating_key').all() as { rating_key: string }[]).map((r) => r.rating_key);
    const report: UnlockReport = { items: keys.length, unlocked: 0, fields: {} };
    for (let i = 0; i < keys.length; i += BATCH) {
      const items = await sync.plex.getItems(keys.slice(i, i + BATCH));
      for (const item of items) {
        const fields = lockedOwnedFields(toPlexItemState(item, null).locked);
        if (fields.length === 0) continue;
        await sync.plex.unlockFields(item.ratingKey, fields);
        await sync.plex.refreshItem(item.ratingKey);
        report.unlocked++;
        for (const f of fields) report.fields[f] = (report.fields[f] ?? 0) + 1;
      }
      log.progress(Math.min(1, (i + BATCH) / Math.max(1, keys.length)));
    }
    log.info(`Unlocked ${report.unlocked} of ${report.items} synced Plex item(s) for the provider${report.unlocked > 0 ? `: ${Object.entries(report.fields).map(([f, n]) => `${f} ${n}`).join(', ')}` : ''}`);
    return report;
  } finally {
    close();
  }
}
