// `images rm`: drop the entry from the catalog; the agents then delete their unused copies.
import { applyCatalogChange, readCatalogData } from '../images/catalog-api.js';
import { planRemove, type CatalogChange } from '../images/catalog-edit.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';

export async function removeImage(name: string, ignoreNotFound: boolean, io: OpIo): Promise<CatalogChange> {
  const conn = await io.connect();
  const change = planRemove(await readCatalogData(conn), name, ignoreNotFound);
  await applyCatalogChange(conn, change);
  io.note(change.kind === 'none' ? `image ${name} was not in the catalog` : `image ${name} removed from the catalog`);
  io.print(changesPrintable([{ ref: `image/${name}`, done: change.kind === 'none' ? 'unchanged' : 'removed' }]));
  return change;
}
