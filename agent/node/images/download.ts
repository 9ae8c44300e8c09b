// The cache's use of the one downloader (agent/common/download.ts): a catalog entry goes to its
// content-addressed name in the cache directory, through a hidden partial file beside it that
// survives restarts, so an interrupted download resumes (files.ts names both).
import { join } from 'node:path';
import type { CatalogEntry } from '../../../shared/contract.js';
import { downloadFile, type DownloadOptions, type DownloadResult, type DownloadSource } from '../../common/download.js';
import { cachedImageFileName, partialFileName } from './files.js';

export { DownloadError, type DownloadFailure } from '../../common/download.js';

export interface CacheDownloadOptions extends DownloadOptions {
  cacheDir: string;
}

/** Downloads and verifies one catalog entry into the cache; returns when the final file exists. */
export function downloadImage(entry: CatalogEntry & Pick<DownloadSource, 'knownBad'>, options: CacheDownloadOptions): Promise<DownloadResult> {
  const sha = entry.sha256.toLowerCase();
  const files = { final: join(options.cacheDir, cachedImageFileName(sha)), partial: join(options.cacheDir, partialFileName(sha)) };
  return downloadFile({ ...entry, sha256: sha }, files, options);
}
