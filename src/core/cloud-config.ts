// Cloud-init user-data and meta-data for a VM. SSH keys are merged into a #cloud-config file
// (comments and order kept); user-data in any other format (scripts, MIME multipart, jinja
// templates) cannot be edited safely, so the keys travel in meta-data `public-keys` instead, which
// cloud-init's NoCloud datasource honours as well.
import { isMap, isSeq, parseDocument, stringify } from 'yaml';

export const CLOUD_CONFIG_HEADER = '#cloud-config';

export type UserDataMerge =
  | { ok: true; userData: string; keysInUserData: boolean }
  | { ok: false; problem: string };

function isCloudConfig(text: string): boolean {
  return text.startsWith(CLOUD_CONFIG_HEADER);
}

/** user-data with `keys` added to ssh_authorized_keys. `source` names the file in problems. Pure. */
export function mergeSshKeys(userData: string | undefined, keys: readonly string[], source = 'user-data'): UserDataMerge {
  if (userData === undefined || userData.trim() === '') {
    const body = keys.length > 0 ? stringify({ ssh_authorized_keys: [...keys] }, { lineWidth: 0 }) : '';
    return { ok: true, userData: `${CLOUD_CONFIG_HEADER}\n${body}`, keysInUserData: keys.length > 0 };
  }
  if (!isCloudConfig(userData)) return { ok: true, userData, keysInUserData: false };
  const doc = parseDocument(userData, { prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const line = e.linePos?.[0]?.line;
    return { ok: false, problem: `${source} is not valid YAML${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}` };
  }
  if (doc.contents === null) doc.contents = doc.createNode({}) as never;
  if (!isMap(doc.contents)) return { ok: false, problem: `${source} must be a YAML mapping of cloud-config keys, not a ${isSeq(doc.contents) ? 'list' : 'scalar'}` };
  if (keys.length > 0) {
    const existing = doc.get('ssh_authorized_keys');
    if (existing !== undefined && existing !== null && !isSeq(existing)) {
      return { ok: false, problem: `${source}: ssh_authorized_keys must be a list` };
    }
    const seq = isSeq(existing) ? existing : doc.createNode([]);
    const present = new Set(seq.items.map((i) => String((i as { value?: unknown }).value ?? i).trim()));
    for (const key of keys) if (!present.has(key)) seq.add(doc.createNode(key));
    doc.set('ssh_authorized_keys', seq);
  }
  let text = doc.toString({ lineWidth: 0 });
  if (!isCloudConfig(text)) text = `${CLOUD_CONFIG_HEADER}\n${text}`;
  return { ok: true, userData: text, keysInUserData: keys.length > 0 };
}

/**
 * NoCloud meta-data. `publicKeys` only when they could not go into user-data. No instance-id: the
 * launcher derives it from the seed at each start (agent/launcher/cloud-init.ts), so that edited
 * user-data is applied; one written here would pin it. Pure.
 */
export function buildMetaData(name: string, publicKeys: readonly string[] = []): string {
  const data: Record<string, unknown> = { 'local-hostname': name };
  if (publicKeys.length > 0) data['public-keys'] = [...publicKeys];
  return stringify(data, { lineWidth: 0 });
}

const KEY_TYPES = /^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

/** The public keys in a .pub or authorized_keys text, or the problem with it. Pure. */
export function parsePublicKeys(text: string, source: string): { ok: true; keys: string[] } | { ok: false; problem: string } {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
    return { ok: false, problem: `${source} is a private key; pass the public key (the .pub file) instead` };
  }
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return { ok: false, problem: `${source} holds no SSH public key` };
  for (const line of lines) {
    if (!KEY_TYPES.test(line)) {
      const shown = line.length > 40 ? `${line.slice(0, 37)}...` : line;
      return { ok: false, problem: `${source} is not an SSH public key ('${shown}'); expected e.g. 'ssh-ed25519 AAAA... user@host'` };
    }
  }
  return { ok: true, keys: lines };
}
