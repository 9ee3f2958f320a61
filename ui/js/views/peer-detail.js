// A peer's page (/ui/:dc/peers/:name/<tab>): Consul's Status and latest heartbeat / receipt / send, and the tabs
// Imported Services, Exported Services and Addresses (only on the side that established, which has a PeerID).
// Ours, beyond Consul: FAILING says why and when it last worked, DELETING shows the purge, the Exported Services tab
// adds or removes this peer as a consumer of a service (the exported-services entry), and the Intentions tab allows
// or denies a service of this peer (service-intentions entries). Every part is kept current by blocking queries.

import {
  ApiError, configEntries, catalog, exportedServices, health, importedServices, peerings, poll, watch,
} from '../api.js';
import {
  absoluteTime, badge, copyButton, emptyState, errorNotice, h, icon, isNoTime, relativeTime, replaceChildren,
  toast, uniqueId, withTooltip,
} from '../dom.js';
import { pagePath } from '../paths.js';
import { purgeText } from './peers-list.js';

const TABS = [
  { slug: 'imported-services', label: 'Imported Services', tooltip: (n) => `Services imported from ${n}` },
  { slug: 'exported-services', label: 'Exported Services', tooltip: (n) => `Services exported to ${n}` },
  { slug: 'addresses', label: 'Addresses', dialerOnly: true },
  { slug: 'intentions', label: 'Intentions', tooltip: (n) => `Intentions for services of ${n}` },
];

/** Renders the page of ctx.name with the tab ctx.tab. */
export function render(main, ctx) {
  const { name, tab } = ctx;
  document.title = `${name} - Peers - Consul`;
  const base = pagePath(`${ctx.dc}/peers/${encodeURIComponent(name)}`);
  const times = [];
  const status = h('dd', {}, h('span', { class: 'loading', text: 'Loading…' }));
  const heartbeat = timeCell(times);
  const receipt = timeCell(times);
  const send = timeCell(times);
  const tabNav = h('nav', { class: 'tab-nav', 'aria-label': `${name} sections` });
  const panel = h('section', { class: 'tab-panel', 'aria-label': TABS.find((t) => t.slug === tab).label });
  let peer;
  let tabStarted = false;

  replaceChildren(main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
      h('ol', {}, h('li', {}, h('a', { href: pagePath(`${ctx.dc}/peers`), dataset: { testBack: '' }, text: 'All Peers' })))),
    h('div', { class: 'page-header' }, h('h1', { text: name })),
    h('dl', { class: 'bento-box' },
      h('div', {}, h('dt', { text: 'Status' }), status),
      h('div', {}, h('dt', { text: 'Latest heartbeat' }), heartbeat.element),
      h('div', {}, h('dt', { text: 'Latest receipt' }), receipt.element),
      h('div', {}, h('dt', { text: 'Latest send' }), send.element)),
    tabNav, panel);

  const ticker = setInterval(() => times.forEach((t) => t.refresh()), 1000);
  ctx.signal.addEventListener('abort', () => clearInterval(ticker), { once: true });

  watch((options) => peerings.read(name, options), {
    signal: ctx.signal,
    onData: (data) => {
      if (!data) {
        ctx.pageError(new ApiError(404, `Peering not found for "${name}"`));
        return;
      }
      peer = data;
      showStatus();
      if (!tabStarted) {
        tabStarted = true;
        startTab();
      } else if (tab === 'addresses') {
        drawAddresses(panel, peer);
      }
    },
    onError: (error) => {
      if (error.isAclDenial || peer === undefined) {
        ctx.pageError(error);
      } else {
        replaceChildren(status, badge(peer.State), errorNotice(error.message));
      }
    },
  });

  let statusKey;
  let tabsKey;
  function showStatus() {
    const stream = peer.StreamStatus || {};
    heartbeat.set(stream.LastHeartbeat);
    receipt.set(stream.LastReceive);
    send.set(stream.LastSend);
    drawTabs();
    // Rebuilt only when what it shows changed, so that keyboard focus on it survives the refreshes.
    const key = JSON.stringify([peer.State, stream.LastError, stream.ImportedItemsLeft, stream.LastReceive, stream.LastSend]);
    if (key === statusKey) {
      return;
    }
    statusKey = key;
    const lastSuccess = [stream.LastReceive, stream.LastSend].filter((t) => !isNoTime(t))
      .sort((a, b) => Date.parse(a) - Date.parse(b)).pop();
    const parts = [badge(peer.State)];
    if (peer.State === 'FAILING') {
      if (stream.LastError) {
        parts.push(h('p', { class: 'failure-reason', text: stream.LastError }));
      }
      const since = timeText(times, lastSuccess, (t) => `Last success: ${t}`, 'last-success');
      parts.push(h('p', { class: 'last-success' }, since));
    }
    if (peer.State === 'DELETING' && stream.ImportedItemsLeft !== undefined && stream.ImportedItemsLeft !== null) {
      parts.push(h('p', { class: 'purge-progress', text: purgeText(stream.ImportedItemsLeft) }));
    }
    replaceChildren(status, parts);
  }

  function drawTabs() {
    const shown = TABS.filter((t) => !t.dialerOnly || peer.PeerID || t.slug === tab);
    const key = shown.map((t) => t.slug).join();
    if (key === tabsKey) {
      return;
    }
    tabsKey = key;
    replaceChildren(tabNav, h('ul', {}, shown.map((t) => {
      const link = h('a', { href: `${base}/${t.slug}`, 'aria-current': t.slug === tab ? 'page' : undefined, text: t.label });
      return h('li', {}, t.tooltip ? withTooltip(link, t.tooltip(name)) : link);
    })));
  }

  function startTab() {
    if (tab === 'imported-services') {
      importedTab(panel, ctx, name);
    } else if (tab === 'exported-services') {
      exportedTab(panel, ctx, name);
    } else if (tab === 'addresses') {
      drawAddresses(panel, peer);
    } else {
      intentionsTab(panel, ctx, name);
    }
  }
}

