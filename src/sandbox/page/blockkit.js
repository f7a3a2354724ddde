// Block Kit as the sandbox's page shows it: pure functions from blocks to HTML strings, with
// every text escaped. Interactive elements carry data-* attributes the page acts on; inputs
// are labelled with their Block Kit labels. A block or element this renderer does not know is
// shown as "unsupported block: <type>" (a test renders every builder of the bot and finds none).
// Plain JavaScript (an ES module with no imports): the browser loads it as it is, the tests
// import it in Node.

/** @param {unknown} s */
export function escapeHtml(s) {
  return String(s ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Slack's escapes (&amp; &lt; &gt;) undone, then escaped for HTML. */
function slackText(s) {
  return escapeHtml(String(s).replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
}

const nameOf = (ctx, id) => ctx.users?.[id] ?? id;

/** `<!date^1793610000^{date_short_pretty} at {time}|fallback>`: the time in UTC (the sandbox's zone). */
function dateToken(target, fallback) {
  const seconds = Number(target.split('^')[1]);
  if (!Number.isFinite(seconds)) return fallback ?? '';
  return new Date(seconds * 1000).toLocaleString('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
}

/** One `<…>` token of Slack's markup: mentions, channels, groups, special mentions, links. */
function token(inner, ctx) {
  const [target, label] = inner.split('|');
  if (/^@[UWB]/.test(target))
    return `<span class="mention">@${escapeHtml(label ?? nameOf(ctx, target.slice(1)))}</span>`;
  if (target.startsWith('#C') || target.startsWith('#G'))
    return `<span class="mention">#${escapeHtml(label ?? ctx.channels?.[target.slice(1)] ?? target.slice(1))}</span>`;
  if (target.startsWith('!date^')) return escapeHtml(dateToken(target, label));
  if (target.startsWith('!subteam^'))
    return `<span class="mention">@${escapeHtml(label ?? target.slice(9))}</span>`;
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(label ?? target.slice(1))}</span>`;
  const href = target.replaceAll('&amp;', '&');
  const safe = /^(https?:|mailto:)/i.test(href) ? href : '#';
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${slackText(label ?? target)}</a>`;
}

/** Inline formatting on escaped text: *bold*, _italic_, ~strike~, `code`. */
function inline(s) {
  return s
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,:;!?<])/g, '$1<strong>$2</strong>')
    .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,:;!?<])/g, '$1<em>$2</em>')
    .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,:;!?<])/g, '$1<del>$2</del>');
}

/** Slack's mrkdwn as HTML: tokens, formatting, ``` blocks, > quotes, line breaks. */
export function mrkdwn(text, ctx = {}) {
  const source = String(text ?? '');
  // Tokens and ``` blocks are set aside (as private-use markers) while lines are formatted.
  const tokens = [];
  let html = '';
  let last = 0;
  for (const m of source.matchAll(/<([^<>\n]+)>/g)) {
    html += `${slackText(source.slice(last, m.index))}\uE000${tokens.length}\uE000`;
    tokens.push(token(m[1], ctx));
    last = m.index + m[0].length;
  }
  html += slackText(source.slice(last));
  const pre = [];
  html = html.replace(/```([\s\S]*?)```/g, (_, code) => {
    pre.push(code);
    return `\uE001${pre.length - 1}\uE001`;
  });
  const out = [];
  let quote = [];
  const flush = () => {
    if (quote.length) out.push(`<blockquote>${quote.join('<br>')}</blockquote>`);
    quote = [];
  };
  for (const line of html.split('\n')) {
    const q = /^&gt;\s?(.*)$/.exec(line);
    if (q) quote.push(inline(q[1]));
    else {
      flush();
      out.push(inline(line));
    }
  }
  flush();
  return out
    .join('<br>')
    .replace(/<br>(<blockquote>)/g, '$1')
    .replace(/(<\/blockquote>)<br>/g, '$1')
    .replace(/\uE001(\d+)\uE001/g, (_, i) => `<pre>${pre[Number(i)]}</pre>`)
    .replace(/\uE000(\d+)\uE000/g, (_, i) => tokens[Number(i)]);
}

