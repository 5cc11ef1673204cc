// Plays from Plex into Stash (CONTRACT section 15), every
// PLEXSYNC_PLAYS_POLL_MS while importPlays is on.
import { importPlaysJob } from '../plays/service-job.ts';
import type { ServiceModule } from './host.ts';

export const playsModule: ServiceModule = {
  name: 'plays',
  start(host) {
    host.scheduler.every(importPlaysJob(host));
  },
};
