// Types of blockkit.js (plain JavaScript the browser loads as it is) for the TypeScript that imports it.
export interface RenderContext {
  /** User id → name, for mentions and user selects. */
  users?: Record<string, string>;
  /** Channel id → name. */
  channels?: Record<string, string>;
  /** block_id → the bot's (or the client's) error for that input. */
  errors?: Record<string, string>;
  /** Keeps control ids unique when several surfaces are on the page. */
  idPrefix?: string;
}
export function escapeHtml(s: unknown): string;
export function mrkdwn(text: string, ctx?: RenderContext): string;
export function textObject(t: unknown, ctx?: RenderContext): string;
export function element(el: unknown, blockId: string | undefined): string;
export function block(b: unknown, ctx?: RenderContext, index?: number): string;
export function renderBlocks(blocks: unknown, ctx?: RenderContext): string;
