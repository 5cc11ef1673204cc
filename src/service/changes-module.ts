// The change-polling job: every PLEXSYNC_POLL_MS, one request to Stash
// (service/poll-changes.ts). Its outcome is also the service's view of
// Stash's health, and a change of the plugin settings restarts the worker
// with the new ones.
import { describeError } from '../errors.ts';
import type { ServiceModule } from './host.ts';
import { ChangePoller } from './poll-changes.ts';

export const POLL_JOB = 'poll-changes';

export const changesModule: ServiceModule = {
  name: 'changes',
  start(host) {
    const poller = new ChangePoller(host.db, host.stash, host.log);
    let lastSettings: string | undefined;
    let down: string | undefined;
    host.scheduler.every({
      name: POLL_JOB,
      everyMs: host.config.pollMs,
      async run() {
        let result;
        try {
          result = await poller.poll();
        } catch (err) {
          host.health.stashFailed(err);
          const message = describeError(err);
          if (down !== message) host.log.warn(`cannot ask Stash for changes, will keep trying: ${message}`);
          down = message;
          throw err;
        }
        host.health.stashAnswered();
        if (down !== undefined) host.log.info('Stash answers again');
        down = undefined;
        if (result.settings === undefined) return;
        const settings = JSON.stringify(result.settings);
        if (lastSettings !== undefined && settings !== lastSettings) {
          host.log.info('the plugin settings changed in Stash: the worker takes them up');
          host.worker.reloadSettings();
        }
        lastSettings = settings;
      },
    });
  },
};
