import assert from 'node:assert/strict';
import { AuthorityRewriter, rewriteAuthorityInHeaderBlock } from '../../../agent/node/deviceplugin/authority-proxy.js';

const str = (s: string) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s, 'latin1')]);
const socketPath = '/var/lib/kubelet/device-plugins/berth-tun.sock';

describe('HPACK :authority rewrite', () => {
  it('replaces a literal :authority (static index 1) and copies every other representation byte for byte', () => {
    const others = [
      Buffer.from([0x83]), // indexed :method POST
      Buffer.concat([Buffer.from([0x44]), str('/v1beta1.DevicePlugin/ListAndWatch')]), // :path, incremental indexing
      Buffer.concat([Buffer.from([0x40]), str('te'), str('trailers')]), // new name, incremental indexing
      Buffer.concat([Buffer.from([0x0f, 0x2b]), Buffer.from([0x85, 1, 2, 3, 4, 5])]), // without indexing, index 15+43=58 (user-agent), huffman value
      Buffer.from([0x3f, 0xe1, 0x1f]), // dynamic table size update 4096
      Buffer.from([0xbe]), // indexed, dynamic table entry 62
    ];
    const block = Buffer.concat([others[0], Buffer.from([0x41]), str(socketPath), ...others.slice(1)]);
    const out = rewriteAuthorityInHeaderBlock(block, 'localhost');
    assert.deepEqual(out, Buffer.concat([others[0], Buffer.from([0x41]), str('localhost'), ...others.slice(1)]));
  });
  it('rewrites :authority in never-indexed form too and leaves a block without it unchanged', () => {
    const never = Buffer.concat([Buffer.from([0x11]), str(socketPath)]);
    assert.deepEqual(rewriteAuthorityInHeaderBlock(never, 'localhost'), Buffer.concat([Buffer.from([0x11]), str('localhost')]));
    const plain = Buffer.from([0x82, 0x86, 0x84]);
    assert.deepEqual(rewriteAuthorityInHeaderBlock(plain, 'localhost'), plain);
  });
  it('refuses a truncated block instead of forwarding garbage', () => {
    assert.throws(() => rewriteAuthorityInHeaderBlock(Buffer.from([0x41, 0x20, 0x41]), 'localhost'), /truncated/);
  });
});

describe('AuthorityRewriter stream', () => {
  const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
  const frame = (type: number, flags: number, payload: Buffer) => {
    const h = Buffer.alloc(9);
    h.writeUIntBE(payload.length, 0, 3);
    h[3] = type;
    h[4] = flags;
    h.writeUInt32BE(1, 5);
    return Buffer.concat([h, payload]);
  };
  it('fixes HEADERS frames (with padding and priority) split across chunks and passes other frames through', async () => {
    const settings = frame(0x4, 0, Buffer.alloc(6));
    const block = Buffer.concat([Buffer.from([0x41]), str(socketPath), Buffer.from([0x83])]);
    const padded = Buffer.concat([Buffer.from([2]), Buffer.alloc(5, 7), block, Buffer.alloc(2)]);
    const headers = frame(0x1, 0x4 | 0x8 | 0x20, padded);
    const data = frame(0x0, 0x1, Buffer.from('hello'));
    const input = Buffer.concat([preface, settings, headers, data]);
    const rewriter = new AuthorityRewriter();
    const chunks: Buffer[] = [];
    rewriter.on('data', (c: Buffer) => chunks.push(c));
    for (let i = 0; i < input.length; i += 7) rewriter.write(input.subarray(i, i + 7));
    rewriter.end();
    await new Promise((r) => rewriter.on('end', r));
    const newBlock = Buffer.concat([Buffer.from([0x41]), str('localhost'), Buffer.from([0x83])]);
    const want = Buffer.concat([preface, settings, frame(0x1, 0x4 | 0x8 | 0x20, Buffer.concat([Buffer.from([2]), Buffer.alloc(5, 7), newBlock, Buffer.alloc(2)])), data]);
    assert.deepEqual(Buffer.concat(chunks), want);
  });
});
