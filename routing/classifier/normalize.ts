/**
 * Text preparation: Slack markup → readable text (for titles and for people), and
 * readable text → a flat lowercase token string that the lexicon's patterns run on.
 */

const USER_MENTION = /<@[UW][A-Z0-9]+(?:\|[^>]*)?>/g;
const GROUP_MENTION = /<!subteam\^[A-Z0-9]+(?:\|[^>]*)?>/g;
const SPECIAL_MENTION = /<!(?:here|channel|everyone)(?:\|[^>]*)?>/g;
const OTHER_SPECIAL = /<!(?:date\^[^|>]*\|([^>]*)|[^>]*)>/g;
const CHANNEL = /<#[CG][A-Z0-9]+(?:\|([^>]*))?>/g;
const LINK = /<((?:https?|mailto|tel|ftp):[^|>\s]*)(?:\|([^>]*))?>/g;
const CODE_BLOCK = /```[\s\S]*?(?:```|$)/g;
const INLINE_CODE = /`([^`\n]*)`/g;
const EMOJI = /:[a-z0-9_+'-]+(?:::skin-tone-\d)?:/g;
const ENTITY = /&(amp|lt|gt|quot|#39);/g;
/**
 * HTML typed into Slack (which sends `<` as `&lt;`): a `<script>`/`<style>` element with its
 * code, and tags: closing ones, ones with attributes or self-closing, and opening ones whose
 * element is closed later. Neither is prose: `<script>alert(1)</script>` says nothing about
 * the work. A lone `<c>` or `Array<string>` stays; inline code keeps its HTML (a bug report
 * quoting a payload).
 */
const HTML_ELEMENT = /(?:<|&lt;)(script|style)\b[\s\S]*?(?:<|&lt;)\/\1\s*(?:>|&gt;)/gi;
const HTML_TAG = /(?:<|&lt;)(\/)?([a-z][a-z0-9-]*)((?:\s(?:[^<>&]|&(?!lt;|gt;))*?)?)(\/)?(?:>|&gt;)/gi;
const INLINE_CODE_SPAN = /(`[^`\n]*`)/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

const MARKUP = /[<>:`&*_~]/;
const EMPHASIS = /[*_~]/;

export const HERE_MENTION = /<!(?:here|channel|everyone)(?:\|[^>]*)?>/;

/** Whitespace that collapsing would change: anything but a lone space. */
const UNTIDY_SPACE = /[^\S ]| \s/;

/**
 * Whitespace runs to one space, trimmed. Most texts already have single spaces only: then
 * the per-match `replace` is skipped and only the ends are trimmed (the same result).
 */
function collapseSpaces(text: string): string {
  return UNTIDY_SPACE.test(text) ? text.replace(/\s+/g, ' ').trim() : text.trim();
}

/**
 * Slack markup to plain text: mentions (`<@U…|name>`, `<!subteam^S…|@x>`, `<!here>`) are
 * removed, `<url|label>` becomes its label (a bare `<url>` its address), `<#C…|name>` becomes
 * `#name`, `:emoji_codes:`, code blocks and HTML tags (outside inline code) are removed, inline
 * `code` keeps its text,
 * bold/italic/strike markers and entities are undone, whitespace collapses.
 */
export function normalizeSlackText(text: string): string {
  if (!text) return '';
  // Most messages carry no markup at all: only whitespace needs tidying.
  if (!MARKUP.test(text)) return collapseSpaces(text);
  // A step runs only when the text has the character its markup needs (most messages have a
  // colon or an underscore, not every kind of markup). No step brings in a character the
  // text lacks, except entities: `&gt;` brings in the `>` a quote needs.
  let out = text;
  if (text.includes('`')) out = out.replace(CODE_BLOCK, ' ');
  if (text.includes('<')) {
    out = out
      .replace(USER_MENTION, ' ')
      .replace(GROUP_MENTION, ' ')
      .replace(SPECIAL_MENTION, ' ')
      .replace(CHANNEL, (_m, name: string | undefined) => (name ? `#${name}` : ' '))
      .replace(LINK, (_m, url: string, label: string | undefined) => label ?? url.replace(/^mailto:/, ''))
      .replace(OTHER_SPECIAL, (_m, label: string | undefined) => label ?? ' ');
  }
  if (text.includes('<') || text.includes('&lt;')) out = stripHtml(out);
  if (text.includes('`')) out = out.replace(INLINE_CODE, '$1');
  if (text.includes(':')) out = out.replace(EMOJI, ' ');
  if (text.includes('&')) out = out.replace(ENTITY, (_m, name: string) => ENTITIES[name] ?? _m);
  if (EMPHASIS.test(text))
    out = out.replace(/(^|\s)[*_~]+(?=\S)/g, '$1').replace(/(\S)[*_~]+(?=\s|$|[.,!?;:)])/g, '$1');
  if (text.includes('>') || text.includes('&')) out = out.replace(/^\s*>\s?/gm, '');
  return collapseSpaces(out);
}

/** `text` without HTML elements and tags, except inside inline code. */
function stripHtml(text: string): string {
  const parts = text.split(INLINE_CODE_SPAN);
  for (let i = 0; i < parts.length; i += 2) {
    const part = parts[i]!.replace(HTML_ELEMENT, ' ');
    parts[i] = part.replace(
      HTML_TAG,
      (
        tag,
        closing: string | undefined,
        name: string,
        attributes: string,
        selfClosing: string | undefined,
      ) => (closing || selfClosing || attributes.trim() || closedLater(part, name) ? ' ' : tag),
    );
  }
  return parts.join('');
}

function closedLater(text: string, element: string): boolean {
  return new RegExp(`(?:<|&lt;)/${element}\\s*(?:>|&gt;)`, 'i').test(text);
}

/** The names of the `:emoji:` codes in a text, without colons or skin tones. */
export function emojiNames(text: string): string[] {
  const found = text.match(EMOJI);
  if (!found) return [];
  return found.map((code) => code.slice(1, code.indexOf(':', 1)));
}

/** The contents of the ``` code blocks of a text. */
export function codeBlocks(text: string): string[] {
  const found = text.match(CODE_BLOCK);
  if (!found) return [];
  return found.map((block) => block.replace(/```/g, ' '));
}

const NON_ASCII = /[^ -~\s]/;
const TOKEN = /[a-z0-9]+(?:\.[0-9]+)*%?/g;

/**
 * Plain text to the flat token string the patterns run on: lowercase ASCII, apostrophes
 * dropped inside words ("doesn't" → "doesnt"), every other symbol a separator, one space
 * between tokens. Version numbers keep their dots ("v2.4"), percentages their sign.
 */
export function toTokens(text: string): string[] {
  let lower = text.toLowerCase();
  if (NON_ASCII.test(lower)) {
    lower = lower
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[\u2018\u2019\u02bc]/g, "'");
  }
  if (lower.includes("'")) lower = lower.replace(/([a-z])'([a-z])/g, '$1$2');
  return lower.match(TOKEN) ?? [];
}

const TITLE_LIMIT = 120;

/** A one-line title from the readable text, at most 120 characters, cut at a word. */
export function makeTitle(readable: string): string {
  return titleOfTidyText(collapseSpaces(readable));
}

/**
 * `makeTitle` of a text whose whitespace is already collapsed and trimmed, as
 * `normalizeSlackText` returns it (a long text is then not scanned a second time).
 */
export function titleOfTidyText(tidy: string): string {
  if (tidy.length <= TITLE_LIMIT) return tidy;
  const cut = tidy.slice(0, TITLE_LIMIT - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 60 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?-]+$/, '')}…`;
}
