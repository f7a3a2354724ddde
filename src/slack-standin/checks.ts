// What real Slack rejects and a bot realistically trips over: Block Kit limits
// (`invalid_blocks`), message metadata, modals without a title or a submit for their inputs.
import type { Json } from './types.ts';
import { fail, isObject } from './wire.ts';

export function checkMessageContent(args: Json): void {
  const hasText = typeof args.text === 'string' && args.text !== '';
  if (!hasText && args.blocks === undefined && args.attachments === undefined) fail('no_text');
  if (args.blocks === undefined) return;
  const problems = blockProblems(args.blocks, 'message');
  if (problems.length > 0) {
    fail('invalid_blocks', {
      errors: problems,
      response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) },
    });
  }
}

/** Slack's check of `metadata`: an `event_type` (letters, digits, underscores) and an object payload. */
export function checkMetadata(metadata: unknown): void {
  if (metadata === undefined) return;
  if (
    !isObject(metadata) ||
    typeof metadata.event_type !== 'string' ||
    !/^[A-Za-z0-9_]{1,255}$/.test(metadata.event_type) ||
    !isObject(metadata.event_payload)
  ) {
    fail('invalid_metadata_format');
  }
}

export function requireView(args: Json): Json {
  const view = args.view;
  if (!isObject(view))
    fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing view'] } });
  const problems = viewProblems(view);
  if (problems.length > 0) {
    fail('invalid_arguments', { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
  }
  return view;
}

/** The Block Kit limits Slack enforces that a bot realistically trips over. */
export function blockProblems(blocks: unknown, surface: 'message' | 'modal' | 'home'): string[] {
  if (!Array.isArray(blocks)) return ['blocks must be an array [json-pointer:/blocks]'];
  const problems: string[] = [];
  const max = surface === 'message' ? 50 : 100;
  if (blocks.length > max) problems.push(`no more than ${max} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  blocks.forEach((block: unknown, i) => {
    const at = `[json-pointer:/blocks/${i}]`;
    if (!isObject(block) || typeof block.type !== 'string') {
      problems.push(`block must be an object with a type ${at}`);
      return;
    }
    if (typeof block.block_id === 'string') {
      if (block.block_id.length > 255) problems.push(`block_id must be at most 255 characters ${at}`);
      if (blockIds.has(block.block_id)) problems.push(`duplicate block_id ${block.block_id} ${at}`);
      blockIds.add(block.block_id);
    }
    const textOf = (v: unknown) => (isObject(v) && typeof v.text === 'string' ? v.text : undefined);
    const checkText = (v: unknown, limit: number, where: string) => {
      const text = textOf(v);
      if (text !== undefined && text.length > limit) {
        problems.push(`must be less than ${limit + 1} characters [json-pointer:/blocks/${i}/${where}]`);
      }
    };
    switch (block.type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined)
          problems.push(`section needs text or fields ${at}`);
        if (block.text !== undefined && textOf(block.text) === '')
          problems.push(`section text must not be empty ${at}`);
        checkText(block.text, 3000, 'text/text');
        if (Array.isArray(block.fields)) {
          if (block.fields.length > 10) problems.push(`no more than 10 fields allowed ${at}`);
          for (const [j, f] of block.fields.entries()) checkText(f, 2000, `fields/${j}/text`);
        }
        if (block.accessory !== undefined)
          problems.push(...elementProblems(block.accessory, `${i}/accessory`));
        break;
      }
      case 'header':
        checkText(block.text, 150, 'text/text');
        break;
      case 'context':
        if (Array.isArray(block.elements) && block.elements.length > 10) {
          problems.push(`no more than 10 context elements allowed ${at}`);
        }
        break;
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length === 0 || elements.length > 25)
          problems.push(`actions needs 1 to 25 elements ${at}`);
        const actionIds = new Set<string>();
        elements.forEach((element: unknown, j) => {
          problems.push(...elementProblems(element, `${i}/elements/${j}`));
          const actionId = isObject(element) ? element.action_id : undefined;
          if (typeof actionId === 'string') {
            if (actionIds.has(actionId)) problems.push(`duplicate action_id ${actionId} ${at}`);
            actionIds.add(actionId);
          }
        });
        break;
      }
      case 'input':
        if (block.element === undefined) problems.push(`input needs an element ${at}`);
        checkText(block.label, 2000, 'label/text');
        break;
    }
  });
  return problems;
}

function elementProblems(element: unknown, path: string): string[] {
  const at = `[json-pointer:/blocks/${path}]`;
  if (!isObject(element)) return [`element must be an object ${at}`];
  const problems: string[] = [];
  if (typeof element.action_id === 'string' && element.action_id.length > 255) {
    problems.push(`action_id must be at most 255 characters ${at}`);
  }
  if (element.type === 'button') {
    const text = isObject(element.text) ? element.text.text : undefined;
    if (typeof text !== 'string' || text === '' || text.length > 75)
      problems.push(`button text must be 1 to 75 characters ${at}`);
    if (typeof element.value === 'string' && element.value.length > 2000) {
      problems.push(`button value must be at most 2000 characters ${at}`);
    }
  }
  return problems;
}

function viewProblems(view: Json): string[] {
  const problems: string[] = [];
  if (view.type !== 'modal' && view.type !== 'home') return ['view.type must be modal or home'];
  const surface = view.type;
  const plainText = (v: unknown) =>
    isObject(v) && v.type === 'plain_text' && typeof v.text === 'string' ? v.text : undefined;
  if (surface === 'modal') {
    const title = plainText(view.title);
    if (title === undefined || title === '' || title.length > 24) {
      problems.push('title must be plain_text of 1 to 24 characters [json-pointer:/view/title]');
    }
    for (const key of ['submit', 'close'] as const) {
      const text = plainText(view[key]);
      if (view[key] !== undefined && (text === undefined || text.length > 24)) {
        problems.push(`${key} must be plain_text of at most 24 characters [json-pointer:/view/${key}]`);
      }
    }
    const hasInput =
      Array.isArray(view.blocks) && view.blocks.some((b: unknown) => isObject(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) problems.push('submit is required when blocks contain inputs');
  }
  if (typeof view.private_metadata === 'string' && view.private_metadata.length > 3000) {
    problems.push('private_metadata must be at most 3000 characters');
  }
  if (typeof view.callback_id === 'string' && view.callback_id.length > 255) {
    problems.push('callback_id must be at most 255 characters');
  }
  problems.push(...blockProblems(view.blocks ?? [], surface));
  return problems;
}
