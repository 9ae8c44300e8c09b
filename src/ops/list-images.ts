// `images`: the catalog's entries joined with what each node's agent reports about its cache.
import type { Connection } from '../kube/connect.js';
import { listNodeFacts, readCatalogData } from '../images/catalog-api.js';
import { buildImageRows, type ImageRow } from '../images/image-rows.js';

export async function listImageRows(conn: Connection): Promise<ImageRow[]> {
  const catalog = (await readCatalogData(conn)) ?? {};
  return buildImageRows(catalog, await listNodeFacts(conn));
}
