export type JobKind = 'scene' | 'scene_destroy' | 'performer' | 'studio' | 'tag' | 'group';
export type JobStatus = 'pending' | 'in_progress' | 'done' | 'dead';

export interface NewJob {
  kind: JobKind;
  entityId: string;
  /** Small JSON-able details (e.g. a destroyed scene's path). Never secrets. */
  payload?: Record<string, unknown> | undefined;
  /** Due time, epoch ms; default now. */
  runAt?: number;
}

export interface Job {
  id: number;
  key: string;
  kind: JobKind;
  entityId: string;
  payload: Record<string, unknown> | null;
  status: JobStatus;
  attempts: number;
  /** Hook events folded into this job. */
  events: number;
  runAt: number;
  lease: string | null;
  leaseExpiresAt: number | null;
  errorClass: string | null;
  errorCode: string | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
}

export interface QueueCounts {
  pending: number;
  inProgress: number;
  dead: number;
  done: number;
}

export function jobKey(kind: JobKind, entityId: string): string {
  return `${kind}:${entityId}`;
}
