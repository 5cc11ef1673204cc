// dlq_list, dlq_retry and dlq_clear.
import type { Db } from '../db/database.ts';
import type { Logger } from '../log/logger.ts';
import { clearDead, listDead, retryDead } from '../queue/dlq.ts';
import { nextStepFor } from './next-step.ts';

export function deadLetterList(db: Db, log: Logger, limit = 500) {
  const jobs = listDead(db, limit);
  if (jobs.length === 0) log.info('No dead letters.');
  for (const job of jobs) log.info(`Dead letter ${job.key} after ${job.attempts} attempt(s): ${job.lastError ?? 'no reason recorded'}`);
  return {
    count: jobs.length,
    deadLetters: jobs.map((job) => ({
      job: job.key,
      kind: job.kind,
      id: job.entityId,
      errorClass: job.errorClass,
      code: job.errorCode,
      reason: job.lastError,
      ...(nextStepFor(job.errorCode) ? { nextStep: nextStepFor(job.errorCode) } : {}),
      attempts: job.attempts,
      at: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
    })),
  };
}

export function deadLetterRetry(db: Db, log: Logger) {
  const retried = retryDead(db);
  log.info(`${retried} dead letter(s) back in the queue.`);
  return { retried };
}

export function deadLetterClear(db: Db, log: Logger) {
  const cleared = clearDead(db);
  log.info(`${cleared} dead letter(s) deleted.`);
  return { cleared };
}
