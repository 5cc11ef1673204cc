// Whose plays count. By default the token's own account: PlexSync edits
// metadata, which only the server owner's token may do, and Plex gives the
// owner local account id 1 in its history (python-plexapi server.py: "The
// admin account is accountID=1"). `GET /accounts` lists the server's local
// accounts, so ids named in importAccounts can be checked and named.
import type { Logger } from '../log/logger.ts';
import type { PlexClient } from '../plex/client.ts';
import { errorCode } from '../errors.ts';

export const OWNER_ACCOUNT_ID = 1;

export interface ResolvedAccounts {
  ids: number[];
  /** Names by id, as Plex lists them (for the summary). */
  names: Map<number, string>;
}

export async function resolveAccounts(plex: PlexClient, listed: readonly number[], log: Logger, signal?: AbortSignal): Promise<ResolvedAccounts> {
  const ids = listed.length > 0 ? [...listed] : [OWNER_ACCOUNT_ID];
  const names = new Map<number, string>();
  try {
    for (const account of await plex.accounts(signal)) names.set(account.id, account.name ?? '');
  } catch (err) {
    // Only for naming and checking: the history itself says whose plays they are.
    if (errorCode(err) !== 'not_found') throw err;
    return { ids, names };
  }
  const unknown = ids.filter((id) => !names.has(id));
  if (unknown.length > 0) log.warn(`importAccounts: Plex has no local account ${unknown.join(', ')}; plays of these accounts will not be found`);
  return { ids, names };
}
