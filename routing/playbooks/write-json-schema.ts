// `npm run playbooks:schema` writes routing/playbooks/playbook.schema.json.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { playbookJsonSchema } from './json-schema.ts';

const out = fileURLToPath(new URL('./playbook.schema.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(playbookJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${out}\n`);
