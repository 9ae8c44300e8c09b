import assert from 'node:assert/strict';
import { imageLabelName, imageNameProblem, parseCatalog, renderEntry } from '../../../shared/catalog.js';

const sha = 'a'.repeat(64);

describe('parseCatalog', () => {
  it('keeps valid entries and lower-cases the sha256', () => {
    const { entries, problems } = parseCatalog({ cirros: JSON.stringify({ url: 'http://x/c.qcow2', sha256: 'A'.repeat(64), size: 12 }) });
    assert.deepEqual(problems, []);
    assert.deepEqual(entries.get('cirros'), { url: 'http://x/c.qcow2', sha256: sha, size: 12 });
  });
  const bad: Array<[string, string, RegExp]> = [
    ['short sha256', JSON.stringify({ url: 'http://x/a', sha256: 'abc' }), /sha256 'abc' is not 64 hexadecimal digits/],
    ['non-hex sha256', JSON.stringify({ url: 'http://x/a', sha256: 'g'.repeat(64) }), /not 64 hexadecimal/],
    ['relative URL', JSON.stringify({ url: 'images/a.qcow2', sha256: sha }), /is not an absolute URL/],
    ['ftp URL', JSON.stringify({ url: 'ftp://x/a', sha256: sha }), /must use http or https, not ftp/],
    ['credentials in the URL, without showing them', JSON.stringify({ url: 'https://me:hunter2@x/a', sha256: sha }), /^url 'https:\/\/x\/a' carries a user name or password/],
    ['missing url', JSON.stringify({ sha256: sha }), /url is missing/],
    ['negative size', JSON.stringify({ url: 'http://x/a', sha256: sha, size: -1 }), /size -1 is not a positive whole number/],
    ['not JSON', '{url', /not valid JSON/],
    ['an array', '[]', /not a JSON object/],
  ];
  for (const [title, raw, message] of bad) {
    it(`reports ${title}`, () => {
      const { entries, problems } = parseCatalog({ img: raw });
      assert.equal(entries.size, 0);
      assert.equal(problems.length, 1);
      assert.equal(problems[0].name, 'img');
      assert.match(problems[0].error, message);
    });
  }
  it('treats a missing data map as an empty catalog', () => {
    assert.equal(parseCatalog(undefined).entries.size, 0);
  });
});

describe('image names', () => {
  it('accepts DNS labels with dots', () => {
    assert.equal(imageNameProblem('ubuntu-22.04'), undefined);
  });
  for (const name of ['', 'Ubuntu', '-x', 'x-', 'a_b', 'a/b', 'x'.repeat(64)]) {
    it(`rejects '${name.length > 10 ? `${name.slice(0, 5)}…(${name.length})` : name}'`, () => {
      assert.ok(imageNameProblem(name));
    });
  }
  it('uses a valid name as its own label suffix', () => {
    assert.equal(imageLabelName('ubuntu-22.04'), 'ubuntu-22.04');
    assert.equal(imageLabelName('Ubuntu_22'), 'Ubuntu_22');
  });
  it('sanitises other names to a valid, stable, distinct label suffix', () => {
    const long = imageLabelName('x'.repeat(80));
    assert.ok(long.length <= 63);
    assert.match(long, /^x+-[0-9a-f]{8}$/);
    assert.equal(imageLabelName('x'.repeat(80)), long);
    assert.notEqual(imageLabelName('-a'), imageLabelName('a-'));
    assert.match(imageLabelName('..'), /^i-[0-9a-f]{8}$/);
  });
  it('renders entries with a fixed key order', () => {
    assert.equal(renderEntry({ size: 5, sha256: 'B'.repeat(64), url: 'http://u' }), `{"url":"http://u","sha256":"${'b'.repeat(64)}","size":5}`);
  });
});
