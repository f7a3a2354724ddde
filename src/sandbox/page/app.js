// The sandbox's page: one person at a time (Act as), the channels, threads and App Home as
// Slack shows them, the bot's Block Kit (blockkit.js), modals as dialogs, the clock. It holds no
// state of its own beyond what is on screen: after every change on the server (server-sent
// events) it asks for the person's state again and redraws the parts that changed.
import { escapeHtml, mrkdwn, renderBlocks } from './blockkit.js';

const $ = (id) => document.getElementById(id);
const view = {
  me: localStorage.getItem('sandbox.actAs') ?? 'UREQUESTER',
  channel: 'CPRODUCT',
  /** 'channel' | 'home' | 'dm' */
  pane: 'channel',
  thread: null,
  /** What the lists showed last: a newly shown channel or thread starts at its newest message. */
  mainDrawn: null,
  threadDrawn: null,
  state: null,
  modalVersion: null,
};

// ---------------------------------------------------------------- server

async function call(verb, body) {
  const res = await fetch(`/sandbox/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    notify(answer.error?.message ?? `The sandbox answered ${res.status}.`);
    throw new Error(answer.error?.message ?? String(res.status));
  }
  notify('');
  await refresh();
  return answer;
}

let refreshing = null;
let again = false;
async function refresh() {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      const res = await fetch(`/sandbox/state?as=${encodeURIComponent(view.me)}`);
      if (res.ok) draw(await res.json());
      else if (view.me !== 'UREQUESTER') {
        // Someone this sandbox does not have (a page left open across restarts): back to the requester.
        view.me = 'UREQUESTER';
        again = true;
      }
    } while (again);
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function notify(text) {
  $('notice').textContent = text;
  $('notice').classList.toggle('shown', text !== '');
}

// ---------------------------------------------------------------- drawing

const ctxOf = (s, extra = {}) => ({
  users: Object.fromEntries([...s.people.map((p) => [p.id, p.name]), [s.bot.id, s.bot.name]]),
  channels: Object.fromEntries(s.channels.map((c) => [c.id, c.name])),
  ...extra,
});

const timeOf = (ts) =>
  new Date(Number(ts.split('.')[0]) * 1000).toLocaleTimeString('en-GB', {
    timeZone: 'UTC',
    hour: '2-digit',
    minute: '2-digit',
  });

function draw(s) {
  view.state = s;
  drawPeople(s);
  $('now').textContent = `${new Date(s.now).toLocaleString('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  })} UTC`;
  $('now').dateTime = new Date(s.now).toISOString();
  drawSidebar(s);
  drawMain(s);
  drawThread(s);
  drawModal(s);
}

function drawPeople(s) {
  const select = $('act-as');
  if (select.options.length !== s.people.length) {
    select.innerHTML = s.people
      .map((p) => `<option value="${escapeHtml(p.id)}">${escapeHtml(p.name)}</option>`)
      .join('');
  }
  select.value = s.me;
}

function drawSidebar(s) {
  const item = (id, label, current) =>
    `<li><button type="button" class="nav" data-go="${escapeHtml(id)}"${current ? ' aria-current="page"' : ''}>${label}</button></li>`;
  $('channels').innerHTML = s.channels
    .filter((c) => !c.dm)
    .map((c) => item(c.id, `# ${escapeHtml(c.name)}`, view.pane === 'channel' && view.channel === c.id))
    .join('');
  $('apps').innerHTML = item('app', escapeHtml(s.bot.name), view.pane !== 'channel');
}

const dmOf = (s) => s.channels.find((c) => c.dm)?.id;

function drawMain(s) {
  const inApp = view.pane !== 'channel';
  const channel = inApp ? dmOf(s) : view.channel;
  $('where').textContent = inApp ? s.bot.name : `# ${s.channels.find((c) => c.id === channel)?.name ?? ''}`;
  $('tabs').hidden = !inApp;
  $('tab-home').setAttribute('aria-selected', String(view.pane === 'home'));
  $('tab-messages').setAttribute('aria-selected', String(view.pane === 'dm'));
  $('home').hidden = view.pane !== 'home';
  $('messages').hidden = view.pane === 'home';
  $('composer').hidden = view.pane === 'home';
  if (view.pane === 'home') {
    $('home').innerHTML = s.home
      ? renderBlocks(s.home.blocks, ctxOf(s, { idPrefix: 'home' }))
      : '<p class="empty">Loading your Home…</p>';
    $('home').dataset.viewId = s.home?.id ?? '';
    return;
  }
  const top = s.messages.filter((m) => m.channel === channel && (m.threadTs === null || m.threadTs === m.ts));
  const ephemeral = s.ephemerals.filter((e) => e.channel === channel && e.threadTs === null);
  drawList($('messages'), s, top, ephemeral, true, view.mainDrawn !== channel);
  view.mainDrawn = channel;
}

function drawThread(s) {
  const t = view.thread;
  const parent = t && s.messages.find((m) => m.channel === t.channel && m.ts === t.ts);
  $('thread').hidden = !parent;
  if (!parent) return;
  const replies = s.messages.filter((m) => m.channel === t.channel && m.threadTs === t.ts && m.ts !== t.ts);
  const ephemeral = s.ephemerals.filter((e) => e.channel === t.channel && e.threadTs === t.ts);
  const key = `${t.channel}:${t.ts}`;
  drawList($('thread-messages'), s, [parent, ...replies], ephemeral, false, view.threadDrawn !== key);
  view.threadDrawn = key;
}

function drawList(el, s, messages, ephemerals, inChannel, fresh = false) {
  const atBottom = fresh || el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  const items = [
    ...messages.map((m) => ({ ts: m.ts, html: messageHtml(s, m, inChannel) })),
    ...ephemerals.map((e) => ({ ts: e.ts, html: ephemeralHtml(s, e) })),
  ].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  el.innerHTML = items.length ? items.map((i) => i.html).join('') : '<p class="empty">No messages yet.</p>';
  if (atBottom) el.scrollTop = el.scrollHeight;
}

function authorOf(s, m) {
  if (m.fromBot) return `${escapeHtml(s.bot.name)} <span class="app-badge">APP</span>`;
  return escapeHtml(s.people.find((p) => p.id === m.user)?.name ?? m.user);
}

function bodyHtml(s, m, prefix) {
  return m.blocks.length > 0
    ? renderBlocks(m.blocks, ctxOf(s, { idPrefix: prefix }))
    : `<div class="bk-text">${mrkdwn(m.text, ctxOf(s))}</div>`;
}

function messageHtml(s, m, inChannel) {
  const replies = s.messages.filter(
    (r) => r.channel === m.channel && r.threadTs === m.ts && r.ts !== m.ts,
  ).length;
  const repliesButton =
    inChannel && replies > 0
      ? `<button type="button" class="replies" data-thread="${escapeHtml(m.ts)}">${replies} ${replies === 1 ? 'reply' : 'replies'}</button>`
      : inChannel && !m.fromBot
        ? `<button type="button" class="replies subtle" data-thread="${escapeHtml(m.ts)}">Reply in thread</button>`
        : '';
  const shortcuts = s.shortcuts
    .map(
      (sc) =>
        `<button type="button" role="menuitem" data-shortcut="${escapeHtml(sc.callbackId)}">${escapeHtml(sc.name)}</button>`,
    )
    .join('');
  const menuId = `menu-${m.channel}-${m.ts}`.replace('.', '-');
  return `<article class="msg" data-kind="message" data-channel="${escapeHtml(m.channel)}" data-ts="${escapeHtml(m.ts)}" aria-label="${escapeHtml(plainAuthor(s, m))} at ${timeOf(m.ts)}">
    <div class="msg-head"><span class="author">${authorOf(s, m)}</span> <time>${timeOf(m.ts)}</time>${m.edited ? ' <span class="edited">(edited)</span>' : ''}
      <span class="msg-menu"><button type="button" class="more" aria-label="More actions" title="More actions" aria-haspopup="menu" aria-expanded="false" aria-controls="${menuId}">⋯</button>
      <span class="menu" role="menu" id="${menuId}" hidden>${shortcuts}</span></span></div>
    <div class="msg-body">${bodyHtml(s, m, `m${m.ts}`)}</div>${repliesButton}</article>`;
}

const plainAuthor = (s, m) =>
  m.fromBot ? s.bot.name : (s.people.find((p) => p.id === m.user)?.name ?? m.user);

function ephemeralHtml(s, e) {
  return `<article class="msg ephemeral" data-kind="ephemeral" data-channel="${escapeHtml(e.channel)}" data-ts="${escapeHtml(e.ts)}"${e.threadTs ? ` data-thread-ts="${escapeHtml(e.threadTs)}"` : ''} aria-label="Only visible to you">
    <div class="msg-head"><span class="author">${escapeHtml(s.bot.name)} <span class="app-badge">APP</span></span> <time>${timeOf(e.ts)}</time> <span class="only-you">Only visible to you</span></div>
    <div class="msg-body">${bodyHtml(s, e, `e${e.ts}`)}</div></article>`;
}

// ---------------------------------------------------------------- the modal

function drawModal(s) {
  const dialog = $('modal');
  const m = s.modal;
  if (!m) {
    view.modalVersion = null;
    if (dialog.open) dialog.close();
    return;
  }
  if (view.modalVersion === m.version && dialog.open) return;
  // Same form redrawn (the bot updated it, or answered with field errors): keep what was typed.
  const kept = dialog.open && dialog.dataset.viewId === m.id ? stateValues() : null;
  view.modalVersion = m.version;
  dialog.dataset.viewId = m.id;
  $('modal-title').textContent = m.title;
  $('modal-body').innerHTML = renderBlocks(m.blocks, ctxOf(s, { errors: m.errors, idPrefix: m.id }));
  $('modal-close').textContent = m.close;
  $('modal-submit').textContent = m.submit ?? '';
  $('modal-submit').hidden = m.submit === null;
  if (kept) restoreValues(kept);
  if (!dialog.open) dialog.showModal();
  const firstError = $('modal-body').querySelector(
    '.has-error .bk-input, .has-error .bk-select, .has-error input',
  );
  firstError?.focus();
}

const optionText = (o) => ({ type: 'plain_text', text: o.textContent.trim(), emoji: true });

/** The form's values as Slack sends them: `state.values[block_id][action_id]`. */
function stateValues() {
  const values = {};
  for (const el of $('modal-body').querySelectorAll('[data-type]')) {
    const { blockId, actionId, type } = el.dataset;
    let v;
    if (type === 'plain_text_input') v = { type, value: el.value === '' ? null : el.value };
    else if (type === 'static_select') {
      const o = el.selectedOptions[0];
      v = { type, selected_option: o && o.value !== '' ? { text: optionText(o), value: o.value } : null };
    } else if (type === 'multi_static_select')
      v = {
        type,
        selected_options: [...el.selectedOptions].map((o) => ({ text: optionText(o), value: o.value })),
      };
    else if (type === 'users_select') v = { type, selected_user: el.value === '' ? null : el.value };
    else if (type === 'multi_users_select')
      v = { type, selected_users: [...el.selectedOptions].map((o) => o.value) };
    else if (type === 'radio_buttons') {
      const checked = el.querySelector('input:checked');
      v = {
        type,
        selected_option: checked ? { text: optionText(checked.parentElement), value: checked.value } : null,
      };
    } else if (type === 'checkboxes')
      v = {
        type,
        selected_options: [...el.querySelectorAll('input:checked')].map((c) => ({
          text: optionText(c.parentElement),
          value: c.value,
        })),
      };
    else continue;
    values[blockId] ??= {};
    values[blockId][actionId] = v;
  }
  return values;
}

function restoreValues(values) {
  for (const el of $('modal-body').querySelectorAll('[data-type]')) {
    const v = values[el.dataset.blockId]?.[el.dataset.actionId];
    if (!v) continue;
    if ('value' in v) el.value = v.value ?? '';
    const chosen = new Set(
      [
        v.selected_option?.value,
        ...(v.selected_options ?? []).map((o) => o.value),
        v.selected_user,
        ...(v.selected_users ?? []),
      ].filter(Boolean),
    );
    if (el.tagName === 'SELECT') for (const o of el.options) o.selected = chosen.has(o.value);
    for (const input of el.querySelectorAll('input')) input.checked = chosen.has(input.value);
  }
}

/** What Slack's client checks before sending: every required input has a value. */
function missingRequired(values) {
  const blocks = view.state?.modal?.blocks ?? [];
  const errors = {};
  for (const b of blocks) {
    if (b.type !== 'input' || b.optional) continue;
    const v = values[b.block_id]?.[b.element?.action_id];
    const empty =
      !v ||
      (v.value === null && 'value' in v) ||
      ('selected_option' in v && v.selected_option === null) ||
      ('selected_options' in v && v.selected_options.length === 0) ||
      ('selected_user' in v && v.selected_user === null) ||
      ('selected_users' in v && v.selected_users.length === 0);
    if (empty) errors[b.block_id] = 'Please complete this required field.';
  }
  return errors;
}

// ---------------------------------------------------------------- events

function wire() {
  $('act-as').addEventListener('change', (e) => {
    view.me = e.target.value;
    localStorage.setItem('sandbox.actAs', view.me);
    view.modalVersion = null;
    if (view.pane === 'home') void call('home', { user: view.me }).catch(() => {});
    void refresh();
  });
  $('hour').addEventListener('click', () => void call('clock', { advance: 'hour' }).catch(() => {}));
  $('day').addEventListener('click', () => void call('clock', { advance: 'day' }).catch(() => {}));
  $('tab-home').addEventListener('click', () => openApp('home'));
  $('tab-messages').addEventListener('click', () => openApp('dm'));
  $('close-thread').addEventListener('click', () => {
    view.thread = null;
    void refresh();
  });
  document.addEventListener('click', onClick);
  document.addEventListener('change', onChange);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeMenus();
  });
  composer($('composer'), $('message'), () => ({
    channel: view.pane === 'channel' ? view.channel : dmOf(view.state),
  }));
  composer($('reply-composer'), $('reply'), () => ({
    channel: view.thread.channel,
    threadTs: view.thread.ts,
  }));
  $('modal-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const values = stateValues();
    const missing = missingRequired(values);
    if (Object.keys(missing).length > 0) {
      const m = view.state.modal;
      $('modal-body').innerHTML = renderBlocks(
        m.blocks,
        ctxOf(view.state, { errors: missing, idPrefix: m.id }),
      );
      restoreValues(values);
      view.modalVersion = null;
      return;
    }
    void call('submit', { user: view.me, viewId: $('modal').dataset.viewId, values }).catch(() => {});
  });
  $('modal-close').addEventListener('click', () => closeModal());
  $('modal').addEventListener('cancel', (e) => {
    e.preventDefault();
    closeModal();
  });
  new EventSource('/sandbox/events').addEventListener('change', () => void refresh());
}