/**
 * A bento-box time: activity icon, "12 seconds ago" or "None yet", the absolute time as its tooltip. Rebuilt only
 * when the time changes.
 */
function timeCell(times) {
  const element = h('dd', {});
  let shown;
  return {
    element,
    set(value) {
      if (value !== shown) {
        shown = value;
        replaceChildren(element, timeText(times, value, (t) => t, element));
      }
    },
  };
}

/**
 * A time shown relative to now, kept current every second by the page's ticker (under owner, a key for the ticker:
 * a newer time for the same owner replaces the older one).
 */
function timeText(times, value, format, owner) {
  const text = h('span', { text: format(relativeTime(value)) });
  const at = times.findIndex((t) => t.owner === owner);
  const entry = { owner, refresh: () => { text.textContent = format(relativeTime(value)); } };
  if (at >= 0) {
    times[at] = entry;
  } else {
    times.push(entry);
  }
  if (isNoTime(value)) {
    return h('span', { class: 'time none' }, text);
  }
  return withTooltip(h('span', { class: 'time' }, icon('activity'), text), absoluteTime(value));
}

// ---- Imported Services ----

const HEALTH_ORDER = ['critical', 'warning', 'passing'];

/** The services imported from the peer, with their instances' health, searchable and sortable. */
function importedTab(panel, ctx, name) {
  const searchId = uniqueId('imported-search');
  const sortId = uniqueId('imported-sort');
  const search = h('input', { type: 'search', id: searchId, placeholder: 'Search' });
  const sort = h('select', { id: sortId },
    h('optgroup', { label: 'Health Status' },
      h('option', { value: 'Status:asc', text: 'Unhealthy to Healthy' }),
      h('option', { value: 'Status:desc', text: 'Healthy to Unhealthy' })),
    h('optgroup', { label: 'Service Name' },
      h('option', { value: 'Name:asc', text: 'A to Z' }),
      h('option', { value: 'Name:desc', text: 'Z to A' })));
  const toolbar = h('div', { class: 'toolbar', hidden: true },
    h('div', { class: 'search' }, h('label', { for: searchId, class: 'visually-hidden', text: 'Search' }), search),
    h('div', { class: 'sort' }, h('label', { for: sortId, text: 'Sort' }), sort));
  const problem = h('div', { class: 'problem' });
  const list = h('div', {}, h('p', { class: 'loading', text: 'Loading…' }));
  replaceChildren(panel, toolbar, problem, list);
  let services = null;

  search.addEventListener('input', draw);
  sort.addEventListener('change', draw);

  // Each shown service's instances and checks come from its own blocking query on
  // /v1/health/service/{name}?peer= (as Consul's UI watches what it shows): the imported-services index moves only
  // when the list of services does, so a change of instances or health wakes the service's own query instead.
  const watched = new Map(); // service name -> {controller, summary}
  let names = null;
  let sync = new Map(); // service name -> {State, Reason}
  watchSync(ctx, name, 'Imported', (states) => {
    sync = states;
    draw();
  });
  watch((options) => importedServices(options), {
    signal: ctx.signal,
    onData: (data) => {
      names = [...new Set((data || []).filter((s) => s.SourcePeer === name).map((s) => s.Service))].sort();
      for (const [service, w] of watched) {
        if (!names.includes(service)) {
          w.controller.abort();
          watched.delete(service);
        }
      }
      for (const service of names) {
        if (!watched.has(service)) {
          watchService(service);
        }
      }
      replaceChildren(problem);
      refresh();
    },
    onError: (error) => (error.isAclDenial ? ctx.pageError(error) : replaceChildren(problem, errorNotice(error.message))),
  });

  function watchService(service) {
    const controller = new AbortController();
    ctx.signal.addEventListener('abort', () => controller.abort(), { once: true });
    const w = { controller, summary: null };
    watched.set(service, w);
    watch((options) => health.service(service, { ...options, peer: name }), {
      signal: controller.signal,
      onData: (instances) => {
        w.summary = summarize(service, instances || []);
        refresh();
      },
      onError: (error) => replaceChildren(problem, errorNotice(error.message)),
    });
  }

  // Draws once every listed service has its first answer, so a row never shows a count it has not read.
  let drawn;
  function refresh() {
    if (names === null || names.some((n) => !watched.get(n)?.summary)) {
      return;
    }
    services = names.map((n) => watched.get(n).summary);
    const text = JSON.stringify(services);
    if (text !== drawn) {
      drawn = text;
      draw();
    }
  }

  function draw() {
    if (services === null) {
      return;
    }
    toolbar.hidden = services.length === 0;
    const text = search.value.trim().toLowerCase();
    const [by, direction] = sort.value.split(':');
    const rank = (s) => HEALTH_ORDER.indexOf(s.status);
    const compare = by === 'Name' ? (a, b) => a.name.localeCompare(b.name) : (a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name);
    const shown = services
      .filter((s) => !text || s.name.toLowerCase().includes(text) || s.tags.some((t) => t.toLowerCase().includes(text)))
      .sort((a, b) => (direction === 'desc' ? -compare(a, b) : compare(a, b)));
    if (shown.length === 0) {
      replaceChildren(list, emptyState({
        header: `No visible imported services from ${name}`,
        body: h('div', {}, services.length === 0
          ? ['Services must be exported from one peer to another to enable service communication across two peers. '
            + `There don't seem to be any services imported from ${name} yet, or you may not have `,
          h('code', { text: 'services:read' }), ' permissions to access to this view.']
          : 'No services where found matching that search, or you may not have access to view the services you are searching for.'),
        testId: 'testImportedServicesEmpty',
      }));
      return;
    }
    replaceChildren(list, h('table', { class: 'service-list' },
      h('caption', { class: 'visually-hidden', text: `Services imported from ${name}` }),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', text: 'Service' }),
        h('th', { scope: 'col', text: 'Health checks' }),
        h('th', { scope: 'col', text: 'Instances' }),
        h('th', { scope: 'col', text: 'Sync' }),
        h('th', { scope: 'col', text: 'Tags' }))),
      h('tbody', {}, shown.map((s) => h('tr', { dataset: { testImportedService: s.name } },
        h('th', { scope: 'row', text: s.name }),
        h('td', {}, healthSummary(s)),
        h('td', { text: `${s.instances} instance${s.instances === 1 ? '' : 's'}` }),
        h('td', {}, syncBadge(sync.get(s.name))),
        h('td', {}, s.tags.map((t) => h('span', { class: 'tag', text: t }))))))));
  }
}

