import assert from 'node:assert/strict';
import { parsePort, parsePortSpec, parsePortSpecs } from '../../../../src/access/port-spec.js';
import { BerthError } from '../../../../shared/errors.js';

function usage(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (error: unknown) => error instanceof BerthError && error.code === 'USAGE' && error.exitCode === 2 && message.test(error.message));
}

describe('access: port specs', () => {
  const good: Array<[string, { local: number; remote: number }]> = [
    ['22', { local: 22, remote: 22 }],
    ['8080:80', { local: 8080, remote: 80 }],
    [':5432', { local: 0, remote: 5432 }],
    ['0:5432', { local: 0, remote: 5432 }],
    ['tcp/2222:22', { local: 2222, remote: 22 }],
    ['TCP/443', { local: 443, remote: 443 }],
    ['65535:1', { local: 65535, remote: 1 }],
  ];
  for (const [raw, expected] of good) it(`reads '${raw}'`, () => assert.deepEqual(parsePortSpec(raw), expected));

  const bad: Array<[string, RegExp]> = [
    ['udp/53', /UDP cannot be forwarded/],
    ['sctp/1', /unknown protocol 'sctp'/],
    ['1:2:3', /is not a port spec/],
    ['http', /port 'http' is not a port number/],
    ['0', /port 0 is out of range/],
    ['80:0', /remote port 0 is out of range/],
    ['70000:80', /local port 70000 is out of range/],
    ['8080:', /remote port '' is not a port number/],
    ['-1', /is not a port number/],
  ];
  for (const [raw, message] of bad) it(`refuses '${raw}'`, () => usage(() => parsePortSpec(raw), message));

  it('refuses no specs and a fixed local port given twice, but allows several free ones', () => {
    usage(() => parsePortSpecs([]), /no port given/);
    usage(() => parsePortSpecs(['8080:80', '8080:81']), /local port 8080 is given twice/);
    assert.equal(parsePortSpecs([':80', ':81', '0:82']).length, 3);
  });

  it('parsePort admits 0 only when asked', () => {
    assert.equal(parsePort('0', '--port', true), 0);
    usage(() => parsePort('0', '--port'), /--port 0 is out of range/);
  });
});
