// The launcher configuration these integration tests start from: what every VM pod's environment
// carries, plus the directories a test points at its own scratch space.
import { parseLauncherConfig, type LauncherConfig } from '../../../../agent/launcher/config.js';
import { LauncherEnv } from '../../../../shared/contract.js';

export function testLauncherConfig(env: Record<string, string | undefined>): LauncherConfig {
  return parseLauncherConfig({
    [LauncherEnv.vmName]: 'web',
    [LauncherEnv.namespace]: 'team-a',
    [LauncherEnv.podIp]: '10.0.0.5',
    [LauncherEnv.accel]: 'tcg',
    [LauncherEnv.imageSha256]: 'a'.repeat(64),
    ...env,
  });
}
