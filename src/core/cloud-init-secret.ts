// The VM's cloud-init Secret: NoCloud meta-data, the generated user-data and the VNC password.
// User-data lives in a Secret, never a ConfigMap: it routinely carries passwords and tokens.
import type { V1Secret } from '@kubernetes/client-node';
import { Files } from '../../shared/contract.js';
import { cloudInitSecretName } from './names.js';
import { vmLabels } from './vm-labels.js';
import type { VmSpec } from './vm-spec.js';
import { vmAnnotations } from './vm-statefulset.js';

export function buildCloudInitSecret(spec: VmSpec): V1Secret {
  const stringData: Record<string, string> = { [Files.metaData]: spec.cloudInit.metaData };
  if (spec.cloudInit.userData.kind === 'inline') stringData[Files.userData] = spec.cloudInit.userData.text;
  if (spec.vnc.mode === 'password' && spec.vnc.password) stringData[Files.vncPassword] = spec.vnc.password;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: cloudInitSecretName(spec.name),
      namespace: spec.namespace,
      labels: vmLabels(spec.name),
      annotations: vmAnnotations(spec),
    },
    type: 'Opaque',
    stringData,
  };
}