/** One imported service: its worst check status, check counts, instance count and tags. */
function summarize(name, instances) {
  const counts = { passing: 0, warning: 0, critical: 0 };
  const tags = new Set();
  for (const instance of instances) {
    (instance.Service?.Tags || []).forEach((t) => tags.add(t));
    for (const check of instance.Checks || []) {
      const status = check.Status === 'maintenance' ? 'critical' : check.Status;
      if (status in counts) {
        counts[status] += 1;
      }
    }
  }
  const status = HEALTH_ORDER.find((s) => counts[s] > 0) || 'passing';
  return { name, status, counts, instances: instances.length, tags: [...tags].sort() };
}

/**
 * Polls the peering's per-service sync status (GET /v1/peering/{name}/services) every 5 s while the tab is open and
 * hands `onStates` a Map of service name to {State, Reason} for one side ('Exported' or 'Imported'). A failed read
 * leaves the badges as they were: the tab's own reads show errors.
 */
function watchSync(ctx, name, side, onStates) {
  poll((options) => peerings.syncStatus(name, options), {
    signal: ctx.signal,
    onData: (report) => onStates(new Map((report?.[side] || []).map((s) => [s.Service, s]))),
    onError: () => {},
  });
}

const SYNC_LABELS = { synced: 'Synced', pending: 'Pending', refused: 'Refused', purging: 'Purging' };