function closeModal() {
  const viewId = $('modal').dataset.viewId;
  $('modal').close();
  view.modalVersion = null;
  void call('close', { user: view.me, viewId }).catch(() => {});
}

function composer(form, textarea, where) {
  const send = () => {
    const text = textarea.value;
    if (text.trim() === '') return;
    void call('compose', { user: view.me, text, ...where() }).then(
      () => {
        textarea.value = '';
      },
      () => {},
    );
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  });
}

function openApp(pane) {
  view.pane = pane;
  view.thread = null;
  if (pane === 'home') void call('home', { user: view.me }).catch(() => {});
  else void refresh();
}

function closeMenus(except) {
  for (const menu of document.querySelectorAll('.menu:not([hidden])')) {
    if (menu === except) continue;
    menu.hidden = true;
    document.querySelector(`[aria-controls="${menu.id}"]`)?.setAttribute('aria-expanded', 'false');
  }
}

/** Where a pressed element lives: a message, an ephemeral message, or a view (modal, home). */
function containerOf(el) {
  const viewId = el.closest('#modal')?.dataset.viewId ?? el.closest('#home')?.dataset.viewId;
  if (viewId) return { kind: 'view', viewId };
  const msg = el.closest('article.msg');
  if (!msg) return null;
  if (msg.dataset.kind === 'ephemeral')
    return {
      kind: 'ephemeral',
      channel: msg.dataset.channel,
      ts: msg.dataset.ts,
      ...(msg.dataset.threadTs ? { threadTs: msg.dataset.threadTs } : {}),
    };
  return { kind: 'message', channel: msg.dataset.channel, ts: msg.dataset.ts };
}

