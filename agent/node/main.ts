#!/usr/bin/env node
// Entry point of the berth node agent (run by the DaemonSet as `node dist/agent/node/main.js`).
//   main.js [run] [--option value …]   the long-running agent
//   main.js probe [--cpuinfo …]        prints the KVM verdict as JSON and exits (for people and tests)
import { ConfigError, parseAgentConfig } from './config.js';
import { probeNode } from './kvm/probe.js';
import { log, runAgent } from './agent.js';

try {
  const config = parseAgentConfig(process.argv.slice(2), process.env);
  if (config.command === 'probe') {
    const result = await probeNode({ cpuinfoPath: config.cpuinfoPath, kvmDevicePath: config.kvmDevicePath, sysfsPath: config.sysfsPath, qemuBinary: config.qemuBinary, guestTimeoutMs: config.probeTimeoutMs });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    await runAgent(config);
  }
  process.exit(0);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`berth agent: ${error.message}\n`);
    process.exit(2);
  }
  log(`berth agent: fatal: ${(error as Error).stack ?? error}`);
  process.exit(1);
}
