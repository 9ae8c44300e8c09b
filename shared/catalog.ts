// The image catalog: a ConfigMap whose keys are image names and whose values are JSON CatalogEntry
// objects. Parsing is shared by the plugin (which edits it) and the node agent (which downloads
// what it lists), so both reject the same bad entries with the same words.
import { createHash } from 'node:crypto';
import type { CatalogEntry } from './contract.js';

export interface CatalogProblem {
  name: string;
  error: string;
}

export interface ParsedCatalog {
  /** Valid entries by image name, in key order. */
  entries: Map<string, CatalogEntry>;
  /** Entries that cannot be used, with what is wrong with each. */
  problems: CatalogProblem[];
}

const SHA256 = /^[0-9a-fA-F]{64}$/;
/** What `images add` accepts: a DNS label, so the name is also a valid label-key suffix as is. */
const IMAGE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
/** What a ConfigMap key may be; the agent accepts any of these, sanitising where it must. */
const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** Checks a name given to `images add`; returns what is wrong, or undefined. */
export function imageNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the image name is empty';
  if (name.length > 63) return `image name '${name}' is longer than 63 characters`;
  if (!IMAGE_NAME.test(name)) {
    return `image name '${name}' must be lower-case letters, digits, '-' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

export function sha256Problem(sha256: string): string | undefined {
  return SHA256.test(sha256) ? undefined : `sha256 '${sha256}' is not 64 hexadecimal digits`;
}

export function urlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url '${url}' is not an absolute URL`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `url '${url}' must use http or https, not ${parsed.protocol.replace(/:$/, '')}`;
  }
  return urlCredentialsProblem(parsed);
}

/**
 * An image URL travels in plain sight: the catalog, the VM's environment and annotations, `ls`,
 * launcher and agent logs, node annotations and Events. A user name or password in it (user:pass@)
 * would be shown in all of them, so it is refused, and the message names the URL without it.
 */
export function urlCredentialsProblem(url: URL): string | undefined {
  if (url.username === '' && url.password === '') return undefined;
  const shown = new URL(url.href);
  shown.username = '';
  shown.password = '';
  return `url '${shown.href}' carries a user name or password (user:password@), which would be shown wherever the URL is: the catalog, the VM's annotations, ls, logs and Events`;
}

/** What to do instead of a URL with credentials in it. */
export const URL_CREDENTIALS_HINT = 'serve the image where the nodes can download it without credentials (an address only the cluster reaches), and pin it with its sha256';

export function sizeProblem(size: unknown): string | undefined {
  if (size === undefined) return undefined;
  return typeof size === 'number' && Number.isSafeInteger(size) && size > 0 ? undefined : `size ${JSON.stringify(size)} is not a positive whole number of bytes`;
}

/** Validates one entry as found in the ConfigMap (already JSON-parsed). */
export function validateEntry(value: unknown): { entry?: CatalogEntry; error?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'the value is not a JSON object' };
  const v = value as Record<string, unknown>;
  if (typeof v.url !== 'string') return { error: 'url is missing' };
  if (typeof v.sha256 !== 'string') return { error: 'sha256 is missing' };
  const error = urlProblem(v.url) ?? sha256Problem(v.sha256) ?? sizeProblem(v.size);
  if (error) return { error };
  const entry: CatalogEntry = { url: v.url, sha256: v.sha256.toLowerCase() };
  if (v.size !== undefined) entry.size = v.size as number;
  return { entry };
}

/** Parses the ConfigMap's data into usable entries and named problems. */
export function parseCatalog(data: Record<string, string> | undefined): ParsedCatalog {
  const entries = new Map<string, CatalogEntry>();
  const problems: CatalogProblem[] = [];
  for (const [name, raw] of Object.entries(data ?? {})) {
    if (!CONFIGMAP_KEY.test(name)) {
      problems.push({ name, error: `'${name}' is not a valid image name` });
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push({ name, error: 'the value is not valid JSON' });
      continue;
    }
    const { entry, error } = validateEntry(json);
    if (entry) entries.set(name, entry);
    else problems.push({ name, error: error! });
  }
  return { entries, problems };
}

/** The ConfigMap value for an entry: compact JSON with a fixed key order. */
export function renderEntry(entry: CatalogEntry): string {
  const out: CatalogEntry = { url: entry.url, sha256: entry.sha256.toLowerCase() };
  if (entry.size !== undefined) out.size = entry.size;
  return JSON.stringify(out);
}

/**
 * The label-key suffix for an image name (`image.berth.dev/<suffix>`): at most 63 characters of
 * [A-Za-z0-9._-], starting and ending alphanumeric. Names that need changing get a stable hash
 * suffix so two different names never share a label.
 */
export function imageLabelName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  if (cleaned === name && name.length <= 63) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const head = cleaned.slice(0, 54).replace(/[^A-Za-z0-9]+$/, '');
  return head ? `${head}-${hash}` : `i-${hash}`;
}