/** A text object: plain_text escaped, mrkdwn formatted. */
export function textObject(t, ctx = {}) {
  if (!t || typeof t !== 'object') return '';
  return t.type === 'mrkdwn' ? mrkdwn(t.text, ctx) : slackText(t.text ?? '');
}

const plainOf = (t) => (t && typeof t === 'object' ? String(t.text ?? '') : '');
const attr = (name, value) =>
  value === undefined || value === null ? '' : ` ${name}="${escapeHtml(value)}"`;
const unsupported = (kind, type) => `<div class="unsupported">unsupported ${kind}: ${escapeHtml(type)}</div>`;

/** The data a pressed element sends back: its action_id, block_id and value. */
function actionData(el, blockId) {
  return `${attr('data-action-id', el.action_id)}${attr('data-block-id', blockId)}`;
}

/** An interactive element outside an input block (actions blocks, section accessories). */
export function element(el, blockId) {
  if (!el || typeof el !== 'object') return unsupported('element', typeof el);
  switch (el.type) {
    case 'button': {
      const style = el.style === 'primary' || el.style === 'danger' ? ` ${el.style}` : '';
      return `<button type="button" class="bk-button${style}"${actionData(el, blockId)}${attr('data-value', el.value)}>${slackText(plainOf(el.text))}</button>`;
    }
    case 'overflow':
    case 'static_select': {
      const label = el.type === 'overflow' ? 'More options' : plainOf(el.placeholder) || 'Choose';
      const options = optionsOf(el)
        .map((o) => `<option value="${escapeHtml(o.value)}">${slackText(plainOf(o.text))}</option>`)
        .join('');
      return `<select class="bk-select"${actionData(el, blockId)} aria-label="${escapeHtml(label)}"><option value="">${el.type === 'overflow' ? '⋯' : escapeHtml(label)}</option>${options}</select>`;
    }
    case 'image':
      return `<img class="bk-image" src="${escapeHtml(el.image_url ?? '')}" alt="${escapeHtml(el.alt_text ?? '')}">`;
    default:
      return unsupported('element', el.type);
  }
}

function optionsOf(el) {
  const flat = Array.isArray(el.options) ? el.options : [];
  const grouped = Array.isArray(el.option_groups) ? el.option_groups.flatMap((g) => g.options ?? []) : [];
  return [...flat, ...grouped];
}

/** A select of an input block: a placeholder first when one value is chosen, a list box when several. */
function selectHtml(el, multi, placeholder, attributes, options) {
  const first = multi
    ? ''
    : `<option value="">${escapeHtml(plainOf(el.placeholder) || placeholder)}</option>`;
  const items = options
    .map(
      (o) =>
        `<option value="${escapeHtml(o.value)}"${o.selected ? ' selected' : ''}${attr('title', o.title)}>${o.html}</option>`,
    )
    .join('');
  return `<select ${attributes} class="bk-select"${multi ? ' multiple' : ''}>${first}${items}</select>`;
}

