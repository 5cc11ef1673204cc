// The dashboard server's routes: health, the JSON API and the pages.
import { statusReport } from '../tasks/status.ts';
import type { ServiceHost } from './host.ts';
import { json } from './http.ts';

export function dashboardRoutes(host: ServiceHost): void {
  const { router } = host;
  router.get('/healthz', () => {
    const health = host.health.report();
    return json({ status: health.ok ? 'ok' : 'unavailable', ...health }, health.ok ? 200 : 503);
  });
  // The `status` task's output, as the plugin's Tasks page gives it.
  router.get('/api/status', () => json(statusReport(host.db)));
}
