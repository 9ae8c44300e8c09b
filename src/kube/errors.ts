// Translates client-node and network failures into BerthErrors once, at the edge. The raw
// ApiException is never attached as `cause`: its message carries headers and JSON bodies.
import { BerthError } from '../../shared/errors.js';

export interface ApiErrorContext {
  /** What we were doing, e.g. "create VM 'web'". */
  action: string;
  /** Kind and name for 404/409 messages, e.g. "VM 'web'". */
  subject?: string;
  namespace?: string;
  /** Server address, for unreachable-cluster messages. */
  server?: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body ?? {}) as StatusBody;
}

/** Turns any error thrown by an API call into a BerthError with a hint. */
export function toBerthError(error: unknown, ctx: ApiErrorContext): BerthError {
  if (error instanceof BerthError) return error;
  const e = error as { code?: unknown; body?: unknown; name?: string; message?: string; cause?: any };
  if (typeof e?.code === 'number' && e.code >= 100) {
    const body = statusBody(e.body);
    const detail = body.message ?? `HTTP ${e.code}`;
    const where = ctx.namespace ? ` in namespace '${ctx.namespace}'` : '';
    switch (e.code) {
      case 401:
        return new BerthError('UNAUTHORIZED', `cannot ${ctx.action}: the cluster did not accept your credentials`, {
          hint: 'refresh your credentials or check the user in your kubeconfig (kubectl config view --minify)',
        });
      case 403:
        return new BerthError('FORBIDDEN', `cannot ${ctx.action}: forbidden (${detail})`, {
          hint: 'ask a cluster admin for the RBAC permission named above, or use another --context',
        });
      case 404:
        return new BerthError('NOT_FOUND', `${ctx.subject ?? 'object'} not found${where}`, {
          hint: 'list VMs with kubectl berth ls -A',
        });
      case 409:
        return new BerthError('ALREADY_EXISTS', `cannot ${ctx.action}: ${ctx.subject ?? 'object'} already exists${where}`, {
          hint: 'choose another name, or remove the old one with kubectl berth purge',
        });
      case 422:
      case 400:
        return new BerthError('INVALID_VALUE', `cannot ${ctx.action}: the cluster rejected it: ${detail}`, {
          hint: 'fix the value named above and try again',
        });
      default:
        return new BerthError('INTERNAL', `cannot ${ctx.action}: the cluster answered HTTP ${e.code}: ${detail}`);
    }
  }
  const text = `${e?.message ?? ''} ${e?.cause?.message ?? ''} ${e?.cause?.code ?? ''}`;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || /timed? ?out/i.test(text)) {
    return new BerthError('CLUSTER_UNREACHABLE', `cannot ${ctx.action}: the cluster did not answer in time${ctx.server ? ` (${ctx.server})` : ''}`, {
      hint: 'check that the cluster is up, or raise --request-timeout',
    });
  }
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|ENETUNREACH|fetch failed|socket hang up|certificate/i.test(text)) {
    return new BerthError('CLUSTER_UNREACHABLE', `cannot ${ctx.action}: cannot reach the cluster${ctx.server ? ` at ${ctx.server}` : ''} (${text.trim()})`, {
      hint: 'check that the cluster is running and that your kubeconfig points at it (kubectl cluster-info)',
    });
  }
  return new BerthError('INTERNAL', `cannot ${ctx.action}: ${e?.message ?? String(error)}`);
}

/** The HTTP code and the server's message of an API error; undefined for anything else. */
export function apiStatus(error: unknown): { code: number; message?: string } | undefined {
  const e = error as { code?: unknown; body?: unknown };
  return typeof e?.code === 'number' && e.code >= 100 ? { code: e.code, message: statusBody(e.body).message } : undefined;
}

/** True when the error is an HTTP 404 from the API server. */
export function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 404;
}