/** The control of an input block, labelled by the block's label (`labelId`). */
function inputControl(el, blockId, controlId, labelId, describedBy, ctx) {
  const data = `${attr('data-block-id', blockId)}${attr('data-action-id', el.action_id)}${attr('data-type', el.type)}`;
  const described = describedBy ? attr('aria-describedby', describedBy) : '';
  const initialValues = (list) => new Set((list ?? []).map((o) => (typeof o === 'string' ? o : o.value)));
  switch (el.type) {
    case 'plain_text_input': {
      const common = `id="${controlId}" class="bk-input"${data}${described}${attr('placeholder', plainOf(el.placeholder) || undefined)}${attr('maxlength', el.max_length)}`;
      return el.multiline
        ? `<textarea ${common} rows="3">${escapeHtml(el.initial_value ?? '')}</textarea>`
        : `<input type="text" ${common}${attr('value', el.initial_value)}>`;
    }
    case 'static_select':
    case 'multi_static_select': {
      const multi = el.type === 'multi_static_select';
      const initial = initialValues(
        multi ? el.initial_options : el.initial_option ? [el.initial_option] : [],
      );
      const options = optionsOf(el).map((o) => ({
        value: o.value,
        html: slackText(plainOf(o.text)),
        selected: initial.has(o.value),
        title: plainOf(o.description) || undefined,
      }));
      return selectHtml(el, multi, 'Choose…', `id="${controlId}"${data}${described}`, options);
    }
    case 'users_select':
    case 'multi_users_select': {
      const multi = el.type === 'multi_users_select';
      const initial = new Set(multi ? (el.initial_users ?? []) : el.initial_user ? [el.initial_user] : []);
      const options = Object.entries(ctx.users ?? {}).map(([id, name]) => ({
        value: id,
        html: escapeHtml(name),
        selected: initial.has(id),
      }));
      return selectHtml(el, multi, 'Choose someone…', `id="${controlId}"${data}${described}`, options);
    }
    case 'radio_buttons':
    case 'checkboxes': {
      const radio = el.type === 'radio_buttons';
      const initial = initialValues(
        radio ? (el.initial_option ? [el.initial_option] : []) : el.initial_options,
      );
      const items = optionsOf(el)
        .map((o, i) => {
          const id = `${controlId}-${i}`;
          return `<label class="bk-choice" for="${id}"><input type="${radio ? 'radio' : 'checkbox'}" id="${id}" name="${controlId}" value="${escapeHtml(o.value)}"${initial.has(o.value) ? ' checked' : ''}> ${slackText(plainOf(o.text))}</label>`;
        })
        .join('');
      return `<div class="bk-choices" role="${radio ? 'radiogroup' : 'group'}" aria-labelledby="${labelId}"${described}${data}>${items}</div>`;
    }
    default:
      return unsupported('element', el.type);
  }
}

/** One block. */
export function block(b, ctx = {}, index = 0) {
  if (!b || typeof b !== 'object') return unsupported('block', typeof b);
  const blockId = b.block_id ?? `b${index}`;
  switch (b.type) {
    case 'header':
      return `<h3 class="bk-header">${slackText(plainOf(b.text))}</h3>`;
    case 'section': {
      const text = b.text ? `<div class="bk-text">${textObject(b.text, ctx)}</div>` : '';
      const fields = Array.isArray(b.fields)
        ? `<div class="bk-fields">${b.fields.map((f) => `<div class="bk-field">${textObject(f, ctx)}</div>`).join('')}</div>`
        : '';
      const accessory = b.accessory ? `<div class="bk-accessory">${element(b.accessory, blockId)}</div>` : '';
      return `<div class="bk-section"><div class="bk-section-body">${text}${fields}</div>${accessory}</div>`;
    }
    case 'context': {
      const items = (b.elements ?? [])
        .map((e) =>
          e.type === 'image'
            ? `<img class="bk-context-image" src="${escapeHtml(e.image_url ?? '')}" alt="${escapeHtml(e.alt_text ?? '')}">`
            : `<span>${textObject(e, ctx)}</span>`,
        )
        .join('');
      return `<div class="bk-context">${items}</div>`;
    }
    case 'divider':
      return '<hr class="bk-divider">';
    case 'actions':
      return `<div class="bk-actions">${(b.elements ?? []).map((e) => element(e, blockId)).join('')}</div>`;
    case 'image':
      return `<figure class="bk-image-block"><img src="${escapeHtml(b.image_url ?? '')}" alt="${escapeHtml(b.alt_text ?? '')}">${b.title ? `<figcaption>${textObject(b.title, ctx)}</figcaption>` : ''}</figure>`;
    case 'input': {
      const el = b.element ?? {};
      const controlId = `in-${escapeHtml(ctx.idPrefix ?? 'v')}-${escapeHtml(blockId)}`;
      const labelId = `${controlId}-label`;
      const hintId = b.hint ? `${controlId}-hint` : '';
      const error = ctx.errors?.[b.block_id];
      const errorId = error ? `${controlId}-error` : '';
      const describedBy = [hintId, errorId].filter(Boolean).join(' ');
      const grouped = el.type === 'radio_buttons' || el.type === 'checkboxes';
      const label = `${slackText(plainOf(b.label))}${b.optional ? ' <span class="bk-optional">(optional)</span>' : ''}`;
      const labelTag = grouped
        ? `<span class="bk-label" id="${labelId}">${label}</span>`
        : `<label class="bk-label" id="${labelId}" for="${controlId}">${label}</label>`;
      return `<div class="bk-input-block${error ? ' has-error' : ''}">${labelTag}${inputControl(el, b.block_id ?? blockId, controlId, labelId, describedBy, ctx)}${b.hint ? `<div class="bk-hint" id="${hintId}">${textObject(b.hint, ctx)}</div>` : ''}${error ? `<div class="bk-error" id="${errorId}" role="alert">${slackText(error)}</div>` : ''}</div>`;
    }
    case 'rich_text':
      return `<div class="bk-rich-text">${(b.elements ?? []).map((e) => richElement(e, ctx)).join('')}</div>`;
    default:
      return unsupported('block', b.type);
  }
}

