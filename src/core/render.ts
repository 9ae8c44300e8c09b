// Manifests for `create --dry-run -o yaml|json`: the exact objects create would send, in a form
// `kubectl apply -f -` accepts as-is (multi-document YAML, or a v1 List in JSON).
import { asList, toJson, toYaml } from '../output/format.js';

export type ManifestFormat = 'yaml' | 'json';

export function renderManifests(objects: readonly object[], format: ManifestFormat): string {
  // A JSON round trip drops undefined fields and unshares objects, so YAML has no &anchors.
  const plain = objects.map((o) => JSON.parse(JSON.stringify(o)) as object);
  if (format === 'json') return toJson(asList(plain));
  return plain.map((o) => toYaml(o)).join('---\n');
}
