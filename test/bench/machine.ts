// Describes the machine a benchmark ran on, for the head of BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { Machine } from './report.js';

function firstLineOf(argv: string[]): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]!.trim();
  } catch {
    return `${argv[0]} not found`;
  }
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown OS';
  } catch {
    return 'unknown OS';
  }
}

export function describeMachine(): Machine {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown CPU',
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: osName(),
    node: process.version,
    kubectl: `kubectl ${firstLineOf(['kubectl', 'version', '--client']).replace(/^Client Version:\s*/, '')}`,
    qemu: firstLineOf(['qemu-system-x86_64', '--version']).replace(/^QEMU emulator version/, 'QEMU'),
  };
}
