// Text the core writes for people (refusals, reasons), without any surface's markup: plain
// strings and structured mentions. Each surface renders it: Slack as mrkdwn mentions
// (src/slack/blocks/text.ts), the CLI and the API as plain text or JSON.

/** Someone or something named in a text: a user, a user group, or a role. */
export type Mention = { user: string } | { group: string } | { role: string };

export type TextPart = string | Mention;

/** A sentence of plain strings and mentions, in order. */
export type Text = readonly TextPart[];

export const user = (id: string): Mention => ({ user: id });
export const group = (id: string): Mention => ({ group: id });
export const role = (name: string): Mention => ({ role: name });

/**
 * Build a text from a template: interpolated mentions stay structured, anything else becomes
 * a string. `text\`Only ${role('Ghabs')} can do this.\``
 */
export function text(strings: TemplateStringsArray, ...values: (TextPart | number)[]): Text {
  const parts: TextPart[] = [];
  const push = (p: TextPart) => {
    if (typeof p === 'string' && typeof parts.at(-1) === 'string') parts[parts.length - 1] += p;
    else if (p !== '') parts.push(p);
  };
  strings.forEach((s, i) => {
    push(s);
    if (i < values.length) {
      const v = values[i]!;
      push(typeof v === 'number' ? String(v) : v);
    }
  });
  return parts;
}

/** Mentions joined by `sep` (`@Atlas, @Ghabs`). */
export function joined(mentions: readonly Mention[], sep = ', '): Text {
  return mentions.flatMap((m, i) => (i === 0 ? [m] : [sep, m]));
}

/** The plain rendering: users and groups by ID (`@U123`), roles by name (`@Ghabs`). */
export function plainText(t: Text | string): string {
  if (typeof t === 'string') return t;
  return t
    .map((p) => {
      if (typeof p === 'string') return p;
      if ('user' in p) return `@${p.user}`;
      if ('group' in p) return `@${p.group}`;
      return `@${p.role}`;
    })
    .join('');
}
