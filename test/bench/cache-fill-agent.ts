// Child process of the cache-fill benchmark: the agent's downloader filling one image, alone in its
// process so that its peak RSS is its own. Prints one JSON line: seconds, bytes, RSS figures (MB).
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const [modulePath, url, sha256, size, cacheDir] = process.argv.slice(2);
if (!modulePath || !url || !sha256 || !size || !cacheDir) {
  process.stderr.write('usage: cache-fill-agent.js DOWNLOAD_MODULE URL SHA256 SIZE CACHE_DIR\n');
  process.exit(2);
}
// Loaded by path, typed here: the benchmark states the contract it relies on instead of failing the build.
type DownloadImage = (
  entry: { url: string; sha256: string; size?: number },
  options: { cacheDir: string; stallMs: number; reserveBytes: number },
) => Promise<{ path: string; bytes: number }>;
const { downloadImage } = (await import(pathToFileURL(modulePath).href)) as { downloadImage: DownloadImage };
const mb = (bytes: number) => bytes / 1e6;
const rssBefore = mb(process.memoryUsage.rss());
// Where the peak comes from: anonymous memory (heap, buffers) versus file-backed pages (mostly the
// Node binary itself, shared with every Node process on the machine).
let peakAnon = 0;
let fileAtPeak = 0;
const sample = () => {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  if (kB('RssAnon') > peakAnon) {
    peakAnon = kB('RssAnon');
    fileAtPeak = kB('RssFile');
  }
};
const sampler = setInterval(sample, 20);
const started = performance.now();
const result = await downloadImage(
  { url, sha256, size: Number(size) },
  { cacheDir, stallMs: 30_000, reserveBytes: 256 * 2 ** 20 },
);
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
sample();
// maxRSS is in KiB: the peak of the whole process, the runtime included.
const peakRss = mb(process.resourceUsage().maxRSS * 1024);
process.stdout.write(`${JSON.stringify({ seconds, bytes: result.bytes, rssBefore, peakRss, peakAnon: mb(peakAnon), fileAtPeak: mb(fileAtPeak) })}\n`);
