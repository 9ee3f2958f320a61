// The Peers list (/ui/:dc/peers): Consul's list with state badges, imported and exported counts and the row menu
// (View, Regenerate token, Revoke token, Delete), its search bar (search across Name and ID, Status filter, sort)
// and empty states; ours: an Outstanding token column. Kept current by blocking queries on /v1/peerings and
// /v1/peering/token. Query parameters as Consul's: filter, searchproperty, state, sort.

import { peerings, watch } from '../api.js';
import { badge, emptyState, errorNotice, h, replaceChildren, uniqueId, withTooltip } from '../dom.js';
import { actionsMenu } from '../menu.js';
import { pagePath } from '../paths.js';
import { openAddPeer, openRegenerate } from './add-peer.js';
import { confirmDelete } from './delete-peer.js';

/** Consul's status order, "Pending to Deleting". */
const STATES = ['PENDING', 'ESTABLISHING', 'ACTIVE', 'FAILING', 'TERMINATED', 'DELETING'];
const SEARCH_PROPERTIES = ['Name', 'ID'];
const SORTS = [
  { group: 'Status', options: [['State:asc', 'Pending to Deleting'], ['State:desc', 'Deleting to Pending']] },
  { group: 'Name', options: [['Name:asc', 'A to Z'], ['Name:desc', 'Z to A']] },
];
const capitalize = (s) => s.charAt(0) + s.slice(1).toLowerCase();

/** Whether a row gets the actions menu: not while DELETING, TERMINATED or UNDEFINED (Consul's "can delete peer"). */
export function hasActions(peer) {
  return !['DELETING', 'TERMINATED', 'UNDEFINED'].includes(peer.State);
}

/** The token side of a peering (Consul's UI calls it isDialer): the one that generated the token has no PeerID. */
export function canRegenerate(peer) {
  return hasActions(peer) && !peer.PeerID;
}