/** A service's sync state as a badge, its reason beside it (and as the tooltip); nothing before the first answer. */
function syncBadge(state) {
  if (!state) {
    return null;
  }
  return h('span', { class: `sync ${state.State}`, title: state.Reason || 'Both sides hold the same instances' },
    h('span', { class: 'sync-state', text: SYNC_LABELS[state.State] || state.State }),
    state.Reason ? h('span', { class: 'sync-reason', text: state.Reason }) : null);
}

function healthSummary(service) {
  const parts = HEALTH_ORDER.filter((s) => service.counts[s] > 0)
    .map((s) => h('span', { class: `health ${s}` }, icon(s === 'passing' ? 'check' : 'x'), `${service.counts[s]} ${s}`));
  return parts.length ? parts : h('span', { class: 'health none', text: 'No checks' });
}

// ---- Exported Services (and ours: the exported-services entry) ----

/** The services exported to the peer, and the form that adds or removes the peer as a consumer. */
function exportedTab(panel, ctx, name) {
  const searchId = uniqueId('exported-search');
  const search = h('input', { type: 'search', id: searchId, placeholder: 'Search' });
  const toolbar = h('div', { class: 'toolbar', hidden: true },
    h('div', { class: 'search' }, h('label', { for: searchId, class: 'visually-hidden', text: 'Search' }), search));
  const list = h('div', {}, h('p', { class: 'loading', text: 'Loading…' }));
  const wildcard = h('div');
  const problem = h('div', { class: 'problem' });

  const inputId = uniqueId('export-service');
  const helpId = `${inputId}-help`;
  const datalistId = uniqueId('local-services');
  const input = h('input', { id: inputId, type: 'text', list: datalistId, autocomplete: 'off', 'aria-describedby': helpId });
  const datalist = h('datalist', { id: datalistId });
  const submit = h('button', { type: 'submit', class: 'button primary', disabled: true }, 'Export');
  const form = h('form', { class: 'inline-form', novalidate: true },
    h('h2', { text: `Export a service to ${name}` }),
    problem,
    h('div', { class: 'field' },
      h('label', { for: inputId, text: 'Service name' }), input, datalist,
      h('p', { id: helpId, class: 'help', text: `A service of this datacenter, or * for every service. ${name} is added as a consumer in the exported-services entry.` })),
    submit);
  replaceChildren(panel, toolbar, wildcard, list, form);

  let exported = null;
  let sync = new Map(); // service name -> {State, Reason}
  watchSync(ctx, name, 'Exported', (states) => {
    sync = states;
    draw();
  });
  let entry;
  input.addEventListener('input', () => { submit.disabled = !input.value.trim(); });
  search.addEventListener('input', draw);

  catalog.services({ signal: ctx.signal }).then(({ data }) => {
    replaceChildren(datalist, ['*', ...Object.keys(data || {}).filter((s) => s !== 'consul').sort()]
      .map((s) => h('option', { value: s })));
  }, () => {});

  watch((options) => exportedServices(options), {
    signal: ctx.signal,
    onData: (data) => {
      exported = (data || []).filter((s) => (s.Consumers?.Peers || []).includes(name)).map((s) => s.Service).sort();
      draw();
    },
    onError: (error) => (error.isAclDenial ? ctx.pageError(error) : replaceChildren(problem, errorNotice(error.message))),
  });
  // The list (not the entry itself), so that the query blocks also while there is no entry yet (a missing entry
  // answers 404, with no index to block on).
  watch((options) => configEntries.list('exported-services', options), {
    signal: ctx.signal,
    onData: (data) => {
      entry = (data || []).find((e) => e.Name === 'default') || null;
      draw();
    },
    onError: (error) => replaceChildren(problem, errorNotice(error.message)),
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const service = input.value.trim();
    if (!service) {
      return;
    }
    submit.disabled = true;
    replaceChildren(problem);
    try {
      entry = await editExports(name, service, true);
      draw();
      input.value = '';
      toast({ title: 'Success!', text: `${service} is now exported to ${name}.` });
    } catch (error) {
      replaceChildren(problem, errorNotice(error.message));
      submit.disabled = false;
    }
  });

  async function stop(service) {
    replaceChildren(problem);
    try {
      entry = await editExports(name, service, false);
      draw();
      toast({ title: 'Success!', text: `${service} is no longer exported to ${name}.` });
    } catch (error) {
      replaceChildren(problem, errorNotice(error.message));
    }
  }

  function direct() {
    return new Set((entry?.Services || [])
      .filter((s) => (s.Consumers || []).some((c) => (c.Peer || c.PeerName) === name))
      .map((s) => s.Name));
  }

  function draw() {
    if (exported === null || entry === undefined) {
      return;
    }
    const listed = direct();
    replaceChildren(wildcard, listed.has('*')
      ? h('div', { class: 'notice info' },
        h('p', { text: `Every service of this datacenter is exported to ${name} by the wildcard "*".` }),
        h('button', { type: 'button', class: 'button secondary', onclick: () => stop('*') }, 'Stop exporting *'))
      : null);
    const all = [...new Set([...exported, ...[...listed].filter((s) => s !== '*')])].sort();
    toolbar.hidden = all.length === 0;
    const text = search.value.trim().toLowerCase();
    const shown = all.filter((s) => !text || s.toLowerCase().includes(text));
    if (shown.length === 0) {
      replaceChildren(list, emptyState({
        header: `No visible exported services to ${name}`,
        body: h('div', {}, all.length === 0
          ? ['Services must be exported from one peer to another to enable service communication across two peers. '
            + `There don't seem to be any services exported to ${name} yet, or you may not have `,
          h('code', { text: 'services:read' }), ' permissions to access to this view.']
          : 'No services where found matching that search, or you may not have access to view the services you are searching for.'),
        testId: 'testExportedServicesEmpty',
      }));
      return;
    }
    replaceChildren(list, h('ul', { class: 'exported-services', 'aria-label': `Services exported to ${name}` },
      shown.map((service) => h('li', { dataset: { testServiceName: service } },
        h('span', { class: 'service-name', text: service }),
        syncBadge(sync.get(service)),
        listed.has(service)
          ? h('button', {
            type: 'button',
            class: 'button secondary small',
            'aria-label': `Stop exporting ${service} to ${name}`,
            onclick: () => stop(service),
          }, 'Stop exporting')
          : listed.has('*') ? h('span', { class: 'via', text: 'exported by the wildcard "*"' }) : null))));
  }
}

