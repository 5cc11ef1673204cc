// PlexSync's panel in Stash's UI: a "Plex" tab on each scene's page (synced,
// pending or failed with the next step, a link to the item in Plex, how the
// scene matched and what a sync would change, "Sync now"), a queue page at
// /plugins/plexsync with dead letters and a retry button, and a first-run
// setup at /plugins/plexsync/setup (plexsync-setup.js). Plain browser
// JavaScript loaded by Stash from the manifest's `ui:` section; it talks to
// the backend through runPluginOperation. Without Stash's PluginApi it does
// nothing.
//
// Stash facts this file depends on (ui/v2.5/src of Stash v0.30):
// - Stash's server answers every /plugin/... path with plugin files, so a
//   page of ours lives under /plugins/ or a reload of it is a plain 404.
// - The scene page stays mounted when moving between scenes (queue
//   next/previous): everything shown is keyed by the scene id, so an answer
//   for the previous scene never lands on the next one.
// - MainNavBar.UtilityItems renders twice (menu and top bar); the top bar's
//   `.nav-utility` items are hidden at phone width.
(() => {
  const api = window.PluginApi;
  if (!api?.React || !api.patch || !api.register) return;

  const React = api.React;
  const h = React.createElement;
  const { useEffect, useRef, useState } = React;
  const libraries = api.libraries || {};

  const PLUGIN_ID = 'PlexSync';
  const QUEUE_PATH = '/plugins/plexsync';
  const SETUP_PATH = '/plugins/plexsync/setup';
  const TAB_KEY = 'plexsync-panel';
  const RUN_OPERATION =
    'mutation RunPluginOperation($plugin_id: ID!, $args: Map) { runPluginOperation(plugin_id: $plugin_id, args: $args) }';
  const SCENE_TITLES = 'query PlexSyncSceneTitles($ids: [ID!]) { findScenes(ids: $ids, filter: { per_page: -1 }) { scenes { id title files { basename } } } }';
  // Only serviceUrl is read from this answer; it is fetched without cache.
  const PLUGIN_SETTINGS = 'query PlexSyncSettings { configuration { plugins(include: ["PlexSync"]) } }';

  const STATE_LABELS = {
    synced: 'Synced',
    pending: 'Waiting to sync',
    in_progress: 'Syncing now',
    failed: 'Failed',
    unknown: 'Not synced yet',
  };

  // ---- talking to Stash and the backend ---------------------------------

  const documents = {};

  async function graphql(source, variables, mutation) {
    const apollo = libraries.Apollo;
    const service = api.utils?.StashService;
    if (apollo && typeof apollo.gql === 'function' && service && typeof service.getClient === 'function') {
      documents[source] = documents[source] || apollo.gql(source);
      const client = service.getClient();
      // no-cache: every answer is fresh state, never a cached one.
      const options = { variables, fetchPolicy: 'no-cache' };
      const result = mutation
        ? await client.mutate(Object.assign({ mutation: documents[source] }, options))
        : await client.query(Object.assign({ query: documents[source] }, options));
      return result?.data;
    }
    const response = await fetch(new URL('graphql', document.baseURI).href, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: source, variables }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length > 0) throw new Error(body.errors[0].message);
    return body.data;
  }

  /** Runs a backend mode; resolves to its output (the backend's JSON). */
  async function runOperation(args) {
    const data = await graphql(RUN_OPERATION, { plugin_id: PLUGIN_ID, args }, true);
    const output = data ? data.runPluginOperation : undefined;
    // Stash hands back plain text when stdout was not one JSON object.
    if (typeof output === 'string') {
      try {
        return JSON.parse(output);
      } catch {
        return output;
      }
    }
    return output;
  }

  function messageOf(err) {
    const text = err?.message ? err.message : String(err);
    return text.replace(/^GraphQL error: /, '');
  }

  // Stash starts the backend with `node`; its official image has none, and Go
  // then reports `exec: "node": executable file not found in $PATH`.
  const NODE_MISSING = /exec: "?node"?: executable file not found|fork\/exec [^:]*node: no such file or directory/i;

  let serviceUrlAsked;
  /** The serviceUrl setting (the service dashboard), or '' when unset or unreadable. */
  function serviceUrl() {
    serviceUrlAsked =
      serviceUrlAsked ||
      graphql(PLUGIN_SETTINGS, {}, false).then(
        (data) => {
          const url = data?.configuration?.plugins?.[PLUGIN_ID]?.serviceUrl;
          return typeof url === 'string' && /^https?:\/\//i.test(url) ? url : '';
        },
        () => '',
      );
    return serviceUrlAsked;
  }

  /** A failure as the panel shows it: the message, and for a missing Node the way out. */
  function Failure(props) {
    const text = messageOf(props.error);
    const nodeMissing = NODE_MISSING.test(text);
    const [service, setService] = useState('');
    useEffect(() => {
      let live = true;
      if (nodeMissing) serviceUrl().then((url) => live && setService(url));
      return () => {
        live = false;
      };
    }, [nodeMissing]);
    if (!nodeMissing) return h('p', { className: 'plexsync-error' }, text);
    return h(
      'div',
      { className: 'plexsync-error plexsync-node-missing' },
      h('p', null, 'Stash cannot start PlexSync: there is no Node.js where Stash runs (Stash said: ', text, ').'),
      h(
        'p',
        null,
        'Install Node.js 22.13 or newer next to Stash (for Stash\'s Docker image: a derived image that runs apk add nodejs), or run PlexSync as a service. ',
        service
          ? h('a', { className: 'plexsync-service-link', href: service, target: '_blank', rel: 'noopener noreferrer' }, 'Open the PlexSync service dashboard')
          : 'Once the service runs, set "PlexSync service URL" in the plugin settings to get a link to its dashboard here.',
      ),
    );
  }

  function when(iso) {
    if (!iso) return '';
    const at = new Date(iso);
    return Number.isNaN(at.getTime()) ? String(iso) : at.toLocaleString();
  }

  /** A link inside Stash's router when there is one, a plain link otherwise. */
  function internalLink(to, className, text) {
    const router = libraries.ReactRouterDOM;
    if (router?.Link) return h(router.Link, { to, className }, text);
    return h('a', { href: to, className }, text);
  }

  /** false while unmounted: answers that arrive later are dropped. */
  function useLive() {
    const live = useRef(true);
    useEffect(
      () => () => {
        live.current = false;
      },
      [],
    );
    return live;
  }

  /** Busy, notice and error state around a backend call that changes something, then a reload. */
  function useAction() {
    const live = useLive();
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    const [notice, setNotice] = useState('');
    async function act(args, describe, reload) {
      setBusy(true);
      setNotice('');
      setError(null);
      try {
        const result = await runOperation(args);
        if (!live.current) return;
        setNotice(describe(result));
        await reload();
      } catch (err) {
        if (live.current) setError(err);
      } finally {
        if (live.current) setBusy(false);
      }
    }
    return { error, setError, busy, notice, act };
  }

  let setupAsked;
  /** Whether Plex URL and token are set, asked once per page load. */
  function setupState(fresh) {
    if (fresh || !setupAsked) setupAsked = runOperation({ mode: 'setup_state' }).catch(() => null);
    return setupAsked;
  }

  function SetupNotice() {
    const live = useLive();
    const [state, setState] = useState(null);
    useEffect(() => {
      setupState(false).then((s) => live.current && setState(s));
    }, []);
    if (!state || state.configured) return null;
    return h(
      'p',
      { className: 'plexsync-setup-needed' },
      'PlexSync is not set up yet: ',
      internalLink(SETUP_PATH, 'plexsync-setup-link', 'Set up PlexSync'),
      ' (about a minute).',
    );
  }

  // ---- the scene tab ----------------------------------------------------

  const show = (value) => {
    if (value === null || value === undefined || value === '') return '(none)';
    if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.join(', ');
    return String(value);
  };

  function MatchInfo(props) {
    const m = props.match;
    if (!m) return null;
    const rows = [];
    const row = (key, label, value) => rows.push(h('tr', { key }, h('th', { scope: 'row' }, label), h('td', { className: `plexsync-match-${key}` }, value)));
    if (m.kind === 'matched') {
      row('how', 'Matched by', m.via === 'path' ? 'exact file path' : 'file name and size (the path differs)');
      if (m.library) row('library', 'Plex library', m.library);
      row('plex-file', 'Plex file', m.plexFile);
      if (m.stashFile) row('stash-file', 'Stash file', m.stashFile);
      row('item', 'Plex item', m.ratingKey);
    } else {
      row(
        'how',
        'Match',
        m.kind === 'ambiguous'
          ? `ambiguous: ${(m.ratingKeys || []).length} Plex items could be it`
          : m.kind === 'no_files'
            ? 'the scene has no file'
            : m.kind === 'filtered'
              ? `not synced: outside the sync filters (${m.reason})`
              : 'no Plex item has this file',
      );
      if (Array.isArray(m.tried) && m.tried.length > 0) row('tried', 'Looked for', m.tried.join(', '));
    }
    if (m.nextStep) row('next', 'What to do', m.nextStep);
    return h('table', { className: 'table table-sm plexsync-match' }, h('tbody', null, rows));
  }

  function Comparison(props) {
    const c = props.compare;
    if (!c || !c.match || c.match.kind !== 'matched') return null;
    const changes = Array.isArray(c.changes) ? c.changes : [];
    if (changes.length === 0) return h('p', { className: 'plexsync-up-to-date' }, 'Plex shows what Stash has: a sync would change nothing.');
    const table = h(
      'table',
      { className: 'table table-sm plexsync-compare' },

      h('thead', null, h('tr', null, h('th', null, 'Field'), h('th', null, 'Stash'), h('th', null, 'Plex now'))),
      h(
        'tbody',
        null,
        changes.map((change) =>
          h(
            'tr',
            { key: change.field, className: 'plexsync-compare-row' },
            h('td', null, change.label || change.field),
            h('td', { className: 'plexsync-compare-stash' }, show(change.to)),
            h('td', { className: 'plexsync-compare-plex' }, change.lockOnly ? `${show(change.from)} (same, not locked yet)` : show(change.from)),
          ),
        ),
      ),
    );
    return h(React.Fragment, null, h('h6', { className: 'plexsync-compare-title' }, 'What a sync would change in Plex'), table);
  }

  /** One scene's tab; mounted afresh for every scene (see ScenePanel). */
  function SceneTab(props) {
    const sceneId = props.sceneId;
    const live = useLive();
    const [status, setStatus] = useState(null);
    const [loadError, setLoadError] = useState(null);
    const [compare, setCompare] = useState(null);
    const [compareError, setCompareError] = useState(null);
    const { error, busy, notice, act } = useAction();

    async function load() {
      setLoadError(null);
      try {
        const answer = await runOperation({ mode: 'scene_status', sceneId });
        if (live.current) setStatus(answer);
      } catch (err) {
        if (live.current) setLoadError(err);
      }
    }

    async function loadCompare() {
      setCompareError(null);
      try {
        const answer = await runOperation({ mode: 'scene_compare', sceneId });
        if (live.current) setCompare(answer);
      } catch (err) {
        if (live.current) setCompareError(err);
      }
    }

    const refresh = () => Promise.all([load(), loadCompare()]);
    const syncNow = () =>
      act({ mode: 'sync_scene', sceneId }, (result) => (result?.coalesced ? 'Already waiting in the queue.' : 'Queued for Plex.'), load);

    useEffect(() => {
      refresh();
    }, []);

    const state = status && STATE_LABELS[status.state] ? status.state : 'unknown';
    const shown = status ? state : loadError ? 'error' : 'loading';
    // Without Node nothing of the backend answers: say it once, not per section.
    const nodeMissing = !!loadError && NODE_MISSING.test(messageOf(loadError));
    const rows = [];
    if (status?.reason) {
      rows.push(h('p', { key: 'reason', className: 'plexsync-reason' }, state === 'failed' ? 'Reason: ' : 'Last error: ', status.reason));
    }
    if (status?.nextStep) rows.push(h('p', { key: 'step', className: 'plexsync-next-step' }, 'What to do: ', status.nextStep));
    if (status?.nextAttemptAt && state === 'pending') {
      rows.push(h('p', { key: 'next', className: 'plexsync-next' }, `Next attempt: ${when(status.nextAttemptAt)}`));
    }
    if (status?.syncedAt) rows.push(h('p', { key: 'synced', className: 'plexsync-synced-at' }, `Last synced: ${when(status.syncedAt)}`));
    if (status?.plexUrl) {
      rows.push(
        h('p', { key: 'link' }, h('a', { className: 'plexsync-plex-link', href: status.plexUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open in Plex')),
      );
    } else if (status?.ratingKey) {
      rows.push(h('p', { key: 'rk', className: 'plexsync-rating-key' }, `Plex item ${status.ratingKey}`));
    }

    return h(
      'div',
      { className: 'plexsync-panel', 'data-state': shown, 'data-scene': sceneId },
      h(SetupNotice),
      h(
        'div',
        { className: 'plexsync-head' },
        h(
          'span',
          { className: `plexsync-badge plexsync-state-${shown}` },
          status ? STATE_LABELS[state] : loadError ? 'Status not available' : 'Loading…',
        ),
        h('button', { type: 'button', className: 'btn btn-primary plexsync-sync-now', disabled: busy, onClick: syncNow }, busy ? 'Queuing…' : 'Sync now'),
        h('button', { type: 'button', className: 'btn btn-secondary plexsync-refresh', disabled: busy, onClick: refresh }, 'Refresh'),
      ),
      rows,
      notice ? h('p', { className: 'plexsync-notice' }, notice) : null,
      error ? h(Failure, { error }) : null,
      loadError ? h(Failure, { error: loadError }) : null,
      nodeMissing ? null : h('h5', { className: 'plexsync-section' }, 'How this scene matches in Plex'),
      nodeMissing ? null : compare ? h(MatchInfo, { match: compare.match }) : compareError ? null : h('p', { className: 'plexsync-comparing' }, 'Comparing with Plex…'),
      compare ? h(Comparison, { compare }) : null,
      compareError && !nodeMissing ? h('div', { className: 'plexsync-compare-error' }, h(Failure, { error: compareError })) : null,
      h('p', null, internalLink(QUEUE_PATH, 'plexsync-queue-link', 'PlexSync queue and dead letters')),
    );
  }

  // Keyed by scene: moving to another scene mounts a new tab, so no state,
  // notice or late answer of the previous scene can show on this one.
  const ScenePanel = (props) => h(SceneTab, { key: props.sceneId, sceneId: props.sceneId });

  // ---- the queue page ---------------------------------------------------

  /** Scene titles for the dead letters, read from Stash; {} when Stash cannot say. */
  async function sceneTitles(ids) {
    if (ids.length === 0) return {};
    try {
      const data = await graphql(SCENE_TITLES, { ids }, false);
      const titles = {};
      for (const scene of data?.findScenes?.scenes || []) titles[scene.id] = scene.title || scene.files?.[0]?.basename || `Scene ${scene.id}`;
      return titles;
    } catch {
      return {};
    }
  }

  function deadLetterSubject(letter, titles) {
    if (letter.kind === 'scene' && letter.id) {
      const title = titles[letter.id];
      return h(
        React.Fragment,
        null,
        internalLink(`/scenes/${letter.id}`, 'plexsync-dead-scene', title || `Scene ${letter.id}`),
        title ? null : h('span', { className: 'plexsync-dead-gone' }, ' (not in Stash any more)'),
      );
    }
    return `${letter.kind || 'job'} ${letter.id || letter.job}`;
  }

  function QueuePage() {
    const live = useLive();
    const [status, setStatus] = useState(null);
    const [dead, setDead] = useState(null);
    const [titles, setTitles] = useState({});
    const [loadError, setLoadError] = useState(null);
    const { error, busy, notice, act } = useAction();

    async function load() {
      setLoadError(null);
      try {
        const [report, list] = await Promise.all([runOperation({ mode: 'status' }), runOperation({ mode: 'dlq_list' })]);
        const letters = list && Array.isArray(list.deadLetters) ? list.deadLetters : [];
        const names = await sceneTitles([...new Set(letters.filter((l) => l.kind === 'scene' && l.id).map((l) => String(l.id)))]);
        if (!live.current) return;
        setStatus(report);
        setDead(letters);
        setTitles(names);
      } catch (err) {
        if (live.current) setLoadError(err);
      }
    }

    const retry = () =>
      act(
        { mode: 'dlq_retry' },
        (result) => `${result && typeof result.retried === 'number' ? result.retried : 0} dead letter(s) back in the queue.`,
        load,
      );

    useEffect(() => {
      load();
    }, []);

    const counts = status
      ? [
          ['pending', 'Pending', status.pending],
          ['in-progress', 'In progress', status.inProgress],
          ['dead', 'Dead letters', status.dead],
          ['synced', 'Synced scenes', status.synced],
        ]
      : [];
    const problems = status && Array.isArray(status.problems) ? status.problems : [];
    const loading = !status && !loadError;

    let deadView = null;
    if (dead && dead.length === 0) deadView = h('p', { className: 'plexsync-no-dead' }, 'No dead letters.');
    else if (dead) {
      deadView = h(
        'table',
        { className: 'table table-sm plexsync-dead' },
        h('thead', null, h('tr', null, h('th', null, 'Scene'), h('th', null, 'Reason and what to do'), h('th', null, 'Attempts'), h('th', null, 'When'))),
        h(
          'tbody',
          null,
          dead.map((letter) =>
            h(
              'tr',
              { key: letter.job, className: 'plexsync-dead-row' },
              h('td', null, deadLetterSubject(letter, titles)),
              h(
                'td',
                null,
                h('div', { className: 'plexsync-dead-reason' }, letter.reason || 'no reason recorded'),
                letter.nextStep ? h('div', { className: 'plexsync-dead-next' }, letter.nextStep) : null,
              ),
              h('td', null, String(letter.attempts)),
              h('td', null, when(letter.at)),
            ),
          ),
        ),
      );
    }

    return h(
      'div',
      { className: 'plexsync-queue container' },
      h('h2', null, 'PlexSync queue'),
      h(SetupNotice),
      loading ? h('p', { className: 'plexsync-loading' }, 'Loading…') : null,
      status
        ? h(
            'dl',
            { className: 'plexsync-counts' },
            counts.map(([key, label, value]) => [
              h('dt', { key: `${key}-label` }, label),
              h('dd', { key: `${key}-value`, className: `plexsync-count-${key}` }, String(value ?? 0)),
            ]),
          )
        : null,
      status ? h('p', { className: 'plexsync-worker' }, status.worker ? `Background worker running (pid ${status.worker.pid})` : 'Background worker idle') : null,
      status?.lastSyncAt ? h('p', { className: 'plexsync-last-sync' }, `Last sync: ${when(status.lastSyncAt)}`) : null,
      problems.map((problem) => h('p', { key: problem, className: 'plexsync-problem' }, problem)),
      loadError ? h(Failure, { error: loadError }) : null,
      dead ? h('h3', null, 'Dead letters') : null,
      deadView,
      h(
        'div',
        { className: 'plexsync-actions' },
        h(
          'button',
          { type: 'button', className: 'btn btn-primary plexsync-retry', disabled: busy || !dead || dead.length === 0, onClick: retry },
          'Retry dead letters',
        ),
        h('button', { type: 'button', className: 'btn btn-secondary plexsync-refresh', disabled: busy, onClick: load }, 'Refresh'),
        internalLink(SETUP_PATH, 'btn btn-secondary plexsync-setup-open', 'Set up'),
      ),
      notice ? h('p', { className: 'plexsync-notice' }, notice) : null,
      error ? h(Failure, { error }) : null,
    );
  }

  // ---- wiring into Stash ------------------------------------------------

  /** A `patch.before` that appends `extra(props)` to the component's children. */
  function appendChild(component, extra) {
    try {
      api.patch.before(component, (props) => {
        const added = extra(props || {});
        if (!added) return [props];
        return [Object.assign({}, props, { children: h(React.Fragment, null, props ? props.children : null, added) })];
      });
    } catch (err) {
      console.warn(`PlexSync: cannot extend ${component}`, err);
    }
  }

  const bootstrap = libraries.Bootstrap;
  if (bootstrap?.Nav && bootstrap.Tab) {
    const { Nav, Tab } = bootstrap;
    appendChild('ScenePage.Tabs', () => h(Nav.Item, { key: TAB_KEY }, h(Nav.Link, { eventKey: TAB_KEY }, 'Plex')));
    appendChild('ScenePage.TabContent', (props) =>
      props.scene?.id
        ? h(Tab.Pane, { key: TAB_KEY, eventKey: TAB_KEY, mountOnEnter: true }, h(ScenePanel, { sceneId: String(props.scene.id) }))
        : null,
    );
  }

  // One route for the queue page and the setup below it: Stash renders every
  // plugin route that matches, without a Switch.
  const Pages = (props) => {
    const path = props.location?.pathname || window.location.pathname;
    const Setup = window.PlexSyncSetup;
    if (/\/setup\/?$/.test(path) && Setup) return h(Setup.SetupPage, { runOperation, Failure, internalLink, useLive, queuePath: QUEUE_PATH, onSaved: () => setupState(true) });
    return h(QueuePage);
  };
  api.register.route(QUEUE_PATH, Pages);
  // `nav-utility`: Stash hides the top bar's copy at phone width, where the menu's copy shows.
  appendChild('MainNavBar.UtilityItems', () =>
    h('span', { key: 'plexsync-nav', className: 'nav-utility plexsync-nav' }, internalLink(QUEUE_PATH, 'btn minimal plexsync-nav-link', 'Plex')),
  );
})();