/** Renders the list into main; everything it starts stops when ctx.signal aborts. */
export function render(main, ctx) {
  document.title = 'Peers - Consul';
  const query = readQuery(ctx.query);
  let items = null;
  // The outstanding tokens by peer name (lower case); null until read, or when they cannot be read.
  let tokens = null;

  const addButton = h('button', { type: 'button', class: 'button primary', dataset: { testCreate: '' } }, 'Add peer connection');
  addButton.addEventListener('click', () => openAddPeer(ctx, {
    onEstablished: (name) => ctx.navigate(pagePath(`${ctx.dc}/peers/${encodeURIComponent(name)}/imported-services`)),
  }));

  const toolbar = h('div', { class: 'toolbar', hidden: true });
  const pills = h('div', { class: 'pills', hidden: true });
  const problem = h('div', { class: 'problem' });
  const content = h('div', { class: 'content' }, h('p', { class: 'loading', text: 'Loading…' }));
  const table = peersTable();
  let controls;

  replaceChildren(main,
    h('div', { class: 'page-header' }, h('h1', { text: 'Peers' }), h('div', { class: 'actions' }, addButton)),
    toolbar, pills, problem, content);
  buildToolbar();

  watch((options) => peerings.list(options), {
    signal: ctx.signal,
    onData: (data) => {
      items = data || [];
      replaceChildren(problem);
      update();
    },
    onError: (error) => {
      if (error.isAclDenial || items === null) {
        ctx.pageError(error);
      } else {
        replaceChildren(problem, errorNotice(error.message));
      }
    },
  });

  watch((options) => peerings.outstandingTokens(options), {
    signal: ctx.signal,
    onData: (data) => {
      tokens = groupTokens(data || []);
      if (items !== null) update();
    },
    onError: () => {
      tokens = null;
      if (items !== null) update();
    },
  });

  function update() {
    toolbar.hidden = items.length === 0;
    renderPills();
    const shown = visible(items, query);
    if (shown.length === 0) {
      replaceChildren(content, emptyList(items.length > 0));
      return;
    }
    if (!content.contains(table.element)) {
      replaceChildren(content, table.element);
    }
    table.update(shown, ctx, tokens, {
      onRegenerate: (peer) => openRegenerate(ctx, peer),
      onRevoke: (peer) => peerings.revokeToken(peer.Name).catch((error) => replaceChildren(problem, errorNotice(error.message))),
      onDelete: (peer) => confirmDelete(ctx, peer, {
        onDeleted: () => {
          // Consul's optimistic write: the row reads DELETING until the next answer says otherwise.
          items = items.map((p) => (p.Name === peer.Name ? { ...p, State: 'DELETING' } : p));
          update();
        },
      }),
    });
  }

  function emptyList(searched) {
    const ending = ctx.aclsEnabled
      ? [', or you may not have the ', h('code', { text: 'peering:read' }), ' permissions to access this view.']
      : ['.'];
    const body = h('p', {}, searched
      ? 'No peers were found matching that search'
      : 'Cluster peering is the recommended way to connect services across or within Consul datacenters. '
        + 'Peering is a one-to-one relationship in which each peer is either a open-source Consul datacenter or a '
        + "Consul enterprise admin partition. There don't seem to be any peers for this datacenter", ...ending);
    const actions = [
      h('a', { href: 'https://developer.hashicorp.com/consul/docs/connect/cluster-peering', rel: 'noopener noreferrer', target: '_blank', text: 'Documentation on Peers' }),
      h('a', { href: 'https://developer.hashicorp.com/consul/docs/connect/cluster-peering/create-manage-peering', rel: 'noopener noreferrer', target: '_blank', text: 'Take the tutorial' }),
    ];
    if (ctx.aclsEnabled && !ctx.loggedIn) {
      actions.unshift(h('button', { type: 'button', class: 'button secondary', dataset: { testEmptyStateLogin: '' }, onclick: () => ctx.openLogin() }, 'Log in'));
    }
    return emptyState({ header: searched ? 'No peers found' : 'Welcome to Peers', body, actions });
  }

  function buildToolbar() {
    const searchId = uniqueId('peers-search');
    const search = h('input', { type: 'search', id: searchId, placeholder: 'Search', value: query.filter });
    search.addEventListener('input', () => {
      query.filter = search.value;
      changed();
    });

    const across = checkboxDropdown('Search Across', SEARCH_PROPERTIES.map((p) => [p, p]), query.searchproperty, (selected) => {
      query.searchproperty = selected;
      changed();
    });
    const status = checkboxDropdown('Status', STATES.map((s) => [s, capitalize(s)]), query.state, (selected) => {
      query.state = selected;
      changed();
    });
    const sortId = uniqueId('peers-sort');
    const sort = h('select', { id: sortId },
      SORTS.map(({ group, options }) => h('optgroup', { label: group },
        options.map(([value, label]) => h('option', { value, selected: value === query.sort, text: label })))));
    sort.addEventListener('change', () => {
      query.sort = sort.value;
      changed();
    });

    replaceChildren(toolbar,
      h('div', { class: 'search' }, h('label', { for: searchId, class: 'visually-hidden', text: 'Search' }), search),
      across.element, status.element,
      h('div', { class: 'sort' }, h('label', { for: sortId, text: 'Sort' }), sort));
    controls = { status, search };
  }

  function renderPills() {
    const active = query.state.map((s) => h('button', {
      type: 'button',
      class: 'pill',
      'aria-label': `Remove filter: Status ${capitalize(s)}`,
      onclick: () => {
        query.state = query.state.filter((x) => x !== s);
        controls.status.set(query.state);
        changed();
      },
    }, capitalize(s), h('span', { 'aria-hidden': 'true', text: ' ×' })));
    if (query.filter) {
      active.unshift(h('button', {
        type: 'button',
        class: 'pill',
        'aria-label': `Remove filter: Search ${query.filter}`,
        onclick: () => {
          query.filter = '';
          controls.search.value = '';
          changed();
        },
      }, `Search: ${query.filter}`, h('span', { 'aria-hidden': 'true', text: ' ×' })));
    }
    pills.hidden = active.length === 0 || items.length === 0;
    if (active.length > 1) {
      active.push(h('button', {
        type: 'button',
        class: 'pill remove-all',
        onclick: () => {
          query.filter = '';
          query.state = [];
          controls.search.value = '';
          controls.status.set([]);
          changed();
        },
      }, 'Remove filters'));
    }
    replaceChildren(pills, active);
  }

  function changed() {
    ctx.setQuery(writeQuery(query));
    update();
  }
}

