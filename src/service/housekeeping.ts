// The plugin's hourly housekeeping (old dead letters, finished jobs), as a
// periodic job of the service.
import { HOUSEKEEPING_EVERY_MS, housekeeping } from '../worker/housekeeping.ts';
import type { ServiceModule } from './host.ts';

export const housekeepingModule: ServiceModule = {
  name: 'housekeeping',
  start(host) {
    host.scheduler.every({
      name: 'housekeeping',
      everyMs: HOUSEKEEPING_EVERY_MS,
      async run() {
        housekeeping(host.db, (await host.settings()).dlqRetentionDays, host.log);
      },
    });
  },
};
