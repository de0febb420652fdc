// @ts-check
/**
 * The Journeys page's manual checklist: what a reviewer judges by hand, from the onboarding test
 * cases, ticked and noted per partner (saved on the server).
 */
import { api } from './api.js';
import { fmtDateTime, h, mount } from './dom.js';

/** @param {HTMLElement} box @param {any} r @param {string} partnerId */
export function renderChecklist(box, r, partnerId) {
  if (!r.ok) {
    mount(box, h('h2', { id: 'h-check' }, 'Manual checklist'), h('div', { class: 'note note-bad' }, r.error.message));
    return;
  }
  const items = r.value.items;
  const done = items.filter((i) => i.done).length;
  const counter = h('span', { class: 'muted small', id: 'check-count' }, `${done} of ${items.length} ticked`);
  mount(
    box,
    h('h2', { id: 'h-check' }, 'Manual checklist ', counter),
    h(
      'p',
      { class: 'muted small' },
      'What a reviewer judges by hand, from the onboarding test cases. Ticks and notes are saved on the server (and survive a restart with --data).',
    ),
    h(
      'ul',
      { class: 'checklist' },
      items.map((item) => checkItem(item, items, counter, partnerId)),
    ),
  );
}

/** @param {any} item @param {any[]} items @param {HTMLElement} counter @param {string} partnerId */
function checkItem(item, items, counter, partnerId) {
  const status = h('span', { class: 'hint', 'aria-live': 'polite' }, item.at ? `saved ${fmtDateTime(item.at)}` : '');
  const note = h('textarea', {
    rows: 2,
    placeholder: 'note (optional): what you saw',
    'aria-label': `Note for ${item.journey_id}`,
    maxlength: 2000,
  });
  note.value = item.note ?? '';
  const box = h('input', { type: 'checkbox', id: `tick-${item.journey_id}`, checked: item.done });
  const save = async () => {
    status.textContent = 'saving…';
    const body = { done: box.checked };
    if (note.value.trim()) body.note = note.value.trim();
    const r = await api.tick(partnerId, item.journey_id, body);
    if (!r.ok) {
      status.textContent = r.error.message;
      status.classList.add('bad');
      return;
    }
    status.classList.remove('bad');
    item.done = r.value.done;
    status.textContent = `saved ${fmtDateTime(r.value.at)}`;
    counter.textContent = `${items.filter((i) => i.done).length} of ${items.length} ticked`;
  };
  box.addEventListener('change', save);
  note.addEventListener('change', save);
  return h(
    'li',
    { class: ['check-item', item.done && 'done'], dataset: { journey: item.journey_id } },
    h(
      'label',
      { class: 'check', for: `tick-${item.journey_id}` },
      box,
      ' ',
      h('strong', {}, item.journey_id),
      ' ',
      item.title,
    ),
    h(
      'ul',
      { class: 'expectations' },
      (item.checks ?? []).map((c) => h('li', {}, c)),
    ),
    note,
    status,
  );
}
