// The dashboard: plain server-rendered HTML. The page's small script only
// fetches fragments rendered here (to refresh, search, open a scene) and
// posts the buttons' actions to the JSON API; there is one renderer.
import type { DashboardApi } from './api.ts';

type Overview = Awaited<ReturnType<DashboardApi['overview']>>;
type Search = Awaited<ReturnType<DashboardApi['searchScenes']>>;
type SceneDetail = Awaited<ReturnType<DashboardApi['scene']>>;
type Check = Awaited<ReturnType<DashboardApi['settingsCheck']>>;

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const when = (iso: string | null | undefined) => (iso ? `<time datetime="${esc(iso)}">${esc(iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}</time>` : '—');

function sceneLink(scene: { id: string; title: string | null; stashUrl: string } | null, fallback: string): string {
  if (!scene) return esc(fallback);
  return `<a href="${esc(scene.stashUrl)}" target="_blank" rel="noopener noreferrer">${esc(scene.title ?? `Scene ${scene.id}`)}</a> <button type="button" class="link" data-scene="${esc(scene.id)}">details</button>`;
}

export function overviewFragment(o: Overview): string {
  const s = o.status;
  const counts = [
    ['pending', s.pending],
    ['in progress', s.inProgress],
    ['dead letters', s.dead],
    ['scenes synced', s.synced],
  ]
    .map(([label, n]) => `<div class="count" data-count="${esc(label)}"><strong>${esc(n)}</strong><span>${esc(label)}</span></div>`)
    .join('');
  const health = o.health.ok ? '<span class="ok">working</span>' : `<span class="bad">not working: ${esc(o.health.reasons.join('; '))}</span>`;
  const worker = o.worker.holdsLease ? 'this service drains the queue' : o.worker.problem ? `waiting: ${esc(o.worker.problem)}` : 'waiting for the plugin\'s worker to finish';
  const circuit = s.circuit.state === 'closed' ? 'Plex answers' : `Plex unreachable (circuit ${esc(s.circuit.state)})`;
  const recent = o.recentSyncs.length === 0
    ? '<p class="empty">No scene synced yet.</p>'
    : `<table><thead><tr><th>scene</th><th>Plex item</th><th>synced</th></tr></thead><tbody>${o.recentSyncs
        .map((r) => `<tr><td>${sceneLink(r.scene, r.scene.id)}</td><td>${esc(r.ratingKey)}</td><td>${when(r.syncedAt)}</td></tr>`)
        .join('')}</tbody></table>`;
  const dead = o.deadLetters.length === 0
    ? '<p class="empty">No dead letters.</p>'
    : `<p><button type="button" data-action="retry-all">Retry all</button></p><table><thead><tr><th>what</th><th>reason</th><th>attempts</th><th>when</th><th></th></tr></thead><tbody>${o.deadLetters
        .map(
          (d) =>
            `<tr data-dead="${esc(d.id)}"><td>${sceneLink(d.scene, d.job)}</td><td class="reason">${esc(d.reason)}</td><td>${esc(d.attempts)}</td><td>${when(d.at)}</td><td><button type="button" data-action="retry" data-id="${esc(d.id)}">Retry</button></td></tr>`,
        )
        .join('')}</tbody></table>`;
  const problems = s.problems.length === 0 ? '' : `<ul class="problems">${s.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
  return `<section id="counts" class="counts">${counts}</section>
<p class="state">Service ${health}. Worker: ${worker}. ${circuit}. Last sync: ${when(s.lastSyncAt)}.</p>${problems}
<h2>Recent syncs</h2>${recent}
<h2>Dead letters</h2>${dead}`;
}

export function searchFragment(r: Search): string {
  if (r.scenes.length === 0) return '<p class="empty">No scene matches.</p>';
  return `<p>${esc(r.count)} scene(s)${r.count > r.scenes.length ? `, the ${r.scenes.length} changed last shown` : ''}.</p>
<table><thead><tr><th>scene</th><th>file</th><th>state</th><th></th></tr></thead><tbody>${r.scenes
    .map(
      (s) =>
        `<tr data-scene-row="${esc(s.id)}"><td><a href="${esc(s.stashUrl)}" target="_blank" rel="noopener noreferrer">${esc(s.title)}</a></td><td class="path">${esc(s.path ?? '')}</td><td><span class="state-${esc(s.state)}">${esc(s.state)}</span>${s.reason ? ` <span class="reason">${esc(s.reason)}</span>` : ''}</td><td><button type="button" class="link" data-scene="${esc(s.id)}">compare</button> <button type="button" data-action="sync" data-id="${esc(s.id)}">Sync now</button></td></tr>`,
    )
    .join('')}</tbody></table>`;
}

export function sceneFragment(d: SceneDetail): string {
  const c = d.comparison;
  const comparison = 'error' in c
    ? `<p class="bad">Cannot compare with Plex: ${esc(c.error)}</p>`
    : c.outcome === 'same'
      ? '<p class="ok">Plex shows what Stash has.</p>'
      : c.changes.length > 0
        ? `<p>A sync would change in Plex item ${esc(c.ratingKey)}:</p><ul class="changes">${c.changes.map((line) => `<li>${esc(line)}</li>`).join('')}</ul>`
        : `<p class="bad">${esc(c.detail ?? c.outcome)}</p>`;
  const plex = d.plexUrl ? ` · <a href="${esc(d.plexUrl)}" target="_blank" rel="noopener noreferrer">open in Plex</a>` : '';
  return `<h2>Scene ${esc(d.sceneId)}</h2>
<p>State: <span class="state-${esc(d.state)}">${esc(d.state)}</span>${d.reason ? ` — ${esc(d.reason)}` : ''}${d.syncedAt ? `; synced ${when(d.syncedAt)}` : ''} · <a href="${esc(d.stashUrl)}" target="_blank" rel="noopener noreferrer">open in Stash</a>${plex}</p>
${comparison}
<p><button type="button" data-action="sync" data-id="${esc(d.sceneId)}">Sync now</button></p>`;
}

export function checkFragment(c: Check): string {
  if (c.ok) return '<p class="ok">Settings check: no problems found.</p>';
  return `<p class="bad">Settings check found ${c.problems.length} problem(s):</p><ul class="problems">${c.problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>`;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:1rem 1.5rem;color:#1d232a;background:#f6f7f9}
h1{font-size:1.4rem;margin:.2rem 0 1rem}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
.counts{display:flex;gap:1rem;flex-wrap:wrap}.count{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:.6rem 1rem;min-width:8rem}
.count strong{display:block;font-size:1.6rem}.count span{color:#5b6670}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #e3e7eb;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{font-weight:600;color:#5b6670}.reason,.path{color:#5b6670;font-size:.9em;word-break:break-word}
.ok{color:#1b7f3a}.bad{color:#b3261e}.empty{color:#5b6670}.problems li{color:#b3261e}
.state-synced{color:#1b7f3a}.state-failed{color:#b3261e}.state-pending,.state-in_progress{color:#9a6700}
button{font:inherit;padding:.2rem .7rem;border:1px solid #8a96a3;border-radius:4px;background:#fff;cursor:pointer}
button.link{border:none;background:none;color:#0b57d0;padding:0;text-decoration:underline}
form{display:flex;gap:.5rem}input[type=search]{flex:1;font:inherit;padding:.3rem .5rem}
#scene{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:.2rem 1rem .6rem;margin-top:1rem}#scene:empty{display:none}
#notice{min-height:1.4em;color:#0b57d0}`;

// Fetches fragments and posts actions; no framework, no build step.
const SCRIPT = `(() => {
  const $ = (id) => document.getElementById(id);
  const say = (text) => { $('notice').textContent = text; };
  const fragment = async (url, target) => {
    const res = await fetch(url, { headers: { Accept: 'text/html' } });
    if (res.ok) $(target).innerHTML = await res.text();
    else say('Could not load ' + url + ' (' + res.status + ')');
  };
  const post = async (url) => {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.error || String(res.status));
    return body;
  };
  let query = '';
  const refresh = () => fragment('fragment/overview', 'overview').catch(() => say('The service does not answer.'));
  const search = () => fragment('fragment/scenes?q=' + encodeURIComponent(query), 'results');
  const openScene = (id) => { $('scene').innerHTML = '<p>Comparing scene ' + id + ' with Plex...</p>'; return fragment('fragment/scene/' + encodeURIComponent(id), 'scene'); };
  $('search').addEventListener('submit', (e) => { e.preventDefault(); query = $('q').value; search(); });
  document.addEventListener('click', async (e) => {
    const el = e.target.closest('button');
    if (!el) return;
    try {
      if (el.dataset.scene) await openScene(el.dataset.scene);
      else if (el.dataset.action === 'sync') { await post('api/scenes/' + encodeURIComponent(el.dataset.id) + '/sync'); say('Scene ' + el.dataset.id + ' queued.'); }
      else if (el.dataset.action === 'retry') { const r = await post('api/dead-letters/' + encodeURIComponent(el.dataset.id) + '/retry'); say(r.retried + ' dead letter(s) back in the queue.'); }
      else if (el.dataset.action === 'retry-all') { const r = await post('api/dead-letters/retry'); say(r.retried + ' dead letter(s) back in the queue.'); }
      else return;
      await refresh();
      if ($('results').innerHTML) await search();
    } catch (err) { say('Failed: ' + err.message); }
  });
  setInterval(refresh, 3000);
  search();
})();`;

export function dashboardPage(o: Overview, check: Check): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>PlexSync</title><style>${STYLE}</style></head>
<body>
<h1>PlexSync</h1>
<p id="notice" role="status"></p>
<div id="overview">${overviewFragment(o)}</div>
<h2>Settings</h2><div id="check">${checkFragment(check)}</div>
<h2>Scenes</h2>
<form id="search" role="search"><input type="search" id="q" name="q" placeholder="Search title, details or path"><button type="submit">Search</button></form>
<div id="scene"></div>
<div id="results"></div>
<p class="empty"><a href="api/status">status JSON</a> · <a href="metrics">metrics</a> · <a href="healthz">health</a></p>
<script>${SCRIPT}</script>
</body></html>`;
}
