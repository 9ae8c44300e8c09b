// Build step (npm run build): writes the command table so the first <TAB> is fast. Completion
// regenerates a stale table itself, so a failure here is reported but never breaks the build.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCommandTable, saveCommandTable, TABLE_FILE } from './table.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
try {
  const table = await generateCommandTable(root);
  if (!saveCommandTable(root, table)) process.stderr.write(`warning: could not write ${TABLE_FILE}\n`);
} catch (error) {
  process.stderr.write(`warning: completion table not generated: ${(error as Error).message}\n`);
}
