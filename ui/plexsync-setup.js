// PlexSync's first-run setup, shown at /plugins/plexsync/setup by the route
// in plexsync-ui.js: sign in with Plex (Plex's PIN flow) or paste a token,
// pick a server and one of its tested addresses, choose the libraries and
// the path mapping, then test the whole connection. Every value is saved by
// the backend with Stash's configurePlugin mutation; the token goes from
// plex.tv (or the paste box) to the backend and never comes back to the page.
(() => {
  const api = window.PluginApi;
  if (!api?.React) return;
  const React = api.React;
  const h = React.createElement;
  const { useEffect, useState } = React;

  /** How long the page waits for the user to approve the PIN in Plex (Plex's PINs live 15 minutes). */
  const PIN_POLL_MS = 2000;
  const PIN_MAX_POLLS = 450;

  function Step(props) {
    return h(
      'section',
      { className: `plexsync-step plexsync-step-${props.name}${props.done ? ' plexsync-step-done' : ''}`, 'data-step': props.name },
      h('h4', null, `${props.number}. ${props.title}`, props.done ? h('span', { className: 'plexsync-done-mark' }, ' ✓') : null),
      props.children,
    );
  }

  function SignIn(props) {
    const { runOperation, Failure, live, state, onDone } = props;
    const [pin, setPin] = useState(null);
    const [error, setError] = useState(null);
    const [token, setToken] = useState('');
    const [busy, setBusy] = useState(false);

    async function poll(started) {
      for (let i = 0; i < PIN_MAX_POLLS && live.current; i++) {
        await new Promise((resolve) => setTimeout(resolve, PIN_POLL_MS));
        if (!live.current) return;
        let answer;
        try {
          answer = await runOperation({ mode: 'plex_pin_check', pinId: started.pinId });
        } catch (err) {
          if (live.current) setError(err);
          return;
        }
        if (!live.current) return;
        if (answer?.signedIn) {
          setPin(null);
          onDone(answer.account ? `Signed in as ${answer.account}.` : 'Signed in.');
          return;
        }
        if (answer?.expired) {
          setPin(null);
          setError(new Error('The sign-in code expired before it was approved: press "Sign in with Plex" again.'));
          return;
        }
      }
    }

    async function start() {
      setError(null);
      setBusy(true);
      try {
        const started = await runOperation({ mode: 'plex_pin_start' });
        if (!live.current) return;
        setPin(started);
        window.open(started.authUrl, '_blank', 'noopener');
        poll(started);
      } catch (err) {
        if (live.current) setError(err);
      } finally {
        if (live.current) setBusy(false);
      }
    }

    async function saveToken(event) {
      event.preventDefault();
      setError(null);
      setBusy(true);
      try {
        const answer = await runOperation({ mode: 'plex_token_save', token });
        if (!live.current) return;
        setToken('');
        onDone(answer?.account ? `Token saved (account ${answer.account}).` : 'Token saved.');
      } catch (err) {
        if (live.current) setError(err);
      } finally {
        if (live.current) setBusy(false);
      }
    }

    return h(
      React.Fragment,
      null,
      state?.tokenSet ? h('p', { className: 'plexsync-token-set' }, 'A Plex token is saved. Sign in again only to use another account.') : null,
      h('button', { type: 'button', className: 'btn btn-primary plexsync-signin', disabled: busy || !!pin, onClick: start }, 'Sign in with Plex'),
      pin
        ? h(
            'p',
            { className: 'plexsync-pin-wait' },
            'Approve PlexSync in the Plex window that opened (code ',
            h('strong', null, pin.code),
            '). ',
            h('a', { className: 'plexsync-pin-link', href: pin.authUrl, target: '_blank', rel: 'noopener noreferrer' }, 'Open it again'),
            '. Waiting…',
          )
        : null,
      h(
        'form',
        { className: 'plexsync-token-form form-inline', onSubmit: saveToken },
        h('label', { htmlFor: 'plexsync-token', className: 'mr-2' }, 'Or paste a Plex token:'),
        h('input', {
          id: 'plexsync-token',
          type: 'password',
          autoComplete: 'off',
          className: 'form-control form-control-sm mr-2 plexsync-token-input',
          value: token,
          onChange: (e) => setToken(e.target.value),
        }),
        h('button', { type: 'submit', className: 'btn btn-secondary btn-sm plexsync-token-save', disabled: busy || token.trim() === '' }, 'Save token'),
      ),
      error ? h(Failure, { error }) : null,
    );
  }

  function Servers(props) {
    const { runOperation, Failure, live, state, onDone } = props;
    const [servers, setServers] = useState(null);
    const [error, setError] = useState(null);
    const [choice, setChoice] = useState(state?.plexUrl || '');
    const [manual, setManual] = useState('');
    const [busy, setBusy] = useState(false);

    async function load() {
      setError(null);
      setServers(null);
      try {
        const answer = await runOperation({ mode: 'plex_servers' });
        if (!live.current) return;
        const list = Array.isArray(answer?.servers) ? answer.servers : [];
        setServers(list);
        const first = list.flatMap((s) => s.connections || []).find((c) => c.ok);
        if (!choice && first) setChoice(first.uri);
      } catch (err) {
        if (live.current) setError(err);
      }
    }

    async function save(url) {
      setError(null);
      setBusy(true);
      // Naming the server lets the backend use a shared server's own token.
      const server = (servers || []).find((s) => (s.connections || []).some((c) => c.uri === url));
      try {
        await runOperation(Object.assign({ mode: 'setup_save', plexUrl: url }, server?.clientIdentifier ? { serverId: server.clientIdentifier } : {}));
        if (live.current) onDone(`Plex URL saved: ${url}`);
      } catch (err) {
        if (live.current) setError(err);
      } finally {
        if (live.current) setBusy(false);
      }
    }

    useEffect(() => {
      load();
    }, []);

    return h(
      React.Fragment,
      null,
      servers === null && !error ? h('p', { className: 'plexsync-servers-loading' }, 'Looking for your Plex servers and testing their addresses…') : null,
      servers && servers.length === 0 ? h('p', { className: 'plexsync-no-servers' }, 'This Plex account has no server. Enter its address below.') : null,
      (servers || []).map((server) =>
        h(
          'div',
          { key: server.clientIdentifier || server.name, className: 'plexsync-server' },
          h('div', { className: 'plexsync-server-name' }, server.name, server.owned === false ? ' (shared with you)' : ''),
          (server.connections || []).map((c) =>
            h(
              'label',
              { key: c.uri, className: `plexsync-connection ${c.ok ? 'plexsync-ok' : 'plexsync-bad'}` },
              h('input', { type: 'radio', name: 'plexsync-connection', value: c.uri, checked: choice === c.uri, disabled: !c.ok, onChange: () => setChoice(c.uri) }),
              ' ',
              c.uri,
              c.local ? ' (local)' : c.relay ? ' (relay)' : ' (remote)',
              ' ',
              h('span', { className: 'plexsync-connection-result' }, c.ok ? `answers in ${c.ms} ms` : `does not answer: ${c.error || 'no answer'}`),
            ),
          ),
        ),
      ),
      h(
        'div',
        { className: 'plexsync-actions' },
        h('button', { type: 'button', className: 'btn btn-primary plexsync-server-save', disabled: busy || !choice, onClick: () => save(choice) }, 'Use this address'),
        h('button', { type: 'button', className: 'btn btn-secondary plexsync-servers-reload', disabled: busy, onClick: load }, 'Test again'),
      ),
      h(
        'form',
        {
          className: 'plexsync-manual-url form-inline',
          onSubmit: (e) => {
            e.preventDefault();
            save(manual.trim());
          },
        },
        h('label', { htmlFor: 'plexsync-url', className: 'mr-2' }, 'Or enter the address:'),
        h('input', { id: 'plexsync-url', className: 'form-control form-control-sm mr-2 plexsync-url-input', placeholder: 'http://127.0.0.1:32400', value: manual, onChange: (e) => setManual(e.target.value) }),
        h('button', { type: 'submit', className: 'btn btn-secondary btn-sm', disabled: busy || manual.trim() === '' }, 'Save address'),
      ),
      error ? h(Failure, { error }) : null,
    );
  }

  function Libraries(props) {
    const { runOperation, Failure, live, onDone } = props;
    const [info, setInfo] = useState(null);
    const [picked, setPicked] = useState([]);
    const [pathMap, setPathMap] = useState('');
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);

    async function load() {
      setError(null);
      try {
        const answer = await runOperation({ mode: 'plex_libraries' });
        if (!live.current) return;
        setInfo(answer);
        setPicked((answer.libraries || []).filter((l) => l.selected).map((l) => l.title));
        setPathMap(answer.paths ? answer.paths.suggestion : '');
      } catch (err) {
        if (live.current) setError(err);
      }
    }

    async function save() {
      setError(null);
      setBusy(true);
      try {
        await runOperation({ mode: 'setup_save', plexLibraries: picked.join(','), pathMap });
        if (live.current) onDone(`Saved: ${picked.length} librar${picked.length === 1 ? 'y' : 'ies'}, path mapping ${pathMap === '' ? '(none)' : pathMap}.`);
      } catch (err) {
        if (live.current) setError(err);
      } finally {
        if (live.current) setBusy(false);
      }
    }

    useEffect(() => {
      load();
    }, []);

    const toggle = (title) => setPicked((now) => (now.includes(title) ? now.filter((t) => t !== title) : now.concat(title)));
    const paths = info?.paths;
    return h(
      React.Fragment,
      null,
      !info && !error ? h('p', { className: 'plexsync-libraries-loading' }, 'Reading your Plex libraries and comparing file paths…') : null,
      info
        ? h(
            'div',
            { className: 'plexsync-libraries' },
            (info.libraries || []).map((l) =>
              h(
                'label',
                { key: l.title, className: 'plexsync-library d-block' },
                h('input', { type: 'checkbox', checked: picked.includes(l.title), onChange: () => toggle(l.title) }),
                ` ${l.title}`,
                typeof l.items === 'number' ? ` (${l.items} items)` : '',
              ),
            ),
            (info.libraries || []).length === 0 ? h('p', { className: 'plexsync-no-libraries' }, 'Plex has no Movies library. Create one in Plex for the folders Stash scans, then press Test again.') : null,
          )
        : null,
      paths
        ? h(
            'p',
            { className: 'plexsync-paths' },
            paths.suggestion === '' ? 'Stash and Plex see the same paths: no path mapping needed. ' : `Suggested path mapping: ${paths.suggestion}. `,
            h('span', { className: 'plexsync-paths-count' }, `${paths.matchedWithSuggestion} of ${paths.scenes} scenes have a file Plex has at exactly that path.`),
          )
        : null,
      info
        ? h(
            'div',
            { className: 'form-group' },
            h('label', { htmlFor: 'plexsync-pathmap' }, 'Path mapping (stashPrefix=>plexPrefix; several separated by ;)'),
            h('input', { id: 'plexsync-pathmap', className: 'form-control form-control-sm plexsync-pathmap-input', value: pathMap, onChange: (e) => setPathMap(e.target.value) }),
          )
        : null,
      h(
        'div',
        { className: 'plexsync-actions' },
        h('button', { type: 'button', className: 'btn btn-primary plexsync-libraries-save', disabled: busy || !info, onClick: save }, 'Save libraries and mapping'),
        h('button', { type: 'button', className: 'btn btn-secondary', disabled: busy, onClick: load }, 'Test again'),
      ),
      error ? h(Failure, { error }) : null,
    );
  }

  function Check(props) {
    const { runOperation, Failure, live } = props;
    const [report, setReport] = useState(null);
    const [error, setError] = useState(null);
    const [busy, setBusy] = useState(false);
    async function run() {
      setError(null);
      setBusy(true);
      try {
        const answer = await runOperation({ mode: 'check_setup' });
        if (live.current) setReport(answer);
      } catch (err) {
        if (live.current) setError(err);
      } finally {
        if (live.current) setBusy(false);
      }
    }
    return h(
      React.Fragment,
      null,
      h('button', { type: 'button', className: 'btn btn-primary plexsync-check', disabled: busy, onClick: run }, busy ? 'Testing…' : 'Test connection'),
      report
        ? h(
            'ul',
            { className: 'plexsync-checks list-unstyled' },
            (report.checks || []).map((c) =>
              h(
                'li',
                { key: c.name, className: `plexsync-check-line ${c.ok ? 'plexsync-ok' : 'plexsync-bad'}`, 'data-check': c.name },
                h('span', { className: 'plexsync-check-mark' }, c.ok ? '✓ ' : '✗ '),
                c.detail,
                !c.ok && c.fix ? h('div', { className: 'plexsync-check-fix' }, c.fix) : null,
              ),
            ),
          )
        : null,
      report?.ok ? h('p', { className: 'plexsync-notice plexsync-all-good' }, 'PlexSync is ready. Run "Sync all scenes" from Stash\'s Tasks page to bring your library in.') : null,
      error ? h(Failure, { error }) : null,
    );
  }

  function SetupPage(props) {
    const { runOperation, Failure, internalLink, useLive, queuePath, onSaved } = props;
    const live = useLive();
    const [state, setState] = useState(null);
    const [error, setError] = useState(null);
    const [notice, setNotice] = useState('');

    async function load() {
      try {
        const answer = await runOperation({ mode: 'setup_state' });
        if (live.current) setState(answer);
      } catch (err) {
        if (live.current) setError(err);
      }
    }
    useEffect(() => {
      load();
    }, []);

    const done = (message) => {
      setNotice(message);
      onSaved();
      load();
    };
    const shared = { runOperation, Failure, live, state, onDone: done };
    const signedIn = !!state?.tokenSet;
    const hasUrl = !!state?.plexUrl;
    return h(
      'div',
      { className: 'plexsync-setup container', 'data-signed-in': String(signedIn), 'data-has-url': String(hasUrl) },
      h('h2', null, 'Set up PlexSync'),
      h('p', null, internalLink(queuePath, 'plexsync-queue-link', 'Back to the PlexSync queue')),
      !state && !error ? h('p', null, 'Loading…') : null,
      error ? h(Failure, { error }) : null,
      notice ? h('p', { className: 'plexsync-notice plexsync-setup-notice' }, notice) : null,
      state
        ? h(
            React.Fragment,
            null,
            h(Step, { number: 1, name: 'signin', title: 'Sign in to Plex', done: signedIn }, h(SignIn, shared)),
            signedIn ? h(Step, { number: 2, name: 'server', title: 'Choose your Plex server', done: hasUrl }, h(Servers, shared)) : null,
            signedIn && hasUrl ? h(Step, { number: 3, name: 'libraries', title: 'Libraries and path mapping', done: !!state.librariesSaved }, h(Libraries, shared)) : null,
            signedIn && hasUrl ? h(Step, { number: 4, name: 'check', title: 'Test connection' }, h(Check, shared)) : null,
          )
        : null,
    );
  }

  window.PlexSyncSetup = { SetupPage };
})();
