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
  // Binary user-data (gzip) goes in data, base64 as the API stores it: stringData would have to be UTF-8.
  const data = spec.cloudInit.userData.kind === 'bytes' ? { [Files.userData]: spec.cloudInit.userData.bytes.toString('base64') } : undefined;
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
    ...(data ? { data } : {}),
    stringData,
  };
}
