// Whether the cluster's Kubernetes is one kubectl-berth supports (SUPPORTED_KUBERNETES_MINORS), from
// what the API server's /version says. `version` reports it; install and create warn. Pure.
import { SUPPORTED_KUBERNETES_MINORS } from '../../shared/contract.js';

/** The fields of the API server's /version that matter here (client-node's VersionInfo has them). */
export interface ServerVersionInfo {
  gitVersion?: string;
  major?: string;
  minor?: string;
}

export interface KubeMinor {
  major: number;
  minor: number;
}

export type ServerSupportStatus = 'supported' | 'older' | 'newer' | 'unknown';

export interface ServerSupport {
  status: ServerSupportStatus;
  /** The server's version as it reports it, e.g. v1.34.5+k3s1. */
  server: string;
  /** Its minor, e.g. 1.34; absent when it could not be read. */
  minor?: string;
}

/**
 * The minor of a Kubernetes version: "v1.37.2", "1.36", "v1.36.0-gke.1" and "v1.34.5+k3s1" all
 * work; a distribution's suffix after the patch is ignored. Undefined for anything else.
 */
export function parseKubeMinor(version: string): KubeMinor | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** The server's minor from gitVersion, else from the major and minor fields (some report "27+"). */
function serverMinor(info: ServerVersionInfo): KubeMinor | undefined {
  const fromGit = info.gitVersion ? parseKubeMinor(info.gitVersion) : undefined;
  if (fromGit) return fromGit;
  const major = Number.parseInt(info.major ?? '', 10);
  const minor = Number.parseInt(info.minor ?? '', 10);
  return Number.isInteger(major) && Number.isInteger(minor) ? { major, minor } : undefined;
}

const compare = (a: KubeMinor, b: KubeMinor) => a.major - b.major || a.minor - b.minor;
const text = (v: KubeMinor) => `${v.major}.${v.minor}`;

/** "1.35 to 1.37": the supported minors as a range, for messages. */
export function supportedRange(supported: readonly string[] = SUPPORTED_KUBERNETES_MINORS): string {
  return supported.length > 1 ? `${supported[0]} to ${supported[supported.length - 1]}` : (supported[0] ?? '');
}

/** Compares the server's minor with the supported ones (oldest first, as keys.ts lists them). */
export function checkServerSupport(info: ServerVersionInfo, supported: readonly string[] = SUPPORTED_KUBERNETES_MINORS): ServerSupport {
  const server = info.gitVersion || [info.major, info.minor].filter(Boolean).join('.') || 'unknown';
  const version = serverMinor(info);
  const oldest = parseKubeMinor(supported[0] ?? '');
  const newest = parseKubeMinor(supported[supported.length - 1] ?? '');
  if (!version || !oldest || !newest) return { status: 'unknown', server };
  const status = compare(version, oldest) < 0 ? 'older' : compare(version, newest) > 0 ? 'newer' : 'supported';
  return { status, server, minor: text(version) };
}

export interface ServerSupportNotice {
  level: 'Warning' | 'Note';
  text: string;
}

/**
 * What to tell the user: a warning when the server is older than the oldest supported minor (with
 * what to do), a note when it is newer than the newest one tested; nothing otherwise.
 */
export function serverSupportNotice(check: ServerSupport, supported: readonly string[] = SUPPORTED_KUBERNETES_MINORS): ServerSupportNotice | undefined {
  const range = supportedRange(supported);
  if (check.status === 'older') {
    return {
      level: 'Warning',
      text:
        `the cluster runs Kubernetes ${check.server}, older than kubectl-berth supports (${range}); ` +
        `berth is not tested there and may fail. Upgrade the cluster to ${supported[0]} or newer, ` +
        `or use a kubectl-berth release that supports ${check.minor}.`,
    };
  }
  if (check.status === 'newer') {
    return {
      level: 'Note',
      text: `the cluster runs Kubernetes ${check.server}, newer than kubectl-berth is tested on (${range}); if something fails, look for a newer kubectl-berth release.`,
    };
  }
  return undefined;
}
