// `images add`: check the entry, then merge it into the catalog (or leave an identical one alone).
import { applyCatalogChange, readCatalogData } from '../images/catalog-api.js';
import { planAdd, type AddImageRequest, type CatalogChange } from '../images/catalog-edit.js';
import { changesPrintable } from '../output/print.js';
import type { OpIo } from './io.js';

export async function addImage(request: AddImageRequest, io: OpIo): Promise<CatalogChange> {
  planAdd({}, { ...request, force: true }); // validate before connecting
  const conn = await io.connect();
  const change = planAdd(await readCatalogData(conn), request);
  await applyCatalogChange(conn, change);
  const { name } = request;
  io.note(change.kind === 'none' ? `image ${name} is already in the catalog, unchanged` : `image ${name} added to the catalog; follow the download with: kubectl berth images`);
  io.print(changesPrintable([{ ref: `image/${name}`, done: change.kind === 'none' ? 'unchanged' : 'added' }]));
  return change;
}
