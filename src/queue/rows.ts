import type { Job, JobKind, JobStatus } from './types.ts';

export interface JobRow {
  id: number;
  job_key: string;
  kind: string;
  entity_id: string;
  payload: string | null;
  status: string;
  attempts: number;
  events: number;
  run_at: number;
  lease: string | null;
  lease_expires_at: number | null;
  error_class: string | null;
  error_code: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    key: row.job_key,
    kind: row.kind as JobKind,
    entityId: row.entity_id,
    payload: row.payload === null ? null : (JSON.parse(row.payload) as Record<string, unknown>),
    status: row.status as JobStatus,
    attempts: row.attempts,
    events: row.events,
    runAt: row.run_at,
    lease: row.lease,
    leaseExpiresAt: row.lease_expires_at,
    errorClass: row.error_class,
    errorCode: row.error_code,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