/** rich_text's sections, lists, quotes and preformatted text. */
function richElement(e, ctx) {
  switch (e?.type) {
    case 'rich_text_section':
      return `<div>${(e.elements ?? []).map((x) => richInline(x, ctx)).join('')}</div>`;
    case 'rich_text_list': {
      const tag = e.style === 'ordered' ? 'ol' : 'ul';
      return `<${tag}>${(e.elements ?? []).map((x) => `<li>${(x.elements ?? []).map((y) => richInline(y, ctx)).join('')}</li>`).join('')}</${tag}>`;
    }
    case 'rich_text_quote':
      return `<blockquote>${(e.elements ?? []).map((x) => richInline(x, ctx)).join('')}</blockquote>`;
    case 'rich_text_preformatted':
      return `<pre>${(e.elements ?? []).map((x) => richInline(x, ctx)).join('')}</pre>`;
    default:
      return unsupported('block', `rich_text/${e?.type}`);
  }
}

function richInline(x, ctx) {
  const styled = (html) => {
    const s = x.style ?? {};
    let out = html;
    if (s.code) out = `<code>${out}</code>`;
    if (s.bold) out = `<strong>${out}</strong>`;
    if (s.italic) out = `<em>${out}</em>`;
    if (s.strike) out = `<del>${out}</del>`;
    return out;
  };
  switch (x?.type) {
    case 'text':
      return styled(escapeHtml(x.text ?? '').replaceAll('\n', '<br>'));
    case 'user':
      return `<span class="mention">@${escapeHtml(nameOf(ctx, x.user_id))}</span>`;
    case 'usergroup':
      return `<span class="mention">@${escapeHtml(x.usergroup_id)}</span>`;
    case 'channel':
      return `<span class="mention">#${escapeHtml(ctx.channels?.[x.channel_id] ?? x.channel_id)}</span>`;
    case 'broadcast':
      return `<span class="mention">@${escapeHtml(x.range)}</span>`;
    case 'link': {
      const safe = /^(https?:|mailto:)/i.test(x.url ?? '') ? x.url : '#';
      return styled(
        `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${escapeHtml(x.text ?? x.url)}</a>`,
      );
    }
    case 'emoji':
      return x.unicode
        ? String.fromCodePoint(...x.unicode.split('-').map((h) => Number.parseInt(h, 16)))
        : `:${escapeHtml(x.name)}:`;
    default:
      return unsupported('element', `rich_text/${x?.type}`);
  }
}

/** Blocks, in order. `ctx`: { users: {id: name}, channels: {id: name}, errors: {block_id: text}, idPrefix }. */
export function renderBlocks(blocks, ctx = {}) {
  return (Array.isArray(blocks) ? blocks : []).map((b, i) => block(b, ctx, i)).join('');
}
