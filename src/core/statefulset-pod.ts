// The pod a VM's StatefulSet will make, as the StatefulSet controller makes it: the template, the
// ordinal name, and a PVC volume per claim template. Pod Security and other admission judge pods,
// not StatefulSets, so `create` sends this pod through a server-side dry run: a namespace that would
// refuse it fails `create` before anything exists, instead of a StatefulSet whose pod never comes.
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';

export function firstPodOf(sts: V1StatefulSet): V1Pod {
  const name = `${sts.metadata!.name!}-0`;
  const template = sts.spec!.template;
  const claims = (sts.spec!.volumeClaimTemplates ?? []).map((claim) => ({
    name: claim.metadata!.name!,
    persistentVolumeClaim: { claimName: `${claim.metadata!.name!}-${name}` },
  }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name, namespace: sts.metadata!.namespace },
    spec: {
      ...template.spec!,
      hostname: name,
      subdomain: sts.spec!.serviceName,
      volumes: [...(template.spec!.volumes ?? []), ...claims],
    },
  };
}
