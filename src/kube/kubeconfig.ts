// The plugin's one kubeconfig reader: which files, how they merge, which context, and what its
// fields mean. It reads kubeconfig as kubectl does, and settles here the points where
// @kubernetes/client-node or Node would read it differently, so that both of the plugin's clients
// (the light reader, src/kube/reader.ts, and client-node) see the same, kubectl's, configuration:
//  - several KUBECONFIG files merge first-wins for every name and for current-context (client-node's
//    loadFromDefault throws on a repeated name and lets later files win current-context);
//  - no kubeconfig is an error, never client-node's silent http://localhost:8080;
//  - certificate-authority-data beats certificate-authority, and the same for the client
//    certificate and key (client-go's dataFromSliceOrFile; client-node prefers the file);
//  - kubectl's `tokenFile` is read (client-node knows only `token-file`) and trimmed, as client-go does;
//  - HTTPS_PROXY/HTTP_PROXY and NO_PROXY choose a proxy when the cluster names none (client-node
//    reads only proxy-url; src/kube/proxy-env.ts);
//  - without a CA, the operating system's trust store, as Go uses (Node has its own bundled roots).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import * as tls from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { BerthError } from '../../shared/errors.js';
import { proxyFromEnvironment } from './proxy-env.js';

export interface KubeconfigSelection {
  /** --kubeconfig: one file, used alone. */
  kubeconfig?: string;
  /** --context */
  context?: string;
  env?: NodeJS.ProcessEnv;
}

/** The kubeconfig files kubectl would read, in precedence order. Pure. */
export function kubeconfigFiles(sel: KubeconfigSelection, home = homedir()): string[] {
  if (sel.kubeconfig) return [sel.kubeconfig];
  const env = sel.env ?? process.env;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter((p) => p.length > 0);
  return [join(home, '.kube', 'config')];
}

export const kubeconfigErrors = {
  fileMissing: (file: string) =>
    new BerthError('KUBECONFIG', `kubeconfig file '${file}' does not exist`, { hint: 'pass the path of an existing kubeconfig to --kubeconfig' }),
  noneFound: (files: string[]) =>
    new BerthError('KUBECONFIG', `no kubeconfig found (looked at ${files.join(', ')})`, {
      hint: 'set KUBECONFIG or pass --kubeconfig; kubectl berth never falls back to localhost:8080',
    }),
  unreadable: (file: string, reason: string) =>
    new BerthError('KUBECONFIG', `cannot read kubeconfig '${file}': ${reason}`, {
      hint: 'check that the file is valid YAML in kubeconfig format (kubectl config view)',
    }),
  unknownContext: (context: string, known: string[]) =>
    new BerthError('KUBECONFIG', `context '${context}' is not in your kubeconfig`, {
      hint: known.length > 0 ? `use one of: ${known.join(', ')}` : 'add a context with kubectl config set-context',
    }),
  noCurrentContext: () =>
    new BerthError('KUBECONFIG', 'your kubeconfig has no current context', { hint: 'pass --context NAME or run kubectl config use-context NAME' }),
  noCluster: (context: string) =>
    new BerthError('KUBECONFIG', `context '${context}' names no known cluster`, { hint: 'fix the context with kubectl config set-context' }),
  tokenFile: (user: string, file: string, reason: string) =>
    new BerthError('KUBECONFIG', `cannot read the token file of user '${user}' (${file}): ${reason}`, { hint: 'fix tokenFile in your kubeconfig, or the file it names' }),
};

/** The kubeconfig files that exist, in precedence order; the selection's errors when there are none. */
export function presentKubeconfigFiles(sel: KubeconfigSelection): string[] {
  const files = kubeconfigFiles(sel);
  if (sel.kubeconfig && !existsSync(sel.kubeconfig)) throw kubeconfigErrors.fileMissing(sel.kubeconfig);
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) throw kubeconfigErrors.noneFound(files);
  return present;
}

/** A kubeconfig entry's fields as written in the file (certificate-authority, token, exec, …). */
export type KubeconfigFields = Record<string, unknown>;

export interface Entry {
  name: string;
  fields: KubeconfigFields;
}

