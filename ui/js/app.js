// The Peers page's shell: routes under /ui/ (History API; the local server and CloudFront answer index.html for
// every route), the datacenter, the "Log in" / "Log out" buttons, and the page-level error. Each route renders
// one view into <main>; leaving a route aborts everything the view started (its blocking queries, its timers).
//
// Routes, as Consul's:
//   /ui/                                        -> /ui/{dc}/peers
//   /ui/{dc}/peers                              the list (?filter=&searchproperty=&state=&sort=)
//   /ui/{dc}/peers/{name}                       -> .../imported-services
//   /ui/{dc}/peers/{name}/imported-services     the detail page, one route per tab
//   /ui/{dc}/peers/{name}/exported-services
//   /ui/{dc}/peers/{name}/addresses
//   /ui/{dc}/peers/{name}/intentions            (ours)

import { acl, aclToken, agent, ApiError } from './api.js';
import { h, replaceChildren } from './dom.js';
import * as peersList from './views/peers-list.js';
import * as peerDetail from './views/peer-detail.js';
import { openLogin, renderPageError } from './views/login.js';

const main = document.getElementById('main');
const loginButton = document.getElementById('login-button');
const logoutButton = document.getElementById('logout-button');
const datacenterLabel = document.getElementById('datacenter');
const navPeers = document.getElementById('nav-peers');

const session = { datacenter: null, aclsEnabled: false, loggedIn: false };
let current = null;

const ROUTES = [
  { pattern: /^\/ui\/([^/]+)\/peers\/?$/, view: peersList, params: () => ({}) },
  { pattern: /^\/ui\/([^/]+)\/peers\/([^/]+)\/?$/, redirect: (m) => `/ui/${m[1]}/peers/${m[2]}/imported-services` },
  {
    pattern: /^\/ui\/([^/]+)\/peers\/([^/]+)\/(imported-services|exported-services|addresses|intentions)\/?$/,
    view: peerDetail,
    params: (m) => ({ name: decodeURIComponent(m[2]), tab: m[3] }),
  },
];

/** Goes to a path of the page (pushes a history entry unless replace). */
function navigate(path, { replace = false } = {}) {
  if (replace) {
    history.replaceState(null, '', path);
  } else {
    history.pushState(null, '', path);
  }
  route();
}

/** Renders the view of the current location; aborts the previous view's work first. */
async function route() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = window.location.pathname;

  if (!session.datacenter) {
    try {
      await start(controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) {
        showError(error);
      }
      return;
    }
    if (controller.signal.aborted) {
      return;
    }
  }
  navPeers.href = `/ui/${session.datacenter}/peers`;

  for (const candidate of ROUTES) {
    const match = path.match(candidate.pattern);
    if (!match) {
      continue;
    }
    if (candidate.redirect) {
      navigate(candidate.redirect(match), { replace: true });
      return;
    }
    const ctx = {
      dc: match[1],
      ...candidate.params(match),
      query: new URLSearchParams(window.location.search),
      signal: controller.signal,
      get aclsEnabled() { return session.aclsEnabled; },
      get loggedIn() { return session.loggedIn; },
      navigate,
      setQuery: (params) => {
        const search = params.toString();
        history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
      },
      openLogin: login,
      pageError: (error) => {
        if (!controller.signal.aborted) {
          showError(error);
        }
      },
    };
    navPeers.setAttribute('aria-current', 'page');
    candidate.view.render(main, ctx);
    return;
  }
  if (/^\/ui\/?(index\.html)?$/.test(path)) {
    navigate(`/ui/${session.datacenter}/peers`, { replace: true });
    return;
  }
  showError(new ApiError(404, 'Page not found'));
}

/** Learns the datacenter and whether ACLs are on (once per page load, and again after a login). */
async function start(signal) {
  const self = await agent.self({ signal });
  session.datacenter = self.data?.Config?.Datacenter || 'dc1';
  datacenterLabel.textContent = session.datacenter;
  await refreshAcl();
}

/**
 * ACLs are on when /v1/acl/token/self answers 200 (logged in) or 403 (not logged in); any other answer (no such
 * route, "ACL support disabled") means they are off and the page shows no login.
 */
async function refreshAcl() {
  try {
    await acl.tokenReadSelf();
    session.aclsEnabled = true;
    session.loggedIn = true;
  } catch (error) {
    session.aclsEnabled = error.status === 403;
    session.loggedIn = false;
  }
  loginButton.hidden = !session.aclsEnabled || session.loggedIn;
  logoutButton.hidden = !session.loggedIn && !aclToken.get();
}

function showError(error) {
  current?.abort();
  current = new AbortController();
  if (error.status === 403) {
    session.aclsEnabled = true;
    loginButton.hidden = false;
  }
  renderPageError(main, error, { openLogin: login });
}

function login() {
  openLogin({
    onLoggedIn: async () => {
      session.datacenter = null;
      route();
    },
  });
}

loginButton.addEventListener('click', login);
logoutButton.addEventListener('click', () => {
  aclToken.clear();
  session.datacenter = null;
  route();
});

// Links inside the page change the route without a reload.
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
    || event.altKey || link.target || link.origin !== window.location.origin || !link.pathname.startsWith('/ui/')) {
    return;
  }
  event.preventDefault();
  navigate(link.pathname + link.search);
  main.focus({ preventScroll: true });
});
window.addEventListener('popstate', route);

route();
