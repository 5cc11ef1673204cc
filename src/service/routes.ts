// The dashboard server's routes: health, metrics, the JSON API and the pages.
import { statusReport } from '../tasks/status.ts';
import { DashboardApi } from './api.ts';
import type { ServiceHost } from './host.ts';
import { HttpError, html, json, text } from './http.ts';
import { checkFragment, dashboardPage, overviewFragment, sceneFragment, searchFragment } from './pages.ts';

const SCENE_ID = /^\d{1,18}$/;

function sceneId(raw: string | undefined): string {
  if (!raw || !SCENE_ID.test(raw)) throw new HttpError(400, 'a scene id is a number');
  return raw;
}

export function dashboardRoutes(host: ServiceHost): void {
  const { router } = host;
  const api = new DashboardApi(host);

  router.get('/healthz', () => {
    const health = host.health.report();
    return json({ status: health.ok ? 'ok' : 'unavailable', ...health }, health.ok ? 200 : 503);
  });
  router.get('/metrics', () =>
    text(host.metrics.render(host.db, host.scheduler.states(), host.health.report().stash.ok), 200, 'text/plain; version=0.0.4; charset=utf-8'),
  );

  // JSON API.
  router.get('/api/status', () => json(statusReport(host.db)));
  router.get('/api/overview', async () => json(await api.overview()));
  router.get('/api/settings-check', async () => json(await api.settingsCheck()));
  router.get('/api/scenes', async ({ url }) => json(await api.searchScenes((url.searchParams.get('q') ?? '').slice(0, 200))));
  router.get('/api/scenes/:id', async ({ params }) => json(await api.scene(sceneId(params.id))));
  router.post('/api/scenes/:id/sync', async ({ params }) => json(await api.syncNow(sceneId(params.id))));
  router.post('/api/dead-letters/retry', () => json(api.retry()));
  router.post('/api/dead-letters/:id/retry', ({ params }) => {
    const id = Number(sceneId(params.id));
    const result = api.retry(id);
    if (result.retried === 0) throw new HttpError(404, `no dead letter ${id}`);
    return json(result);
  });

  // Pages and the fragments the page's script swaps in.
  router.get('/', async () => html(dashboardPage(await api.overview(), await api.settingsCheck())));
  router.get('/fragment/overview', async () => html(overviewFragment(await api.overview())));
  router.get('/fragment/check', async () => html(checkFragment(await api.settingsCheck())));
  router.get('/fragment/scenes', async ({ url }) => html(searchFragment(await api.searchScenes((url.searchParams.get('q') ?? '').slice(0, 200)))));
  router.get('/fragment/scene/:id', async ({ params }) => html(sceneFragment(await api.scene(sceneId(params.id)))));
}
