// What /healthz answers: the service works while the database answers and
// the last contact with Stash succeeded. Each cause clears by itself when the
// next poll or check succeeds.
import { type Db, setKv } from '../db/database.ts';
import { describeError } from '../errors.ts';

export interface HealthReport {
  ok: boolean;
  /** Why not, when not ok. */
  reasons: string[];
  stash: { ok: boolean; checkedAt: string | null; error: string | null };
  database: { ok: boolean; error: string | null };
  uptimeSeconds: number;
}

export class Health {
  readonly #db: Db;
  readonly #startedAt = Date.now();
  #stashCheckedAt: number | null = null;
  #stashError: string | null = null;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Called after every request the poller makes to Stash. */
  stashAnswered(): void {
    this.#stashCheckedAt = Date.now();
    this.#stashError = null;
  }

  stashFailed(err: unknown): void {
    this.#stashCheckedAt = Date.now();
    this.#stashError = describeError(err);
  }

  report(): HealthReport {
    let dbError: string | null = null;
    try {
      // A write, not a read: a full disk or a read-only volume must show here.
      setKv(this.#db, 'service_alive_at', new Date().toISOString());
    } catch (err) {
      dbError = `database unusable: ${describeError(err)}`;
    }
    const reasons: string[] = [];
    if (this.#stashError) reasons.push(`Stash unreachable or refusing: ${this.#stashError}`);
    if (dbError) reasons.push(dbError);
    return {
      ok: reasons.length === 0,
      reasons,
      stash: {
        ok: this.#stashError === null,
        checkedAt: this.#stashCheckedAt === null ? null : new Date(this.#stashCheckedAt).toISOString(),
        error: this.#stashError,
      },
      database: { ok: dbError === null, error: dbError },
      uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000),
    };
  }
}