function press(el, extra) {
  const container = containerOf(el);
  if (!container) return;
  void call('press', {
    user: view.me,
    container,
    actionId: el.dataset.actionId,
    ...(el.dataset.blockId ? { blockId: el.dataset.blockId } : {}),
    ...extra,
  }).catch(() => {});
}

function onClick(e) {
  const el = e.target.closest('button');
  if (!el) {
    closeMenus();
    return;
  }
  if (el.dataset.go) {
    if (el.dataset.go === 'app') openApp('home');
    else {
      view.pane = 'channel';
      view.channel = el.dataset.go;
      view.thread = null;
      void refresh();
    }
  } else if (el.dataset.thread) {
    const msg = el.closest('article.msg');
    view.thread = { channel: msg.dataset.channel, ts: el.dataset.thread };
    void refresh().then(() => $('reply').focus());
  } else if (el.classList.contains('more')) {
    const menu = document.getElementById(el.getAttribute('aria-controls'));
    closeMenus(menu);
    menu.hidden = !menu.hidden;
    el.setAttribute('aria-expanded', String(!menu.hidden));
    if (!menu.hidden) menu.querySelector('[role="menuitem"]')?.focus();
  } else if (el.dataset.shortcut) {
    const msg = el.closest('article.msg');
    closeMenus();
    void call('shortcut', {
      user: view.me,
      callbackId: el.dataset.shortcut,
      channel: msg.dataset.channel,
      ts: msg.dataset.ts,
    }).catch(() => {});
  } else if (el.dataset.actionId && el.classList.contains('bk-button')) {
    press(el, el.dataset.value !== undefined ? { value: el.dataset.value } : {});
  }
}

function onChange(e) {
  const el = e.target;
  // Selects in actions blocks and accessories act at once; those in a form wait for submit.
  if (el.tagName !== 'SELECT' || !el.dataset.actionId || el.dataset.type || el.value === '') return;
  press(el, { selectedOption: el.value });
}

wire();
void refresh();
