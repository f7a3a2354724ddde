// The playbook schema as JSON Schema, for editors (`# yaml-language-server: $schema=…`).
import { z } from 'zod';
import { playbookSchema } from './schema.ts';

export function playbookJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(playbookSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'ProjectLead playbook',
    description: 'An SOP chain: steps in order with owners, outputs and gates; rules, skips and tables.',
  };
}
