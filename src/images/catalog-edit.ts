// Planning a catalog edit before touching the cluster: validate the new entry and decide the
// ConfigMap change (create it, or a merge patch of one key). Pure, so every refusal is tested.
import { BerthError, usageError } from '../../shared/errors.js';
import { Catalog, catalogNamespace, type CatalogEntry } from '../../shared/contract.js';
import { imageNameProblem, renderEntry, sha256Problem, sizeProblem, URL_CREDENTIALS_HINT, urlCredentialsProblem, urlProblem } from '../../shared/catalog.js';

export interface AddImageRequest {
  name: string;
  url: string;
  sha256: string;
  size?: number;
  /** Replace an existing entry of that name. */
  force?: boolean;
}

export type CatalogChange =
  | { kind: 'create'; data: Record<string, string> }
  | { kind: 'patch'; patch: { data: Record<string, string | null> } }
  | { kind: 'none' };

/** How messages name the catalog: configmap/berth-images in namespace berth-system. */
export function catalogWhere(): string {
  return `configmap/${Catalog.configMap} in namespace ${catalogNamespace()}`;
}

export function validateAddRequest(request: AddImageRequest): CatalogEntry {
  const problem = imageNameProblem(request.name) ?? urlProblem(request.url) ?? sha256Problem(request.sha256) ?? sizeProblem(request.size);
  if (problem) {
    const credentials = URL.canParse(request.url) ? urlCredentialsProblem(new URL(request.url)) : undefined;
    throw usageError(problem, problem === credentials ? URL_CREDENTIALS_HINT : 'see kubectl berth images add --help');
  }
  // Stored as the URL parser writes it (scheme and host in lower case), so no reader down the line
  // can mistake HTTPS://... for anything but https.
  const entry: CatalogEntry = { url: new URL(request.url).href, sha256: request.sha256.toLowerCase() };
  if (request.size !== undefined) entry.size = request.size;
  return entry;
}

/** `current` is the ConfigMap's data, or undefined when the ConfigMap does not exist. */
export function planAdd(current: Record<string, string> | undefined, request: AddImageRequest): CatalogChange {
  const value = renderEntry(validateAddRequest(request));
  if (current === undefined) return { kind: 'create', data: { [request.name]: value } };
  const existing = current[request.name];
  if (existing === value) return { kind: 'none' };
  if (existing !== undefined && !request.force) {
    throw new BerthError('ALREADY_EXISTS', `image '${request.name}' is already in the catalog (${catalogWhere()}) with another url, sha256 or size`, {
      hint: [`replace it with --force`, `or remove it first: kubectl berth images rm ${request.name}`],
    });
  }
  return { kind: 'patch', patch: { data: { [request.name]: value } } };
}

export function planRemove(current: Record<string, string> | undefined, name: string, ignoreNotFound = false): CatalogChange {
  if (current === undefined || current[name] === undefined) {
    if (ignoreNotFound) return { kind: 'none' };
    const names = Object.keys(current ?? {}).sort();
    throw new BerthError('NOT_FOUND', `image '${name}' is not in the catalog (${catalogWhere()})`, {
      hint: names.length > 0 ? `the catalog has: ${names.join(', ')}` : 'the catalog is empty; list it with kubectl berth images',
    });
  }
  return { kind: 'patch', patch: { data: { [name]: null } } };
}