export interface MergedKubeconfig {
  clusters: Entry[];
  users: Entry[];
  contexts: Entry[];
  currentContext: string;
}

export interface CurrentContext {
  name: string;
  namespace?: string;
  cluster: Entry;
  /** Undefined when the context names no user, or one that no file defines. */
  user?: Entry;
}

/** What the reader hands both clients: every entry, and the selected context read as kubectl reads it. */
export interface Kubeconfig {
  merged: MergedKubeconfig;
  context: CurrentContext;
}

/** Path fields that kubectl resolves against the directory of the file that names them. */
const PATH_FIELDS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile', 'token-file'];

function absolutePaths(fields: KubeconfigFields, directory: string): KubeconfigFields {
  const out = { ...fields };
  for (const key of PATH_FIELDS) {
    const value = out[key];
    if (typeof value === 'string' && value !== '' && !isAbsolute(value)) out[key] = join(directory, value);
  }
  return out;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The entries of one list of one file, or what is wrong with them (what kubectl and client-node reject). */
function entries(list: unknown, kind: 'cluster' | 'user' | 'context', directory: string): Entry[] | string {
  if (!Array.isArray(list)) return [];
  const out: Entry[] = [];
  for (const [i, item] of list.entries()) {
    if (!isObject(item) || typeof item.name !== 'string' || item.name === '') return `${kind}s[${i}].name is missing`;
    const fields = item[kind] ?? {};
    if (!isObject(fields)) return `${kind}s[${i}].${kind} is not a map`;
    if (kind === 'cluster' && !text(fields.server)) return `clusters[${i}].cluster.server is missing`;
    if (kind === 'context' && !text(fields.cluster)) return `contexts[${i}].context.cluster is missing`;
    out.push({ name: item.name, fields: absolutePaths(fields, directory) });
  }
  return out;
}

/** Merges parsed kubeconfig documents as kubectl does: the first file to name an entry wins. Pure. */
export function mergeKubeconfigs(docs: { file: string; doc: unknown }[]): MergedKubeconfig | string {
  const merged: MergedKubeconfig = { clusters: [], users: [], contexts: [], currentContext: '' };
  for (const { file, doc } of docs) {
    // An empty file is an empty kubeconfig, to kubectl as well.
    const body = isObject(doc) ? doc : {};
    const directory = dirname(file);
    for (const [kind, into] of [['cluster', merged.clusters], ['user', merged.users], ['context', merged.contexts]] as const) {
      const found = entries(body[`${kind}s`], kind, directory);
      if (typeof found === 'string') return `${file}: ${found}`;
      for (const entry of found) if (!into.some((e) => e.name === entry.name)) into.push(entry);
    }
    const current = body['current-context'];
    if (!merged.currentContext && typeof current === 'string') merged.currentContext = current;
  }
  return merged;
}

/** Picks --context or the current context from merged kubeconfigs; the usual errors when it cannot. Pure. */
export function selectContext(merged: MergedKubeconfig, context: string | undefined): CurrentContext {
  if (context && !merged.contexts.some((c) => c.name === context)) {
    throw kubeconfigErrors.unknownContext(context, merged.contexts.map((c) => c.name));
  }
  const name = context || merged.currentContext;
  if (!name) throw kubeconfigErrors.noCurrentContext();
  const ctx = merged.contexts.find((c) => c.name === name);
  const cluster = merged.clusters.find((c) => c.name === ctx?.fields.cluster);
  if (!ctx || !cluster) throw kubeconfigErrors.noCluster(name);
  const user = merged.users.find((u) => u.name === ctx.fields.user);
  const namespace = text(ctx.fields.namespace);
  return { name, namespace, cluster, user };
}

/** The I/O kubectl's reading needs, passed in so that it stays testable. */
export interface KubectlReadIo {
  env: NodeJS.ProcessEnv;
  readFile(path: string): string;
  /** The operating system's trusted CA certificates (PEM), or undefined where Node cannot list them. */
  systemCa(): string | undefined;
}

/** One of a -data field and its file field: the data wins, as in client-go. */
function dataOverFile(fields: KubeconfigFields, fileKey: string): KubeconfigFields {
  if (!text(fields[`${fileKey}-data`]) || !text(fields[fileKey])) return fields;
  const { [fileKey]: _file, ...rest } = fields;
  return rest;
}

/** The selected context with its fields as kubectl would use them (see the top of this file). */
export function asKubectlReads(context: CurrentContext, io: KubectlReadIo): CurrentContext {
  let cluster = dataOverFile(context.cluster.fields, 'certificate-authority');
  const server = text(cluster.server) ?? '';
  const proxy = text(cluster['proxy-url']) ?? proxyFromEnvironment(server, io.env);
  if (proxy) cluster = { ...cluster, 'proxy-url': proxy };
  if (server.startsWith('https://') && cluster['insecure-skip-tls-verify'] !== true && !text(cluster['certificate-authority']) && !text(cluster['certificate-authority-data'])) {
    const system = io.systemCa();
    if (system) cluster = { ...cluster, 'certificate-authority-data': Buffer.from(system).toString('base64') };
  }
  let user = context.user?.fields;
  if (user) {
    user = dataOverFile(dataOverFile(user, 'client-certificate'), 'client-key');
    const tokenFile = text(user.tokenFile) ?? text(user['token-file']);
    const { tokenFile: _a, 'token-file': _b, ...rest } = user;
    user = rest;
    if (tokenFile && !text(user.token)) {
      try {
        user.token = io.readFile(tokenFile).trim();
      } catch (error) {
        throw kubeconfigErrors.tokenFile(context.user!.name, tokenFile, (error as Error).message);
      }
    }
  }
  return { ...context, cluster: { ...context.cluster, fields: cluster }, user: context.user && user ? { ...context.user, fields: user } : undefined };
}

/** Reads and merges the selected files; contexts are not selected yet. */
export function readMergedKubeconfig(sel: KubeconfigSelection): MergedKubeconfig {
  const docs: { file: string; doc: unknown }[] = [];
  for (const file of presentKubeconfigFiles(sel)) {
    try {
      docs.push({ file, doc: parse(readFileSync(file, 'utf8')) });
    } catch (error) {
      throw kubeconfigErrors.unreadable(file, (error as Error).message.split('\n')[0]!);
    }
  }
  const merged = mergeKubeconfigs(docs);
  if (typeof merged === 'string') {
    const [file, ...reason] = merged.split(': ');
    throw kubeconfigErrors.unreadable(file!, reason.join(': '));
  }
  return merged;
}

const processIo: KubectlReadIo = {
  env: process.env,
  readFile: (path) => readFileSync(path, 'utf8'),
  // Node 22.15 and newer list the system store; older ones keep their bundled roots.
  systemCa: () => (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates?.('system')?.join('\n'),
};

/** The kubeconfig of the selection: files merged, context selected and read as kubectl reads it. */
export function readKubeconfig(sel: KubeconfigSelection, io: KubectlReadIo = processIo): Kubeconfig {
  const merged = readMergedKubeconfig(sel);
  return { merged, context: asKubectlReads(selectContext(merged, sel.context), io) };
}

/** client-node's KubeConfig of a kubeconfig this reader read: the same entries, the same current context. */
export async function toClientNode(kubeconfig: Kubeconfig): Promise<KubeConfig> {
  // Imported only now: commands that never need client-node never pay for loading it.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { merged, context } = kubeconfig;
  const settled = (list: Entry[], entry: Entry | undefined) => list.map((e) => (entry && e.name === entry.name ? entry : e));
  const doc = {
    clusters: settled(merged.clusters, context.cluster).map((e) => ({ name: e.name, cluster: e.fields })),
    users: settled(merged.users, context.user).map((e) => ({ name: e.name, user: e.fields })),
    contexts: merged.contexts.map((e) => ({ name: e.name, context: e.fields })),
    'current-context': context.name,
  };
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(doc));
  return kc;
}

/** client-node's KubeConfig for the selection (the reader's, then handed to client-node). */
export async function loadKubeConfig(sel: KubeconfigSelection): Promise<KubeConfig> {
  return toClientNode(readKubeconfig(sel));
}
