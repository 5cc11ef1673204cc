// A renamed performer, studio, tag or group: every scene showing it is queued.
import { enqueueMany } from '../queue/operations.ts';
import type { Job } from '../queue/types.ts';
import type { SceneSyncDeps } from './scene-sync.ts';

export async function propagateRename(job: Job, deps: SceneSyncDeps): Promise<string> {
  const kind = job.kind as 'performer' | 'studio' | 'tag' | 'group';
  let queued = 0;
  for await (const ids of deps.stash.sceneIdsShowing(kind, job.entityId)) {
    // One transaction per page keeps Stash's hooks (which write too) from waiting long.
    enqueueMany(
      deps.db,
      ids.map((id) => ({ kind: 'scene' as const, entityId: id })),
    );
    queued += ids.length;
  }
  return `${kind} ${job.entityId} renamed: queued ${queued} scene(s)`;
}
