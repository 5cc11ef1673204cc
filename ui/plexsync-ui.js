// PlexSync's panel in Stash's UI: a "Plex" tab on each scene's page (synced,
// pending or failed, with the reason, a link to the item in Plex and a
// "Sync now" button) and a queue page with dead letters and a retry button.
// Plain browser JavaScript, loaded by Stash from the manifest's `ui:` section;
// it talks to the backend through runPluginOperation, which returns the
// backend's JSON output. Without Stash's PluginApi it does nothing.
(() => {
  const api = window.PluginApi;
  if (!api?.React || !api.patch || !api.register) return;

  const React = api.React;
  const h = React.createElement;
  const { useEffect, useState } = React;
  const libraries = api.libraries || {};

  const PLUGIN_ID = 'PlexSync';
  const QUEUE_PATH = '/plugin/plexsync';
  const TAB_KEY = 'plexsync-panel';
  const RUN_OPERATION =
    'mutation RunPluginOperation($plugin_id: ID!, $args: Map) { runPluginOperation(plugin_id: $plugin_id, args: $args) }';

  const STATE_LABELS = {
    synced: 'Synced',
    pending: 'Waiting to sync',
    in_progress: 'Syncing now',
    failed: 'Failed',
    unknown: 'Not synced yet',
  };

  // ---- talking to the backend -------------------------------------------

  let operationDoc;

  /** Runs a backend mode; resolves to its output (the backend's JSON). */
  async function runOperation(args) {
    const variables = { plugin_id: PLUGIN_ID, args };
    const apollo = libraries.Apollo;
    const service = api.utils?.StashService;
    let output;
    if (apollo && typeof apollo.gql === 'function' && service && typeof service.getClient === 'function') {
      operationDoc = operationDoc || apollo.gql(RUN_OPERATION);
      // no-cache: every answer is fresh state, never a cached one.
      const result = await service.getClient().mutate({ mutation: operationDoc, variables, fetchPolicy: 'no-cache' });
      output = result?.data ? result.data.runPluginOperation : undefined;
    } else {
      output = await postGraphql(variables);
    }
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

  /** Fallback without Apollo: Stash's GraphQL endpoint next to the page. */
  async function postGraphql(variables) {
    const response = await fetch(new URL('graphql', document.baseURI).href, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: RUN_OPERATION, variables }),
    });
    const body = await response.json();
    if (body.errors && body.errors.length > 0) throw new Error(body.errors[0].message);
    return body.data ? body.data.runPluginOperation : undefined;
  }

  function messageOf(err) {
    const text = err?.message ? err.message : String(err);
    return text.replace(/^GraphQL error: /, '');
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

  /** Busy, notice and error state around a backend call that changes something, then a reload. */
  function useAction() {
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const [notice, setNotice] = useState('');
    async function act(args, describe, reload) {
      setBusy(true);
      setNotice('');
      setError('');
      try {
        setNotice(describe(await runOperation(args)));
        await reload();
      } catch (err) {
        setError(messageOf(err));
      } finally {
        setBusy(false);
      }
    }
    return { error, setError, busy, notice, act };
  }

  // ---- the scene tab ----------------------------------------------------

  function ScenePanel(props) {
    const sceneId = String(props.sceneId);
    const [status, setStatus] = useState(null);
    const { error, setError, busy, notice, act } = useAction();

    async function load() {
      setError('');
      try {
        setStatus(await runOperation({ mode: 'scene_status', sceneId }));
      } catch (err) {
        setError(messageOf(err));
      }
    }

    const syncNow = () =>
      act({ mode: 'sync_scene', sceneId }, (result) => (result?.coalesced ? 'Already waiting in the queue.' : 'Queued for Plex.'), load);

    useEffect(() => {
      load();
    }, [sceneId]);

    const state = status && STATE_LABELS[status.state] ? status.state : 'unknown';
    const rows = [];
    if (status?.reason) {
      rows.push(h('p', { key: 'reason', className: 'plexsync-reason' }, state === 'failed' ? 'Reason: ' : 'Last error: ', status.reason));
    }
    if (status?.nextAttemptAt && state === 'pending') {
      rows.push(h('p', { key: 'next', className: 'plexsync-next' }, `Next attempt: ${when(status.nextAttemptAt)}`));
    }
    if (status?.syncedAt) {
      rows.push(h('p', { key: 'synced', className: 'plexsync-synced-at' }, `Last synced: ${when(status.syncedAt)}`));
    }
    if (status?.plexUrl) {
      rows.push(
        h('p', { key: 'link' }, h('a', { className: 'plexsync-plex-link', href: status.plexUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open in Plex')),
      );
    } else if (status?.ratingKey) {
      rows.push(h('p', { key: 'rk', className: 'plexsync-rating-key' }, `Plex item ${status.ratingKey}`));
    }

    return h(
      'div',
      { className: 'plexsync-panel', 'data-state': status ? state : 'loading' },
      h(
        'div',
        { className: 'plexsync-head' },
        h('span', { className: `plexsync-badge plexsync-state-${status ? state : 'loading'}` }, status ? STATE_LABELS[state] : 'Loading…'),
        h('button', { type: 'button', className: 'btn btn-primary plexsync-sync-now', disabled: busy, onClick: syncNow }, busy ? 'Queuing…' : 'Sync now'),
        h('button', { type: 'button', className: 'btn btn-secondary plexsync-refresh', disabled: busy, onClick: load }, 'Refresh'),
      ),
      rows,
      notice ? h('p', { className: 'plexsync-notice' }, notice) : null,
      error ? h('p', { className: 'plexsync-error' }, error) : null,
      h('p', null, internalLink(QUEUE_PATH, 'plexsync-queue-link', 'PlexSync queue and dead letters')),
    );
  }

  // ---- the queue page ---------------------------------------------------

  function QueuePage() {
    const [status, setStatus] = useState(null);
    const [dead, setDead] = useState([]);
    const { error, setError, busy, notice, act } = useAction();

    async function load() {
      setError('');
      try {
        const [report, list] = await Promise.all([runOperation({ mode: 'status' }), runOperation({ mode: 'dlq_list' })]);
        setStatus(report);
        setDead(list && Array.isArray(list.deadLetters) ? list.deadLetters : []);
      } catch (err) {
        setError(messageOf(err));
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

    return h(
      'div',
      { className: 'plexsync-queue container' },
      h('h2', null, 'PlexSync queue'),
      status
        ? h(
            'dl',
            { className: 'plexsync-counts' },
            counts.map(([key, label, value]) => [
              h('dt', { key: `${key}-label` }, label),
              h('dd', { key: `${key}-value`, className: `plexsync-count-${key}` }, String(value ?? 0)),
            ]),
          )
        : h('p', null, 'Loading…'),
      status ? h('p', { className: 'plexsync-worker' }, status.worker ? `Background worker running (pid ${status.worker.pid})` : 'Background worker idle') : null,
      status?.lastSyncAt ? h('p', { className: 'plexsync-last-sync' }, `Last sync: ${when(status.lastSyncAt)}`) : null,
      problems.map((problem) => h('p', { key: problem, className: 'plexsync-problem' }, problem)),
      h('h3', null, 'Dead letters'),
      dead.length === 0
        ? h('p', { className: 'plexsync-no-dead' }, 'No dead letters.')
        : h(
            'table',
            { className: 'table table-sm plexsync-dead' },
            h('thead', null, h('tr', null, h('th', null, 'Job'), h('th', null, 'Reason'), h('th', null, 'Attempts'), h('th', null, 'When'))),
            h(
              'tbody',
              null,
              dead.map((letter) =>
                h(
                  'tr',
                  { key: letter.job, className: 'plexsync-dead-row' },
                  h('td', null, letter.job),
                  h('td', { className: 'plexsync-dead-reason' }, letter.reason || 'no reason recorded'),
                  h('td', null, String(letter.attempts)),
                  h('td', null, when(letter.at)),
                ),
              ),
            ),
          ),
      h(
        'div',
        { className: 'plexsync-actions' },
        h(
          'button',
          { type: 'button', className: 'btn btn-primary plexsync-retry', disabled: busy || dead.length === 0, onClick: retry },
          'Retry dead letters',
        ),
        h('button', { type: 'button', className: 'btn btn-secondary plexsync-refresh', disabled: busy, onClick: load }, 'Refresh'),
      ),
      notice ? h('p', { className: 'plexsync-notice' }, notice) : null,
      error ? h('p', { className: 'plexsync-error' }, error) : null,
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
        ? h(Tab.Pane, { key: TAB_KEY, eventKey: TAB_KEY, mountOnEnter: true }, h(ScenePanel, { sceneId: props.scene.id }))
        : null,
    );
  }

  api.register.route(QUEUE_PATH, QueuePage);
  appendChild('MainNavBar.UtilityItems', () =>
    h('span', { key: 'plexsync-nav', className: 'plexsync-nav' }, internalLink(QUEUE_PATH, 'btn minimal plexsync-nav-link', 'Plex')),
  );
})();
