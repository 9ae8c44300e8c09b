import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpGet } from '../../../../agent/common/http-get.js';

describe('httpGet', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = createServer((_req, res) => res.end('served'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the scheme case-insensitively: HTTP:// is fetched over http', async () => {
    const res = await httpGet(`HTTP://127.0.0.1:${port}/x`, { stallMs: 5000 });
    let body = '';
    for await (const chunk of res) body += chunk;
    assert.equal(body, 'served');
  });

  it('reads the scheme case-insensitively: HTTPS:// goes to TLS, not to the http client', async () => {
    // Nothing listens on port 1: the TLS client's connection is refused. The http client would
    // have refused the URL itself (ERR_INVALID_PROTOCOL) without connecting.
    await assert.rejects(httpGet('HTTPS://127.0.0.1:1/x', { stallMs: 5000 }), (error: NodeJS.ErrnoException) => error.code === 'ECONNREFUSED');
  });
});
