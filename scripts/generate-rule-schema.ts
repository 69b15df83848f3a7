/**
 * Writes `schema/rule.schema.json` again with its catalog definitions (action, fact and
 * operator names, action parameters, operator values) made from the catalogs in `src/`.
 * Run it as `npm run schema` after adding or changing an action, a fact or an operator;
 * `test/rules/rule-schema.test.ts` fails while the committed schema differs.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { withCatalogDefinitions, type JsonSchema } from '../src/rules/rule-schema.js';

const file = new URL('../schema/rule.schema.json', import.meta.url);
const schema = JSON.parse(await readFile(file, 'utf8')) as JsonSchema;
const filepath = fileURLToPath(file);
const text = await format(JSON.stringify(withCatalogDefinitions(schema)), {
  ...(await resolveConfig(filepath)),
  filepath,
});
await writeFile(file, text);
console.log(`wrote ${filepath}`);
