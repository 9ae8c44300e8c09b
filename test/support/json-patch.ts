// Applies the JSON patches (RFC 6902) the plugin sends, add and replace only, so unit tests can
// check a patch by the object it makes. The API server applies them for real in the e2e tests.
export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

export function applyJsonPatch<T>(document: T, ops: readonly PatchOp[]): T {
  const doc = structuredClone(document) as unknown;
  for (const { op, path, value } of ops) {
    if (op !== 'add' && op !== 'replace') throw new Error(`op ${op} is not supported here`);
    const keys = path.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = keys.pop()!;
    let parent = doc as Record<string, unknown>;
    for (const key of keys) {
      if (parent[key] === undefined) throw new Error(`${path}: ${key} does not exist`);
      parent = parent[key] as Record<string, unknown>;
    }
    if (Array.isArray(parent)) {
      if (last === '-') parent.push(structuredClone(value));
      else if (op === 'add') parent.splice(Number(last), 0, structuredClone(value));
      else parent[Number(last)] = structuredClone(value);
    } else {
      if (op === 'replace' && !(last in parent)) throw new Error(`${path}: replace of a missing member`);
      parent[last] = structuredClone(value);
    }
  }
  return doc as T;
}
