// The objects `kubectl berth install` applies are exactly the YAML files of manifests/, in the
// order manifests/kustomization.yaml lists them, so `kubectl apply -k manifests/` and the plugin
// install the same thing. This module turns those files into objects; it does no I/O.
import { parseAllDocuments, parse } from 'yaml';
import { BerthError } from '../../shared/errors.js';
import { BERTH_IMAGE_DEFAULT, SYSTEM_NAMESPACE } from '../../shared/contract.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
}

export interface Kustomization {
  resources: string[];
  images: KustomizeImage[];
}

function manifestError(message: string): BerthError {
  return new BerthError('INTERNAL', message, {
    hint: 'the manifests shipped with kubectl-berth are damaged; reinstall the plugin',
  });
}

export function parseKustomization(text: string): Kustomization {
  const doc = (parse(text) ?? {}) as { resources?: unknown; images?: unknown };
  const resources = Array.isArray(doc.resources) ? doc.resources.filter((r): r is string => typeof r === 'string') : [];
  if (resources.length === 0) throw manifestError('kustomization.yaml lists no resources');
  const images = Array.isArray(doc.images)
    ? doc.images.filter((i): i is KustomizeImage => typeof i === 'object' && i !== null && typeof i.name === 'string')
    : [];
  return { resources, images };
}

/** The image reference an `images:` entry turns `name` into, as kustomize computes it. */
export function kustomizedImage(entry: KustomizeImage): string {
  return `${entry.newName ?? entry.name}${entry.newTag ? `:${entry.newTag}` : ''}`;
}

/** Parses every YAML document of every file, keeping file order, skipping empty documents. */
export function parseManifests(files: { name: string; text: string }[]): ManifestObject[] {
  const objects: ManifestObject[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(file.text)) {
      if (doc.errors.length > 0) throw manifestError(`${file.name}: ${doc.errors[0]!.message}`);
      const value = doc.toJS() as Partial<ManifestObject> | null;
      if (value === null || value === undefined) continue;
      if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || typeof value.metadata?.name !== 'string') {
        throw manifestError(`${file.name}: a document lacks apiVersion, kind or metadata.name`);
      }
      objects.push(value as ManifestObject);
    }
  }
  return objects;
}

/** The repository part of an image reference: everything before the tag or digest. */
export function imageRepository(ref: string): string {
  const at = ref.indexOf('@');
  const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

interface Container {
  image?: string;
}

function podSpecOf(object: ManifestObject): { containers?: Container[]; initContainers?: Container[] } | undefined {
  const spec = object.spec as { template?: { spec?: unknown }; containers?: unknown } | undefined;
  if (!spec) return undefined;
  if (object.kind === 'Pod') return spec as never;
  return spec.template?.spec as never;
}

/**
 * Points every container that runs the berth image at `image`. A container runs the berth image
 * when its image's repository is BERTH_IMAGE_DEFAULT's or one named in the kustomization's
 * `images:`. Returns new objects; the input is left alone.
 */
export function withBerthImage(objects: ManifestObject[], image: string, kustomizeImages: KustomizeImage[] = []): ManifestObject[] {
  const repositories = new Set([imageRepository(BERTH_IMAGE_DEFAULT), ...kustomizeImages.map((i) => imageRepository(i.name))]);
  return objects.map((original) => {
    const object = structuredClone(original);
    const spec = podSpecOf(object);
    for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      if (container.image && repositories.has(imageRepository(container.image))) container.image = image;
    }
    return object;
  });
}

/** The berth images the objects' containers run (normally exactly one). */
export function berthImagesIn(objects: ManifestObject[]): string[] {
  const images = new Set<string>();
  for (const object of objects) {
    const spec = podSpecOf(object);
    for (const container of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
      if (container.image) images.add(container.image);
    }
  }
  return [...images];
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'Node',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
]);

/** Puts namespaced objects that name no namespace into `namespace`, as kustomize's `namespace:` does. */
export function withDefaultNamespace(objects: ManifestObject[], namespace: string): ManifestObject[] {
  return objects.map((object) =>
    CLUSTER_SCOPED.has(object.kind) || object.metadata.namespace
      ? object
      : { ...object, metadata: { ...object.metadata, namespace } },
  );
}

// Dependencies first: a namespace before what lives in it, RBAC before the workload using it.
const KIND_ORDER = [
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  // before the DaemonSet, so that no agent ever runs unconstrained
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'ConfigMap',
  'Secret',
  'Service',
  'DaemonSet',
  'Deployment',
];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** The order to create objects in (stable for equal kinds). */
export function applyOrder(objects: ManifestObject[]): ManifestObject[] {
  return objects
    .map((object, index) => ({ object, index }))
    .sort((a, b) => kindRank(a.object.kind) - kindRank(b.object.kind) || a.index - b.index)
    .map((e) => e.object);
}

/** The order to delete objects in: the workload first, the namespace last. */
export function deleteOrder(objects: ManifestObject[]): ManifestObject[] {
  return applyOrder(objects).reverse();
}

/** kubectl's way of naming an object: `daemonset.apps/berth-agent`, `namespace/berth-system`. */
export function objectRef(object: ManifestObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}/${object.metadata.name}`;
}

/**
 * The image install runs: --image, else $BERTH_IMAGE, else the one kustomization.yaml names (the
 * place in manifests/ where the image is set, for `kubectl apply -k` too), else keys.ts's default.
 * Pure.
 */
export function installImage(flag: string | undefined, env: NodeJS.ProcessEnv, kustomization: Kustomization): string {
  if (flag) return flag;
  if (env.BERTH_IMAGE) return env.BERTH_IMAGE;
  const named = kustomization.images[0];
  return named ? kustomizedImage(named) : BERTH_IMAGE_DEFAULT;
}

/** What install applies: the manifests, namespaced into berth-system, running `image`. */
export function installObjects(objects: ManifestObject[], kustomization: Kustomization, image: string): ManifestObject[] {
  return withBerthImage(withDefaultNamespace(objects, SYSTEM_NAMESPACE), image, kustomization.images);
}

/**
 * Sets environment variables on the agent DaemonSet's `agent` container (install's cache budget
 * flags). Returns new objects; the input is left alone.
 */
export function withAgentEnv(objects: ManifestObject[], env: Record<string, string>): ManifestObject[] {
  if (Object.keys(env).length === 0) return objects;
  return objects.map((original) => {
    if (original.kind !== 'DaemonSet') return original;
    const object = structuredClone(original);
    const agent = (podSpecOf(object)?.containers as ({ name?: string; env?: { name: string; value?: string }[] } & Container)[] | undefined)?.find((c) => c.name === 'agent');
    if (!agent) throw manifestError('the agent DaemonSet has no container named agent');
    const kept = (agent.env ?? []).filter((e) => !(e.name in env));
    agent.env = [...kept, ...Object.entries(env).map(([name, value]) => ({ name, value }))];
    return object;
  });
}

/** The agent DaemonSet among the objects; install waits on it. */
export function agentDaemonSet(objects: ManifestObject[]): ManifestObject {
  const ds = objects.find((o) => o.kind === 'DaemonSet');
  if (!ds) throw manifestError('the manifests hold no DaemonSet for the berth agent');
  return ds;
}