/**
 * Adds (add=true) or removes the peer as a consumer of a service in the exported-services entry "default":
 * reads the entry just before writing it. A service left without consumers is dropped; an entry left without
 * services is deleted. Resolves to the entry as written (null once deleted).
 */
async function editExports(peerName, service, add) {
  const { data } = await configEntries.get('exported-services', 'default');
  const entry = data ? withoutIndexes(data) : { Kind: 'exported-services', Name: 'default', Services: [] };
  entry.Services = entry.Services || [];
  const consumerPeer = (c) => c.Peer || c.PeerName;
  let item = entry.Services.find((s) => s.Name === service && !s.Namespace);
  if (add) {
    if (!item) {
      item = { Name: service, Consumers: [] };
      entry.Services.push(item);
    }
    item.Consumers = item.Consumers || [];
    if (!item.Consumers.some((c) => consumerPeer(c) === peerName)) {
      item.Consumers.push({ Peer: peerName });
    }
  } else if (item) {
    item.Consumers = (item.Consumers || []).filter((c) => consumerPeer(c) !== peerName);
    if (item.Consumers.length === 0) {
      entry.Services = entry.Services.filter((s) => s !== item);
    }
  }
  if (entry.Services.length === 0) {
    if (data) {
      await configEntries.delete('exported-services', 'default');
    }
    return null;
  }
  await configEntries.set(entry);
  return entry;
}

