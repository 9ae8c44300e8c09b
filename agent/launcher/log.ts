// Every launcher message goes to stderr with one prefix, so `kubectl logs` tells the launcher's
// steps apart from the guest's serial console (which owns stdout).
import { LauncherLog } from '../../shared/contract.js';

export type Log = (step: string, message: string) => void;

export const LOG_PREFIX = LauncherLog.prefix;

export function stderrLog(write: (line: string) => void = (line) => process.stderr.write(line)): Log {
  return (step, message) => write(`${LOG_PREFIX}: ${step}: ${message}\n`);
}
