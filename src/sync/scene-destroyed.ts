// A scene deleted in Stash: if its file went too, ask Plex to scan the folder
// so the item disappears; forget what we recorded about the scene.
import { folderOf, mapStashPath } from '../match/pathmap.ts';
import type { Job } from '../queue/types.ts';
import { deleteRecord, getRecord } from './records.ts';
import type { SceneSyncDeps } from './scene-sync.ts';

export async function onSceneDestroyed(job: Job, deps: SceneSyncDeps, signal?: AbortSignal): Promise<string> {
  const record = getRecord(deps.db, job.entityId);
  deleteRecord(deps.db, job.entityId);
  const path = typeof job.payload?.path === 'string' ? job.payload.path : null;
  if (!path || job.payload?.deleteFile !== true || !deps.requestScans) return `scene ${job.entityId} deleted in Stash`;
  const plexPath = mapStashPath(path, deps.mappings);
  const folder = folderOf(plexPath);
  const sections = await deps.index.sections(signal);
  const section = sections.find((s) => s.id === record?.sectionId) ?? sections.find((s) => s.locations.some((l) => plexPath.startsWith(l)));
  if (!section) return `scene ${job.entityId} deleted in Stash; no Plex library holds ${plexPath}`;
  await deps.plex.scanFolder(section.id, folder, signal);
  return `scene ${job.entityId} and its file deleted: asked Plex to scan ${folder}`;
}
