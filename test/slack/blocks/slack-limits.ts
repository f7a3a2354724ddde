// Checks a message or view against Slack's documented Block Kit limits; returns the problems.
// Stricter than Slack where it is cheap (empty texts, duplicate ids) so builders stay honest.
type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined =>
  isObject(v) && typeof v.text === 'string' ? v.text : undefined;

function checkText(problems: string[], v: unknown, max: number, where: string, required = true) {
  const t = textOf(v);
  if (t === undefined) {
    if (required) problems.push(`${where}: missing text`);
    return;
  }
  if (t.length === 0) problems.push(`${where}: empty text`);
  if (t.length > max) problems.push(`${where}: ${t.length} > ${max} characters`);
}

function checkOption(problems: string[], o: unknown, where: string) {
  if (!isObject(o)) return problems.push(`${where}: option not an object`);
  checkText(problems, o.text, 75, `${where}.text`);
  if (o.description !== undefined) checkText(problems, o.description, 75, `${where}.description`);
  if (typeof o.value !== 'string' || o.value.length === 0 || o.value.length > 150)
    problems.push(`${where}: bad value`);
}

function checkElement(problems: string[], el: unknown, where: string) {
  if (!isObject(el) || typeof el.type !== 'string') return problems.push(`${where}: element without type`);
  if (typeof el.action_id === 'string' && el.action_id.length > 255)
    problems.push(`${where}: action_id too long`);
  switch (el.type) {
    case 'button':
      checkText(problems, el.text, 75, `${where}.text`);
      if (typeof el.value === 'string' && el.value.length > 2000) problems.push(`${where}: value too long`);
      break;
    case 'overflow':
      if (!Array.isArray(el.options) || el.options.length < 1 || el.options.length > 5)
        problems.push(`${where}: overflow needs 1-5 options`);
      (el.options as unknown[] | undefined)?.forEach((o, i) =>
        checkOption(problems, o, `${where}.options[${i}]`),
      );
      break;
    case 'static_select':
    case 'multi_static_select':
    case 'radio_buttons':
      if (
        !Array.isArray(el.options) ||
        el.options.length < 1 ||
        el.options.length > (el.type === 'radio_buttons' ? 10 : 100)
      ) {
        problems.push(`${where}: bad option count`);
      }
      (el.options as unknown[] | undefined)?.forEach((o, i) =>
        checkOption(problems, o, `${where}.options[${i}]`),
      );
      if (el.placeholder !== undefined) checkText(problems, el.placeholder, 150, `${where}.placeholder`);
      break;
    case 'plain_text_input': {
      const max = typeof el.max_length === 'number' ? el.max_length : 3000;
      if (max > 3000) problems.push(`${where}: max_length > 3000`);
      if (typeof el.initial_value === 'string' && el.initial_value.length > max)
        problems.push(`${where}: initial_value over max_length`);
      if (el.placeholder !== undefined) checkText(problems, el.placeholder, 150, `${where}.placeholder`);
      break;
    }
  }
}

export function blockProblems(blocks: unknown, maxBlocks: number): string[] {
  const problems: string[] = [];
  if (!Array.isArray(blocks)) return ['blocks not an array'];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks > ${maxBlocks}`);
  const blockIds = new Set<string>();
  blocks.forEach((b: unknown, i) => {
    const at = `blocks[${i}]`;
    if (!isObject(b) || typeof b.type !== 'string') return problems.push(`${at}: no type`);
    if (typeof b.block_id === 'string') {
      if (b.block_id.length > 255) problems.push(`${at}: block_id too long`);
      if (blockIds.has(b.block_id)) problems.push(`${at}: duplicate block_id ${b.block_id}`);
      blockIds.add(b.block_id);
    }
    switch (b.type) {
      case 'section':
        if (b.text === undefined && b.fields === undefined)
          problems.push(`${at}: section without text or fields`);
        if (b.text !== undefined) checkText(problems, b.text, 3000, `${at}.text`);
        if (Array.isArray(b.fields)) {
          if (b.fields.length > 10) problems.push(`${at}: > 10 fields`);
          b.fields.forEach((f, j) => checkText(problems, f, 2000, `${at}.fields[${j}]`));
        }
        if (b.accessory !== undefined) checkElement(problems, b.accessory, `${at}.accessory`);
        break;
      case 'header':
        checkText(problems, b.text, 150, `${at}.text`);
        break;
      case 'context':
        if (!Array.isArray(b.elements) || b.elements.length < 1 || b.elements.length > 10)
          problems.push(`${at}: context needs 1-10 elements`);
        (b.elements as unknown[] | undefined)?.forEach((e, j) =>
          checkText(problems, e, 3000, `${at}.elements[${j}]`),
        );
        break;
      case 'actions': {
        const els = Array.isArray(b.elements) ? b.elements : [];
        if (els.length < 1 || els.length > 25)
          problems.push(`${at}: actions needs 1-25 elements (has ${els.length})`);
        const ids = new Set<string>();
        els.forEach((e: unknown, j) => {
          checkElement(problems, e, `${at}.elements[${j}]`);
          const id = isObject(e) ? e.action_id : undefined;
          if (typeof id === 'string') {
            if (ids.has(id)) problems.push(`${at}: duplicate action_id ${id}`);
            ids.add(id);
          }
        });
        break;
      }
      case 'input':
        checkText(problems, b.label, 2000, `${at}.label`);
        if (b.hint !== undefined) checkText(problems, b.hint, 2000, `${at}.hint`);
        checkElement(problems, b.element, `${at}.element`);
        break;
      case 'divider':
        break;
      default:
        problems.push(`${at}: unexpected block type ${b.type}`);
    }
  });
  return problems;
}

export function messageProblems(m: { text: unknown; blocks: unknown }): string[] {
  const problems = blockProblems(m.blocks, 50);
  if (typeof m.text !== 'string' || m.text.trim() === '') problems.push('no fallback text');
  else if (m.text.length > 4000) problems.push(`fallback text ${m.text.length} > 4000`);
  return problems;
}

export function viewProblems(v: Json): string[] {
  const problems: string[] = [];
  if (v.type === 'modal') {
    checkText(problems, v.title, 24, 'title');
    if (v.submit !== undefined) checkText(problems, v.submit, 24, 'submit');
    if (v.close !== undefined) checkText(problems, v.close, 24, 'close');
    const hasInput = Array.isArray(v.blocks) && v.blocks.some((b) => isObject(b) && b.type === 'input');
    if (hasInput && v.submit === undefined) problems.push('inputs without submit');
  }
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000)
    problems.push('private_metadata too long');
  return [...problems, ...blockProblems(v.blocks, 100)];
}

/** All visible text of blocks (section text and fields, context, headers, buttons). */
export function allText(m: { text?: unknown; blocks?: unknown }): string {
  const out: string[] = [typeof m.text === 'string' ? m.text : ''];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (typeof v.text === 'string') out.push(v.text);
      for (const [k, x] of Object.entries(v)) if (k !== 'text' || typeof x !== 'string') walk(x);
    }
  };
  walk(m.blocks);
  return out.join('\n');
}

/** Every element with an action_id, in order. */
export function actionElements(blocks: unknown): Json[] {
  const out: Json[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObject(v)) {
      if (typeof v.action_id === 'string') out.push(v);
      Object.values(v).forEach(walk);
    }
  };
  walk(blocks);
  return out;
}
