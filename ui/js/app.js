// The Peers page's shell: routes under the page's base path, /ui/ (or /v1/ui/ on the REST API variant; see
// paths.js), with the History API (the local server, CloudFront and the REST API answer index.html for every
// route), the datacenter, the "Log in" / "Log out" buttons, and the page-level error. Each route renders one view
// into <main>; leaving a route aborts everything the view started (its blocking queries, its timers).
//
// Routes, as Consul's (shown with the base /ui/):
//   /ui/                                        -> /ui/{dc}/peers
//   /ui/{dc}/peers                              the list (?filter=&searchproperty=&state=&sort=)
//   /ui/{dc}/peers/{name}                       -> .../imported-services
//   /ui/{dc}/peers/{name}/imported-services     the detail page, one route per tab
//   /ui/{dc}/peers/{name}/exported-services
//   /ui/{dc}/peers/{name}/addresses
//   /ui/{dc}/peers/{name}/intentions            (ours)

import { acl, aclToken, agent, ApiError } from './api.js';
import { h, replaceChildren } from './dom.js';
import { BASE, pagePath, routeOf } from './paths.js';
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

// Matched against the route part of the address, after the base path ("dc1/peers").
const ROUTES = [
  { pattern: /^([^/]+)\/peers\/?$/, view: peersList, params: () => ({}) },
  { pattern: /^([^/]+)\/peers\/([^/]+)\/?$/, redirect: (m) => pagePath(`${m[1]}/peers/${m[2]}/imported-services`) },
  {
    pattern: /^([^/]+)\/peers\/([^/]+)\/(imported-services|exported-services|addresses|intentions)\/?$/,
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
  const path = routeOf(window.location.pathname);

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
  navPeers.href = pagePath(`${session.datacenter}/peers`);

  for (const candidate of path === null ? [] : ROUTES) {
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
  if (path !== null && /^(index\.html)?$/.test(path)) {
    navigate(pagePath(`${session.datacenter}/peers`), { replace: true });
    return;
  }
  showError(new ApiError(404, 'Page not found'));
}

/**
 * Learns the datacenter and whether ACLs are on (once per page load, and again after a login or a logout). The
 * datacenter comes from /v1/agent/self, which needs agent:read; a token without it (a peering operator's) still
 * gets the page when the address names the datacenter (/ui/dc1/peers), and the views then meet the API's own
 * answers. Without either, the agent's refusal is the page's error (Consul's login prompt for a 403).
 */
async function start(signal) {
  let datacenter;
  try {
    datacenter = (await agent.self({ signal })).data?.Config?.Datacenter;
  } catch (error) {
    datacenter = error instanceof ApiError && error.isAclDenial ? datacenterInAddress() : null;
    if (!datacenter) {
      throw error;
    }
  }
  session.datacenter = datacenter || 'dc1';
  datacenterLabel.textContent = session.datacenter;
  await refreshAcl();
}

/** The datacenter named by the address ("dc1" of /ui/dc1/peers), or null. */
function datacenterInAddress() {
  const route = routeOf(window.location.pathname);
  const match = route && route.match(/^([^/]+)\/peers(\/|$)/);
  return match ? decodeURIComponent(match[1]) : null;
}

/**
 * Whether ACLs are on and whether a token is logged in, from GET /v1/acl/token/self with the stored token (if any),
 * as the server answers it:
 * - 200: ACLs are on and the token sent resolves (with no token stored, the anonymous token answers, which is
 *   not a login);
 * - 404 "Supplied token does not exist" (Consul 1.15+ and ours; before bootstrap even the anonymous token does
 *   not exist) or 403 (older Consul, "ACL not found"): ACLs are on, nobody is logged in;
 * - 401 "ACL support disabled", or anything else: ACLs are off, the page shows no login.
 */
async function refreshAcl() {
  const stored = aclToken.get();
  try {
    await acl.tokenReadSelf();
    session.aclsEnabled = true;
    session.loggedIn = Boolean(stored);
  } catch (error) {
    session.aclsEnabled = error.status === 403 || (error.status === 404 && /token does not exist|ACL not found/.test(error.message));
    session.loggedIn = false;
  }
  loginButton.hidden = !session.aclsEnabled || session.loggedIn;
  logoutButton.hidden = !session.loggedIn && !stored;
}

function showError(error) {
  current?.abort();
  current = new AbortController();
  if (error.status === 403) {
    session.aclsEnabled = true;
    loginButton.hidden = false;
  }
  logoutButton.hidden = !session.loggedIn && !aclToken.get();
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
    || event.altKey || link.target || link.origin !== window.location.origin || !link.pathname.startsWith(BASE)) {
    return;
  }
  event.preventDefault();
  navigate(link.pathname + link.search);
  main.focus({ preventScroll: true });
});
window.addEventListener('popstate', route);

route();
