// The row actions menu (Consul's "More" menu): a button that opens a list of menu items. Keyboard: Enter, Space
// or ArrowDown open it on the first item; ArrowUp/ArrowDown move; Escape closes it and returns to the button;
// Tab or a click elsewhere closes it.

import { h, icon, uniqueId } from './dom.js';

/**
 * @param label the button's accessible name, e.g. "More actions for cluster-02"
 * @param items [{label, href} | {label, onSelect, dangerous}], each with an optional test attribute (dataset)
 * @returns the menu's root element
 */
export function actionsMenu(label, items) {
  const id = uniqueId('menu');
  const button = h('button', {
    type: 'button',
    class: 'menu-button',
    'aria-haspopup': 'menu',
    'aria-expanded': 'false',
    'aria-controls': id,
    'aria-label': label,
  }, icon('more'), h('span', { class: 'visually-hidden', text: 'More' }));
  const list = h('ul', { class: 'menu', role: 'menu', id, hidden: true, 'aria-label': label });
  const root = h('div', { class: 'menu-root' }, button, list);

  const entries = items.map((item) => {
    const attrs = { role: 'menuitem', tabindex: '-1', class: item.dangerous ? 'dangerous' : undefined, dataset: item.dataset };
    const entry = item.href
      ? h('a', { ...attrs, href: item.href, text: item.label })
      : h('button', { ...attrs, type: 'button', text: item.label });
    entry.addEventListener('click', (event) => {
      close(false);
      if (item.onSelect) {
        event.preventDefault();
        item.onSelect();
      }
    });
    list.append(h('li', { role: 'none' }, entry));
    return entry;
  });

  const onOutside = (event) => {
    if (!root.contains(event.target)) {
      close(false);
    }
  };

  function open(focusIndex) {
    list.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', onOutside);
    entries[(focusIndex + entries.length) % entries.length]?.focus();
  }

  function close(returnFocus) {
    if (list.hidden) {
      return;
    }
    list.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside);
    if (returnFocus) {
      button.focus();
    }
  }

  button.addEventListener('click', () => (list.hidden ? open(0) : close(false)));
  button.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      open(event.key === 'ArrowDown' ? 0 : -1);
    }
  });
  list.addEventListener('keydown', (event) => {
    const at = entries.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      entries[(at + step + entries.length) % entries.length].focus();
    } else if (event.key === 'Home' || event.key === 'End') {
      event.preventDefault();
      entries[event.key === 'Home' ? 0 : entries.length - 1].focus();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      close(true);
    } else if (event.key === 'Tab') {
      close(false);
    }
  });
  return root;
}
