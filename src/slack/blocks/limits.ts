// Slack's limits on messages, Block Kit and views, and the helpers that keep text within them.
// A request of any length is shortened with "…" here, so Slack never rejects a message for size.

export const LIMITS = {
  /** Blocks in a message; modals and App Home take 100. */
  messageBlocks: 50,
  viewBlocks: 100,
  /** `text` of a message: Slack truncates after 40,000; we stay well below for a fallback. */
  messageText: 4000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionDescription: 75,
  optionValue: 150,
  staticSelectOptions: 100,
  overflowOptions: 5,
  placeholder: 150,
  inputLabel: 2000,
  inputHint: 2000,
  /** `plain_text_input` max_length and initial_value. */
  inputValue: 3000,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  blockId: 255,
  actionId: 255,
} as const;

export const ELLIPSIS = '…';

/** Code points, so a cut never splits an emoji or another surrogate pair. */
function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Length as Slack counts it closely enough for limits (UTF-16 units, the stricter count). */
export function fits(text: string, max: number): boolean {
  return text.length <= max;
}

/**
 * Shorten plain text to at most `max` characters, ending with "…". Cuts at a word boundary
 * when one is near the end, never inside a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (fits(text, max)) return text;
  if (max <= ELLIPSIS.length) return ELLIPSIS.slice(0, Math.max(0, max));
  const budget = max - ELLIPSIS.length;
  let cut = '';
  for (const ch of codePoints(text)) {
    if (cut.length + ch.length > budget) break;
    cut += ch;
  }
  // Prefer a word boundary if it costs at most a fifth of the budget.
  const space = cut.search(/\s\S*$/);
  if (space > budget * 0.8) cut = cut.slice(0, space);
  return `${cut.trimEnd()}${ELLIPSIS}`;
}

/**
 * Shorten mrkdwn: like `truncate`, and never leaves a Slack entity (`<@U…>`, `<!subteam^…>`,
 * `<https://…|label>`) or a formatting run cut in half.
 */
export function truncateMrkdwn(text: string, max: number): string {
  if (fits(text, max)) return text;
  let cut = truncate(text, max).slice(0, -ELLIPSIS.length);
  const open = cut.lastIndexOf('<');
  if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
  cut = cut.trimEnd();
  // An odd number of ``` fences would turn the rest of the message into code: close it.
  if ((cut.match(/```/g)?.length ?? 0) % 2 === 1) {
    const close = '\n```';
    const room = max - close.length;
    const inner = cut.length + ELLIPSIS.length <= room ? `${cut}${ELLIPSIS}` : truncate(cut, room);
    return `${inner}${close}`;
  }
  return `${cut}${ELLIPSIS}`;
}

/** One line: newlines collapsed, then shortened (headers, buttons, option labels). */
export function oneLine(text: string, max: number): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), max);
}

const SLACK_ENTITY =
  /^<(?:[@#][A-Z0-9]+(?:\|[^<>]*)?|!subteam\^[A-Z0-9]+(?:\|[^<>]*)?|!date\^[^<>]+|(?:https?|mailto):[^<>\s]+(?:\|[^<>]*)?)>/;

/**
 * Make user text safe in mrkdwn. Keeps what Slack sent already escaped (`&lt;`) and its
 * entities (user, channel and group mentions, links), escapes every other `&`, `<` and `>`,
 * and defuses `<!channel>`, `<!here>` and `<!everyone>` so a request never pings a channel.
 */
export function escapeMrkdwn(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '<') {
      const m = SLACK_ENTITY.exec(text.slice(i));
      if (m) {
        out += m[0];
        i += m[0].length;
        continue;
      }
      out += '&lt;';
    } else if (ch === '>') {
      out += '&gt;';
    } else if (ch === '&') {
      out += /^&(?:amp|lt|gt);/.test(text.slice(i, i + 5)) ? '&' : '&amp;';
    } else {
      out += ch;
    }
    i++;
  }
  return out;
}

/** Split long text into pieces of at most `max` characters, at line breaks where possible. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = rest.lastIndexOf('\n', max);
    if (at < max * 0.5) at = rest.lastIndexOf(' ', max);
    if (at < max * 0.5) at = max;
    // Never split a surrogate pair.
    const code = rest.charCodeAt(at - 1);
    if (code >= 0xd800 && code <= 0xdbff) at -= 1;
    parts.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

/** Slices of at most `size` items (actions blocks hold 25 elements). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
