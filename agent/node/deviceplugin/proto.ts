// Loads api.proto at runtime. tsc does not copy .proto files, so the file is read from next to the
// compiled module when someone copied it there, else from the source tree (agent/node/deviceplugin),
// which both the checkout and the container image ship.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

export function protoPath(): string {
  const candidates = [
    fileURLToPath(new URL('./api.proto', import.meta.url)),
    // dist/agent/node/deviceplugin/proto.js → agent/node/deviceplugin/api.proto
    fileURLToPath(new URL('../../../../agent/node/deviceplugin/api.proto', import.meta.url)),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`device-plugin api.proto not found; looked in ${candidates.join(', ')}`);
  return found;
}

export interface DevicePluginApi {
  Registration: grpc.ServiceClientConstructor;
  DevicePlugin: grpc.ServiceClientConstructor;
}

let cached: DevicePluginApi | undefined;

export function loadDevicePluginApi(): DevicePluginApi {
  if (cached) return cached;
  const definition = protoLoader.loadSync(protoPath(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  const pkg = grpc.loadPackageDefinition(definition).v1beta1 as unknown as DevicePluginApi;
  cached = pkg;
  return pkg;
}