function withoutIndexes(entry) {
  const copy = structuredClone(entry);
  delete copy.CreateIndex;
  delete copy.ModifyIndex;
  return copy;
}

// ---- Addresses ----

/** The peer's server addresses (PeerServerAddresses), each with a copy button. */
function drawAddresses(panel, peer) {
  const addresses = peer.PeerServerAddresses || [];
  if (addresses.length === 0) {
    replaceChildren(panel, emptyState({
      header: 'No server adddresses.',
      body: "There don't seem to be any server addresses for this peer.",
      testId: 'testAddressesEmpty',
    }));
    return;
  }
  replaceChildren(panel, h('ul', { class: 'consul-peer-address-list', 'aria-label': 'Server addresses' },
    addresses.map((address) => h('li', {},
      h('code', { text: address }),
      copyButton(address, 'Copy', { className: 'button secondary small', accessibleName: `Copy ${address}` })))));
}

// ---- Intentions (ours) ----

/** The intentions whose source is a service of the peer, and the form that allows or denies one. */
function intentionsTab(panel, ctx, name) {
  const problem = h('div', { class: 'problem' });
  const list = h('div', {}, h('p', { class: 'loading', text: 'Loading…' }));
  const sourceId = uniqueId('intention-source');
  const destinationId = uniqueId('intention-destination');
  const datalistId = uniqueId('local-services');
  const source = h('input', { id: sourceId, type: 'text', autocomplete: 'off', 'aria-describedby': `${sourceId}-help` });
  const destination = h('input', { id: destinationId, type: 'text', list: datalistId, autocomplete: 'off', 'aria-describedby': `${destinationId}-help` });
  const datalist = h('datalist', { id: datalistId });
  const allowId = uniqueId('action-allow');
  const denyId = uniqueId('action-deny');
  const submit = h('button', { type: 'submit', class: 'button primary', disabled: true }, 'Save intention');
  const form = h('form', { class: 'inline-form', novalidate: true },
    h('h2', { text: `Allow or deny a service of ${name}` }),
    problem,
    h('div', { class: 'field' }, h('label', { for: sourceId, text: 'Source service' }), source,
      h('p', { id: `${sourceId}-help`, class: 'help', text: `A service of ${name}, or * for every one of its services.` })),
    h('div', { class: 'field' }, h('label', { for: destinationId, text: 'Destination service' }), destination, datalist,
      h('p', { id: `${destinationId}-help`, class: 'help', text: 'A service of this datacenter, or * for every service.' })),
    h('fieldset', { class: 'field radio-group' }, h('legend', { text: 'Should this source connect to the destination?' }),
      h('div', {}, h('input', { type: 'radio', id: allowId, name: 'Action', value: 'allow', checked: true }), h('label', { for: allowId, text: 'Allow' })),
      h('div', {}, h('input', { type: 'radio', id: denyId, name: 'Action', value: 'deny' }), h('label', { for: denyId, text: 'Deny' }))),
    submit);
  replaceChildren(panel, list, form);
  const ready = () => { submit.disabled = !source.value.trim() || !destination.value.trim(); };
  source.addEventListener('input', ready);
  destination.addEventListener('input', ready);

  catalog.services({ signal: ctx.signal }).then(({ data }) => {
    replaceChildren(datalist, ['*', ...Object.keys(data || {}).filter((s) => s !== 'consul').sort()]
      .map((s) => h('option', { value: s })));
  }, () => {});

  watch((options) => configEntries.list('service-intentions', options), {
    signal: ctx.signal,
    onData: (entries) => draw(entries || []),
    onError: (error) => (error.isAclDenial ? ctx.pageError(error) : replaceChildren(problem, errorNotice(error.message))),
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const from = source.value.trim();
    const to = destination.value.trim();
    const action = form.querySelector('input[name="Action"]:checked').value;
    submit.disabled = true;
    replaceChildren(problem);
    try {
      await editIntention(name, from, to, action);
      source.value = '';
      destination.value = '';
      toast({ title: 'Success!', text: `Your intention has been saved: ${from} (${name}) → ${to}: ${action}.` });
    } catch (error) {
      replaceChildren(problem, errorNotice(error.message));
    }
    ready();
  });

  async function change(from, to, action) {
    replaceChildren(problem);
    try {
      await editIntention(name, from, to, action);
      toast({
        title: 'Success!',
        text: action ? `Your intention has been saved: ${from} (${name}) → ${to}: ${action}.` : 'Your intention has been deleted.',
      });
    } catch (error) {
      replaceChildren(problem, errorNotice(error.message));
    }
  }

  function draw(entries) {
    const rows = [];
    for (const entry of entries) {
      for (const s of entry.Sources || []) {
        if (s.Peer === name) {
          rows.push({ from: s.Name, to: entry.Name, action: s.Action || '', permissions: (s.Permissions || []).length > 0 });
        }
      }
    }
    rows.sort((a, b) => a.to.localeCompare(b.to) || a.from.localeCompare(b.from));
    if (rows.length === 0) {
      replaceChildren(list, emptyState({
        header: `No intentions for services of ${name}`,
        body: `No intention names a service of ${name} as its source yet. Without one, ACLs' default policy decides.`,
        testId: 'testIntentionsEmpty',
      }));
      return;
    }
    replaceChildren(list, h('table', { class: 'intention-list' },
      h('caption', { class: 'visually-hidden', text: `Intentions for services of ${name}` }),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', text: 'Source' }),
        h('th', { scope: 'col', text: 'Destination' }),
        h('th', { scope: 'col', text: 'Permission' }),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Actions' })))),
      h('tbody', {}, rows.map((r) => {
        const flip = r.action === 'allow' ? 'deny' : 'allow';
        return h('tr', { dataset: { testIntention: `${r.from}->${r.to}` } },
          h('th', { scope: 'row' }, r.from, h('span', { class: 'peer-of', text: ` (${name})` })),
          h('td', { text: r.to }),
          h('td', {}, h('span', { class: `intention-action ${r.action || 'app-aware'}`, text: r.permissions ? 'App aware' : capitalize(r.action) })),
          h('td', { class: 'row-actions' },
            r.permissions ? null : h('button', {
              type: 'button',
              class: 'button secondary small',
              'aria-label': `${capitalize(flip)} ${r.from} to ${r.to}`,
              onclick: () => change(r.from, r.to, flip),
            }, capitalize(flip)),
            h('button', {
              type: 'button',
              class: 'button dangerous small',
              'aria-label': `Remove the intention ${r.from} to ${r.to}`,
              onclick: () => change(r.from, r.to, null),
            }, 'Remove')));
      }))));
  }
}

const capitalize = (s) => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);

/**
 * Sets (action "allow"/"deny") or removes (action null) the source {Name: from, Peer: peerName} of the
 * service-intentions entry of the destination service: reads the entry just before writing it; an entry left
 * without sources is deleted. Validation failures come back as Consul's 400 messages.
 */
async function editIntention(peerName, from, to, action) {
  const { data } = await configEntries.get('service-intentions', to);
  const entry = data ? withoutIndexes(data) : { Kind: 'service-intentions', Name: to, Sources: [] };
  entry.Sources = entry.Sources || [];
  const mine = (s) => s.Peer === peerName && s.Name === from && !s.SamenessGroup;
  const existing = entry.Sources.find(mine);
  if (action === null) {
    entry.Sources = entry.Sources.filter((s) => !mine(s));
    if (!data) {
      return;
    }
    if (entry.Sources.length === 0) {
      await configEntries.delete('service-intentions', to);
      return;
    }
  } else if (existing) {
    existing.Action = action;
  } else {
    entry.Sources.push({ Name: from, Peer: peerName, Action: action });
  }
  await configEntries.set(entry);
}
