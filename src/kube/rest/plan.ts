// Decides whether a kubeconfig context can be served by the light reader (plain HTTPS), and with
// which TLS options and headers. The context comes from the one kubeconfig reader, which has already
// settled what kubectl means by it (CA data over file, tokenFile read, the environment's proxy, the
// system's CAs): this only turns it into Node's options. Only what is simple and certain is done
// here: a server CA, client certificates, bearer tokens, basic auth and impersonation of a user.
// Anything that needs a program run, a token refreshed or a proxy crossed is left to client-node,
// which already does it: the answer is then a reason to fall back, never an error. Pure: files are
// read through the function passed in.
import type { CurrentContext, KubeconfigFields } from '../kubeconfig.js';

export interface RestTarget {
  /** The API server's base URL, without a trailing slash (it may carry a path prefix). */
  server: string;
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: false; servername?: string };
  headers: Record<string, string>;
}

export type RestPlan = { ok: true; target: RestTarget } | { ok: false; reason: string };

/** User fields that only client-node implements. */
const NEEDS_CLIENT_NODE: Record<string, string> = {
  exec: 'an exec credential plugin',
  'auth-provider': 'an auth-provider',
  'as-groups': 'impersonated groups',
  'as-uid': 'an impersonated UID',
  'as-user-extra': 'impersonated user extras',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** PEM bytes from a base64 -data field or a file field; the data wins, as in client-go. */
function pem(fields: KubeconfigFields, fileKey: string, readFile: (path: string) => Buffer): Buffer | undefined {
  const data = text(fields[`${fileKey}-data`]);
  if (data) return Buffer.from(data, 'base64');
  const file = text(fields[fileKey]);
  return file ? readFile(file) : undefined;
}

export function planRest(context: CurrentContext, readFile: (path: string) => Buffer): RestPlan {
  const cluster = context.cluster.fields;
  const user = context.user?.fields ?? {};
  const server = text(cluster.server) ?? '';
  if (!server.startsWith('https://')) return { ok: false, reason: `the server ${server} is not https://` };
  if (text(cluster['proxy-url'])) return { ok: false, reason: 'the cluster is reached through a proxy' };
  for (const [key, what] of Object.entries(NEEDS_CLIENT_NODE)) {
    if (user[key] !== undefined && user[key] !== null) return { ok: false, reason: `the user needs ${what}` };
  }
  const tls: RestTarget['tls'] = {};
  const headers: Record<string, string> = {};
  try {
    const ca = pem(cluster, 'certificate-authority', readFile);
    const cert = pem(user, 'client-certificate', readFile);
    const key = pem(user, 'client-key', readFile);
    if (ca) tls.ca = ca;
    if (cert) tls.cert = cert;
    if (key) tls.key = key;
  } catch (error) {
    // An unreadable file is reported by client-node exactly as before.
    return { ok: false, reason: (error as Error).message };
  }
  const token = text(user.token);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  const servername = text(cluster['tls-server-name']);
  if (servername) tls.servername = servername;
  const username = text(user.username);
  if (username && !headers.Authorization) headers.Authorization = `Basic ${Buffer.from(`${username}:${text(user.password) ?? ''}`).toString('base64')}`;
  const as = text(user.as);
  if (as) headers['Impersonate-User'] = as;
  return { ok: true, target: { server: server.replace(/\/+$/, ''), tls, headers } };
}
