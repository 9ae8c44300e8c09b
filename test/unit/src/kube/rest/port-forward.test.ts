import assert from 'node:assert/strict';
import { channelDemux, portForwardUrl } from '../../../../../src/kube/rest/port-forward.js';

describe('port-forward over plain ws', () => {
  it('builds the WebSocket URL of a pod port, keeping a server path prefix and escaping names', () => {
    assert.equal(portForwardUrl('https://api.example:6443', { namespace: 'team-a', pod: 'web-0', port: 22 }).href, 'wss://api.example:6443/api/v1/namespaces/team-a/pods/web-0/portforward?ports=22');
    assert.equal(portForwardUrl('https://gw.example/k8s/c1', { namespace: 'a b', pod: 'p', port: 5900 }).href, 'wss://gw.example/k8s/c1/api/v1/namespaces/a%20b/pods/p/portforward?ports=5900');
  });

  it('drops the port number that opens each channel and splits data from errors', () => {
    const data: Buffer[] = [];
    const errors: Buffer[] = [];
    const demux = channelDemux({ write: (b: Buffer) => data.push(Buffer.from(b)) > 0 }, { write: (b: Buffer) => errors.push(Buffer.from(b)) > 0 });
    const port22 = [22, 0];
    demux(Buffer.from([0, ...port22])); // the data channel's port prefix, alone
    demux(Buffer.from([1, ...port22])); // the error channel's
    demux(Buffer.from([0, ...Buffer.from('SSH-2.0-dropbear\r\n')]));
    demux(Buffer.from([0, 22, 0])); // later messages are data, even when they look like a port
    demux(Buffer.from([1, ...Buffer.from('connection refused')]));
    demux(Buffer.from([2, 1, 2, 3])); // a channel of a port we did not ask for
    assert.equal(Buffer.concat(data).toString('latin1'), 'SSH-2.0-dropbear\r\n\u0016\u0000');
    assert.equal(Buffer.concat(errors).toString(), 'connection refused');
  });

  it('takes data that arrives in the same message as the port prefix', () => {
    const data: Buffer[] = [];
    const demux = channelDemux({ write: (b: Buffer) => data.push(Buffer.from(b)) > 0 }, { write: () => true });
    demux(Buffer.from([0, 0x16, 0x00, ...Buffer.from('RFB 003.008\n')]));
    assert.equal(Buffer.concat(data).toString(), 'RFB 003.008\n');
  });
});
