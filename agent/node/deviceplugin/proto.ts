// Loads the device-plugin api.proto at runtime. tsc does not copy .proto files, so they are read
// from the source tree, which both the checkout and the container image ship.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/**
 * A .proto file of the agent: next to the compiled module when someone copied it there, else in
 * the source tree (`sourceDir`, relative to the project root), which both the checkout and the
 * container image ship.
 */
export function findProto(moduleUrl: string, fileName: string, sourceDir: string): string {
  const candidates = [
    fileURLToPath(new URL(`./${fileName}`, moduleUrl)),
    // dist/agent/node/<dir>/<module>.js → agent/node/<dir>/<fileName>
    fileURLToPath(new URL(`../../../../${sourceDir}/${fileName}`, moduleUrl)),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${fileName} not found; looked in ${candidates.join(', ')}`);
  return found;
}

export function protoPath(): string {
  return findProto(import.meta.url, 'api.proto', 'agent/node/deviceplugin');
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
