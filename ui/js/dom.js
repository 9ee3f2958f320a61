// Small DOM helpers shared by the views: building elements, the state badge, tooltips, notices, empty states,
// toasts and times. No state lives here.

/**
 * Creates an element. attrs: "class", "text", "on<event>" handlers, "dataset" ({key: value}), booleans (true
 * sets the attribute, false/null/undefined leaves it out), anything else as an attribute. Children may be
 * elements, strings or arrays of them; null and false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (key === 'class') {
      element.className = value;
    } else if (key === 'text') {
      element.textContent = value;
    } else if (key === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (key.startsWith('on') && typeof value === 'function') {
      element.addEventListener(key.slice(2), value);
    } else if (value === true) {
      element.setAttribute(key, '');
    } else {
      element.setAttribute(key, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    if (Array.isArray(child)) {
      append(element, child);
    } else {
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
}

let ids = 0;
/** A document-unique id with a readable prefix. */
export function uniqueId(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

const SVG = 'http://www.w3.org/2000/svg';
const ICONS = {
  check: 'M6.5 11.3 3.2 8l-1 1 4.3 4.3 7.3-7.3-1-1z',
  x: 'M4.3 3.2 3.2 4.3 6.9 8l-3.7 3.7 1.1 1.1L8 9.1l3.7 3.7 1.1-1.1L9.1 8l3.7-3.7-1.1-1.1L8 6.9z',
  'boxed-x': 'M2 2h12v12H2zm1.5 1.5v9h9v-9zm1.8 2.8 1-1L8 7l1.7-1.7 1 1L9 8l1.7 1.7-1 1L8 9l-1.7 1.7-1-1L7 8z',
  loading: 'M8 1.5a6.5 6.5 0 1 0 6.5 6.5H13A5 5 0 1 1 8 3z',
  'partial-ring': 'M8 1.5a6.5 6.5 0 0 1 0 13V13a5 5 0 0 0 0-10z',
  question: 'M8 1.5a6.5 6.5 0 1 1 0 13 6.5 6.5 0 0 1 0-13zm0 1.5a5 5 0 1 0 0 10A5 5 0 0 0 8 3zm-.7 6.9h1.4v1.4H7.3zM8 4.5c1.3 0 2.3.9 2.3 2 0 .9-.5 1.4-1.1 1.8-.4.2-.5.4-.5.8v.2H7.3v-.3c0-.9.4-1.4 1-1.8.4-.2.6-.4.6-.8 0-.4-.4-.7-.9-.7s-.9.3-1 .8l-1.4-.2c.2-1.1 1.1-1.8 2.4-1.8z',
  copy: 'M5 1h8a1 1 0 0 1 1 1v9h-1.5V2.5H5zM2 4h8a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H2a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1zm.5 1.5v8h7v-8z',
  more: 'M3 6.5a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm5 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3zm5 0a1.5 1.5 0 1 1 0 3 1.5 1.5 0 0 1 0-3z',
  activity: 'M5.7 2 10 11.6 11.3 8H15v1.5h-2.7L10.2 15 5.9 5.4 4.7 9.5H1V8h2.6z',
};

/** A 16 px icon, hidden from assistive technology (the text beside it says the same). */
export function icon(name) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon icon-${name}`);
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', ICONS[name]);
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('fill-rule', 'evenodd');
  svg.append(path);
  return svg;
}

/**
 * Wraps an element so that text shows as its tooltip on hover and on keyboard focus (the element becomes
 * focusable and is described by the tooltip).
 */
export function withTooltip(element, text) {
  if (!text) {
    return element;
  }
  const id = uniqueId('tooltip');
  if (!element.hasAttribute('tabindex') && !['A', 'BUTTON'].includes(element.tagName)) {
    element.setAttribute('tabindex', '0');
  }
  element.setAttribute('aria-describedby', id);
  return h('span', { class: 'has-tooltip' }, element, h('span', { role: 'tooltip', id, text }));
}

/** Consul's state badges: icon and tooltip per lower-cased State. */
const BADGES = {
  active: { icon: 'check', tooltip: 'This peer connection is currently active.' },
  pending: { icon: 'loading', tooltip: 'This peering connection has not been established yet.' },
  establishing: { icon: 'loading', tooltip: 'This peering connection is in the process of being established.' },
  failing: {
    icon: 'x',
    tooltip: 'This peering connection has some intermittent errors (usually network related). It will continue to retry.',
  },
  deleting: { icon: 'partial-ring', tooltip: 'This peer is in the process of being deleted.' },
  terminated: { icon: 'boxed-x', tooltip: 'Someone in the other peer may have deleted this peering connection.' },
  undefined: { icon: 'question', tooltip: '' },
};

/** The state badge: Capitalize(lowercase(State)) with its icon, colour (CSS) and tooltip. */
export function badge(state) {
  let key = String(state || 'UNDEFINED').toLowerCase();
  if (key === 'initial') {
    key = 'pending';
  }
  const spec = BADGES[key] || BADGES.undefined;
  const label = key.charAt(0).toUpperCase() + key.slice(1);
  const element = h('span', { class: `peerings-badge ${key}`, dataset: { testPeeringBadge: key } }, icon(spec.icon), label);
  return withTooltip(element, spec.tooltip);
}

/** Consul's inline critical notice: bold "Error", then the message. */
export function errorNotice(message, title = 'Error') {
  return h('div', { class: 'notice critical', role: 'alert' }, h('strong', { text: title }), h('p', { text: message }));
}

/**
 * An empty state: a header, a body (a string or nodes) and optional actions (nodes, each put in a list item).
 */
export function emptyState({ header, body, actions = [], testId }) {
  return h('section', { class: 'empty-state', dataset: testId ? { [testId]: '' } : undefined },
    h('h2', { text: header }),
    typeof body === 'string' ? h('p', { text: body }) : body,
    actions.length ? h('ul', { class: 'empty-state-actions' }, actions.map((a) => h('li', {}, a))) : null);
}

/**
 * Shows a toast: color "success" or "critical", a title and a text. It stays until closed, or 8 s for a
 * success.
 */
export function toast({ color = 'success', title, text }) {
  const region = document.getElementById('toasts');
  const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss' }, icon('x'));
  const element = h('div', {
    class: `toast ${color}`,
    role: color === 'critical' ? 'alert' : 'status',
    dataset: { notification: '' },
  }, h('div', {}, h('strong', { class: 'toast-title', text: title }), h('p', { text })), close);
  close.addEventListener('click', () => element.remove());
  region.append(element);
  if (color === 'success') {
    setTimeout(() => element.remove(), 8000);
  }
  return element;
}

/** True for a missing time and for Go's zero time (0001-01-01T00:00:00Z). */
export function isNoTime(value) {
  return !value || String(value).startsWith('0001-01-01');
}

/** "None yet", or how long ago: "12 seconds ago", "3 minutes ago", ... */
export function relativeTime(value, now = Date.now()) {
  if (isNoTime(value)) {
    return 'None yet';
  }
  const seconds = Math.max(0, Math.round((now - Date.parse(value)) / 1000));
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  for (const [unit, size] of units) {
    if (seconds >= size || unit === 'second') {
      const n = Math.floor(seconds / size);
      return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
    }
  }
  return '';
}

/** A time for a tooltip: the browser's local date and time. */
export function absoluteTime(value) {
  return isNoTime(value) ? '' : new Date(value).toLocaleString();
}

/**
 * Copies text to the clipboard; falls back to selecting it in a hidden field where the Clipboard API is not
 * allowed (plain HTTP on another host than localhost).
 */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const field = h('textarea', { class: 'visually-hidden', readonly: true, 'aria-hidden': 'true' });
  field.value = text;
  document.body.append(field);
  field.select();
  document.execCommand('copy');
  field.remove();
}

/** A button that copies text, with a visible label and a "Copied!" confirmation. */
export function copyButton(text, label = 'Copy', { className = 'button secondary', accessibleName } = {}) {
  const button = h('button', { type: 'button', class: className, 'aria-label': accessibleName }, icon('copy'), h('span', { text: label }));
  button.addEventListener('click', async () => {
    try {
      await copyText(text);
      button.querySelector('span').textContent = 'Copied!';
      setTimeout(() => { button.querySelector('span').textContent = label; }, 2000);
    } catch {
      toast({ color: 'critical', title: 'Error', text: 'Could not copy to the clipboard.' });
    }
  });
  return button;
}

/** Replaces an element's children. */
export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
}