/** The table of peers, updated in place so that focus and an open row menu survive each refresh. */
function peersTable() {
  const body = h('tbody');
  const element = h('table', { class: 'consul-peer-list' },
    h('caption', { class: 'visually-hidden', text: 'Peers' }),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', text: 'Name' }),
      h('th', { scope: 'col', text: 'Status' }),
      h('th', { scope: 'col', text: 'Imported services' }),
      h('th', { scope: 'col', text: 'Exported services' }),
      h('th', { scope: 'col', text: 'Outstanding token' }),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
    body);
  const rows = new Map();

  function update(peers, ctx, tokens, handlers) {
    const names = new Set(peers.map((p) => p.Name));
    for (const [name, row] of rows) {
      if (!names.has(name)) {
        row.element.remove();
        rows.delete(name);
      }
    }
    peers.forEach((peer, position) => {
      let row = rows.get(peer.Name);
      if (!row) {
        row = { element: h('tr', { dataset: { peer: peer.Name } }, h('th', { scope: 'row' }), h('td'), h('td'), h('td'), h('td'), h('td')), keys: [] };
        rows.set(peer.Name, row);
      }
      const cells = [...row.element.children];
      const parts = rowParts(peer, ctx, tokens, handlers);
      parts.forEach(([key, build], i) => {
        if (row.keys[i] !== key) {
          row.keys[i] = key;
          replaceChildren(cells[i], build());
        }
      });
      if (body.children[position] !== row.element) {
        body.insertBefore(row.element, body.children[position] || null);
      }
    });
  }

  return { element, update };
}

/** Each cell of a row as [what it shows, how to build it]; a cell is rebuilt only when what it shows changed. */
function rowParts(peer, ctx, tokens, handlers) {
  const imported = (peer.StreamStatus?.ImportedServices || []).length;
  const exported = (peer.StreamStatus?.ExportedServices || []).length;
  const detail = pagePath(`${ctx.dc}/peers/${encodeURIComponent(peer.Name)}/imported-services`);
  const lastError = peer.State === 'FAILING' ? peer.StreamStatus?.LastError || '' : '';
  const left = peer.State === 'DELETING' ? peer.StreamStatus?.ImportedItemsLeft : undefined;
  const token = tokens ? tokens.get(peer.Name.toLowerCase()) || { live: null, superseded: 0 } : null;
  return [
    [peer.Name, () => h('a', { href: detail, text: peer.Name })],
    [JSON.stringify([peer.State, lastError, left]), () => [
      badge(peer.State),
      lastError ? h('p', { class: 'failure-reason', text: lastError }) : null,
      left !== undefined && left !== null ? h('p', { class: 'purge-progress', text: purgeText(left) }) : null,
    ]],
    [`${imported}`, () => withTooltip(h('span', { text: `${imported} imported services` }), `The number of services imported from ${peer.Name}`)],
    [`${exported}`, () => withTooltip(h('span', { text: `${exported} exported services` }), `The number of services exported to ${peer.Name}`)],
    [JSON.stringify(token), () => h('span', { class: 'outstanding-token', text: tokenText(token) })],
    [JSON.stringify([hasActions(peer), canRegenerate(peer), Boolean(token?.live)]), () => (hasActions(peer) ? actionsMenu(`More actions for ${peer.Name}`, [
      { label: 'View', href: detail, dataset: { testEditAction: '' } },
      canRegenerate(peer) ? { label: 'Regenerate token', onSelect: () => handlers.onRegenerate(peer), dataset: { testEditAction: '' } } : null,
      token?.live ? { label: 'Revoke token', onSelect: () => handlers.onRevoke(peer), dataset: { testRevokeAction: '' } } : null,
      { label: 'Delete', dangerous: true, onSelect: () => handlers.onDelete(peer), dataset: { testDeleteAction: '' } },
    ].filter(Boolean)) : null)],
  ];
}

/** The outstanding tokens by lower-case peer name: the live one (not superseded) and how many superseded ones. */
export function groupTokens(list) {
  const byName = new Map();
  for (const token of list) {
    const key = token.PeerName.toLowerCase();
    const entry = byName.get(key) || { live: null, superseded: 0 };
    if (token.Superseded) {
      entry.superseded += 1;
    } else {
      entry.live = token.ExpiresAt;
    }
    byName.set(key, entry);
  }
  return byName;
}

