// Small Block Kit constructors that apply Slack's limits as they build, so no builder can
// produce a block Slack would reject. Pure; typed with @slack/types.
import type {
  ActionsBlock,
  ActionsBlockElement,
  Button,
  ContextBlock,
  DividerBlock,
  HeaderBlock,
  KnownBlock,
  MrkdwnElement,
  PlainTextElement,
  PlainTextOption,
  SectionBlock,
} from '@slack/types';
import { type RoleMention, SYSTEM_ACTOR } from '../../domain/types.ts';
import { humanDuration } from '../../services/clocks/business-time.ts';
import { chunk, ELLIPSIS, escapeMrkdwn, LIMITS, oneLine, truncate, truncateMrkdwn } from './limits.ts';

/** What a message builder returns: the notification/fallback text and the blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export const plain = (text: string, max: number = LIMITS.sectionText): PlainTextElement => ({
  type: 'plain_text',
  text: truncate(text, max) || ' ',
  emoji: true,
});

export const mrkdwn = (text: string, max: number = LIMITS.sectionText): MrkdwnElement => ({
  type: 'mrkdwn',
  text: truncateMrkdwn(text, max) || ' ',
});

export function section(
  text: string,
  extra: Partial<Omit<SectionBlock, 'type' | 'text'>> = {},
): SectionBlock {
  return { type: 'section', text: mrkdwn(text), ...extra };
}

/** A section of label/value fields (at most 10, each at most 2000 characters). */
export function fields(items: readonly (readonly [label: string, value: string])[]): SectionBlock {
  return {
    type: 'section',
    fields: items
      .slice(0, LIMITS.sectionFields)
      .map(([label, value]) => mrkdwn(`*${label}*\n${value}`, LIMITS.fieldText)),
  };
}

export function header(text: string): HeaderBlock {
  return { type: 'header', text: plain(oneLine(text, LIMITS.headerText), LIMITS.headerText) };
}

export function context(...texts: string[]): ContextBlock {
  const items = texts.filter((t) => t.trim() !== '');
  const kept = items.slice(0, LIMITS.contextElements);
  if (items.length > kept.length)
    kept[kept.length - 1] = `${ELLIPSIS} and ${items.length - kept.length + 1} more`;
  return { type: 'context', elements: kept.map((t) => mrkdwn(t, LIMITS.contextText)) };
}

export const divider = (): DividerBlock => ({ type: 'divider' });

export function button(text: string, actionId: string, value: string, style?: 'primary' | 'danger'): Button {
  return {
    type: 'button',
    text: plain(oneLine(text, LIMITS.buttonText), LIMITS.buttonText),
    action_id: actionId,
    value: truncate(value, LIMITS.buttonValue),
    ...(style ? { style } : {}),
  };
}

/** Actions blocks of at most 25 elements each. */
export function actions(elements: readonly ActionsBlockElement[], blockId?: string): ActionsBlock[] {
  return chunk(elements, LIMITS.actionsElements).map((els, i) => ({
    type: 'actions',
    elements: els,
    ...(blockId ? { block_id: i === 0 ? blockId : `${blockId}_${i}` } : {}),
  }));
}

export function option(text: string, value: string, description?: string): PlainTextOption {
  return {
    text: plain(oneLine(text, LIMITS.optionText), LIMITS.optionText),
    value: truncate(value, LIMITS.optionValue),
    ...(description
      ? { description: plain(oneLine(description, LIMITS.optionDescription), LIMITS.optionDescription) }
      : {}),
  };
}

/** `<@U…>` for users, `<!subteam^S…>` for user groups; the bot acting by itself is @ProjectLead. */
export function mention(principal: string): string {
  if (principal === SYSTEM_ACTOR) return '@ProjectLead';
  return principal.startsWith('S') ? `<!subteam^${principal}>` : `<@${principal}>`;
}

export function mentionAll(principals: readonly string[]): string {
  return principals.map(mention).join(' ');
}

/** "@Atlas <@U1> <@U2>", or "@Atlas (nobody holds it)". */
export function roleMention(m: RoleMention): string {
  return m.principals.length > 0
    ? `${mentionAll(m.principals)} (@${m.role})`
    : `@${m.role} (nobody holds it)`;
}

export function roleMentions(ms: readonly RoleMention[]): string {
  return ms.map(roleMention).join(', ');
}

/** User text shown in mrkdwn: escaped and shortened. */
export function userText(text: string, max: number): string {
  // Escaping only lengthens text: cut a long request first, so a 40,000-character one is cheap.
  return truncateMrkdwn(escapeMrkdwn(text.length > max ? text.slice(0, max + 1) : text), max);
}

/** A quoted block of user text (outputs, reasons), each line prefixed with `>`. */
export function quote(text: string, max: number = LIMITS.sectionText - 200): string {
  const body = userText(text.trim(), max - 50);
  return body
    .split('\n')
    .map((l) => `>${l}`)
    .join('\n');
}

/** "3h 20m", "2d 4h", "45s" (a negative duration counts as none). */
export function formatDuration(ms: number): string {
  return humanDuration(Math.max(0, ms));
}

/**
 * The last word on limits for a message: fallback text shortened, at most 50 blocks (trailing
 * actions blocks, the buttons, are kept; what is dropped from the middle is said).
 */
export function fitMessage(message: SlackMessage, maxBlocks: number = LIMITS.messageBlocks): SlackMessage {
  // The fallback text is mrkdwn too (notifications): user text in it must not ping a channel.
  const text = truncateMrkdwn(
    escapeMrkdwn(message.text.trim() === '' ? ' ' : message.text),
    LIMITS.messageText,
  );
  return { text, blocks: fitBlocks(message.blocks, maxBlocks) };
}

export function fitBlocks(blocks: readonly KnownBlock[], maxBlocks: number): KnownBlock[] {
  if (blocks.length <= maxBlocks) return [...blocks];
  let tailStart = blocks.length;
  while (tailStart > 0 && blocks[tailStart - 1]!.type === 'actions') tailStart--;
  const tail = blocks.slice(tailStart).slice(-Math.floor(maxBlocks / 2));
  const room = maxBlocks - tail.length - 1;
  const head = blocks.slice(0, room);
  const dropped = blocks.length - tail.length - head.length;
  return [...head, context(`${ELLIPSIS} ${dropped} more not shown`), ...tail];
}
