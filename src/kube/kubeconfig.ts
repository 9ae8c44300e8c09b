// Loads kubeconfig the way kubectl does. client-node's loadFromDefault throws on a name repeated
// across KUBECONFIG files and lets later files override current-context; kubectl keeps the first
// file's entry for both. It also silently falls back to http://localhost:8080, which we refuse.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { BerthError } from '../../shared/errors.js';

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

/** The errors of kubeconfig loading, shared by the client-node and the client-node-free readers. */
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
};

/** The kubeconfig files that exist, in precedence order; the selection's errors when there are none. */
export function presentKubeconfigFiles(sel: KubeconfigSelection): string[] {
  const files = kubeconfigFiles(sel);
  if (sel.kubeconfig && !existsSync(sel.kubeconfig)) throw kubeconfigErrors.fileMissing(sel.kubeconfig);
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) throw kubeconfigErrors.noneFound(files);
  return present;
}

/** Builds a KubeConfig from the selection, merging several files with first-wins semantics. */
export async function loadKubeConfig(sel: KubeconfigSelection): Promise<KubeConfig> {
  const present = presentKubeconfigFiles(sel);
  // Imported only now: a missing kubeconfig is reported without paying for client-node's load.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const merged = { clusters: [] as any[], users: [] as any[], contexts: [] as any[], currentContext: '' };
  for (const file of present) {
    const one = new KubeConfig();
    try {
      one.loadFromFile(file);
    } catch (error) {
      throw kubeconfigErrors.unreadable(file, (error as Error).message);
    }
    const seen = (list: { name: string }[], name: string) => list.some((e) => e.name === name);
    for (const c of one.getClusters()) if (!seen(merged.clusters, c.name)) merged.clusters.push(c);
    for (const u of one.getUsers()) if (!seen(merged.users, u.name)) merged.users.push(u);
    for (const c of one.getContexts()) if (!seen(merged.contexts, c.name)) merged.contexts.push(c);
    if (!merged.currentContext && one.getCurrentContext()) merged.currentContext = one.getCurrentContext();
  }
  const kc = new KubeConfig();
  kc.loadFromOptions(merged);
  if (sel.context) {
    if (!kc.getContextObject(sel.context)) throw kubeconfigErrors.unknownContext(sel.context, kc.getContexts().map((c) => c.name));
    kc.setCurrentContext(sel.context);
  }
  if (!kc.getCurrentContext()) throw kubeconfigErrors.noCurrentContext();
  if (!kc.getCurrentCluster()) throw kubeconfigErrors.noCluster(kc.getCurrentContext());
  return kc;
}