/** Ours: what the Outstanding token cell says; null tokens (not readable) show a dash. */
export function tokenText(token) {
  if (!token) {
    return '—';
  }
  const superseded = token.superseded ? `${token.superseded} superseded` : '';
  if (!token.live) {
    return superseded ? `None usable (${superseded})` : 'None';
  }
  const until = `Unused, expires ${token.live.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}`;
  return superseded ? `${until}; ${superseded}` : until;
}

/** Ours: how much a DELETING peering still has to purge. */
export function purgeText(left) {
  return left === 0 ? 'Imported data purged; finishing the deletion.' : `Purging imported data: ${left} item${left === 1 ? '' : 's'} left.`;
}

/**
 * A dropdown of checkboxes (Consul's multi-select filters): a disclosure button with the count of selected
 * options, and a group of labelled checkboxes. set(values) changes the selection without calling onChange.
 */
function checkboxDropdown(label, options, selected, onChange) {
  const id = uniqueId('dropdown');
  const button = h('button', { type: 'button', class: 'dropdown-button', 'aria-expanded': 'false', 'aria-controls': id });
  const boxes = options.map(([value, text]) => {
    const boxId = uniqueId('option');
    const input = h('input', { type: 'checkbox', id: boxId, value, checked: selected.includes(value) });
    input.addEventListener('change', () => {
      onChange(boxes.filter((b) => b.input.checked).map((b) => b.input.value));
      refresh();
    });
    return { input, element: h('li', {}, input, h('label', { for: boxId, text })) };
  });
  const panel = h('fieldset', { class: 'dropdown-panel', id, hidden: true },
    h('legend', { class: 'visually-hidden', text: label }), h('ul', {}, boxes.map((b) => b.element)));
  const element = h('div', { class: 'dropdown' }, button, panel);

  function refresh() {
    const count = boxes.filter((b) => b.input.checked).length;
    replaceChildren(button, label, count ? h('span', { class: 'count', text: ` (${count})` }) : null);
  }
  const onOutside = (event) => {
    if (!element.contains(event.target)) {
      toggle(false);
    }
  };
  function toggle(open) {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) {
      document.addEventListener('pointerdown', onOutside);
    } else {
      document.removeEventListener('pointerdown', onOutside);
    }
  }
  button.addEventListener('click', () => toggle(panel.hidden));
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) {
      event.preventDefault();
      toggle(false);
      button.focus();
    }
  });
  refresh();
  return {
    element,
    set(values) {
      boxes.forEach((b) => { b.input.checked = values.includes(b.input.value); });
      refresh();
    },
  };
}

/** The rows to show: searched (free text over the chosen properties), filtered by state, sorted. */
export function visible(items, query) {
  const text = query.filter.trim().toLowerCase();
  const [property, direction] = query.sort.split(':');
  const rank = (p) => {
    const i = STATES.indexOf(p.State);
    return i < 0 ? STATES.length : i;
  };
  const byName = (a, b) => a.Name.localeCompare(b.Name);
  const compare = property === 'Name'
    ? byName
    : (a, b) => rank(a) - rank(b) || byName(a, b);
  return items
    .filter((p) => !text || query.searchproperty.some((prop) => String(p[prop] || '').toLowerCase().includes(text)))
    .filter((p) => query.state.length === 0 || query.state.includes(p.State))
    .sort((a, b) => (direction === 'desc' ? -compare(a, b) : compare(a, b)));
}

function readQuery(params) {
  const list = (name) => (params.get(name) ? params.get(name).split(',').filter(Boolean) : null);
  const sort = params.get('sort');
  return {
    filter: params.get('filter') || '',
    searchproperty: list('searchproperty') || [...SEARCH_PROPERTIES],
    state: (list('state') || []).map((s) => s.toUpperCase()).filter((s) => STATES.includes(s)),
    sort: SORTS.some((g) => g.options.some(([v]) => v === sort)) ? sort : 'State:asc',
  };
}

function writeQuery(query) {
  const params = new URLSearchParams();
  if (query.filter) params.set('filter', query.filter);
  if (query.searchproperty.join(',') !== SEARCH_PROPERTIES.join(',')) params.set('searchproperty', query.searchproperty.join(','));
  if (query.state.length) params.set('state', query.state.join(','));
  if (query.sort !== 'State:asc') params.set('sort', query.sort);
  return params;
}
