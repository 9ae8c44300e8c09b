// The fields krew requires of a plugin manifest (krew.sigs.k8s.io "Writing Krew plugin
// manifests"), checked the way krew's validation and krew-index review do. Pure.

interface Platform {
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  uri?: string;
  sha256?: string;
  bin?: string;
  files?: Array<{ from?: string; to?: string }>;
}

export interface KrewManifest {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    version?: string;
    homepage?: string;
    shortDescription?: string;
    description?: string;
    caveats?: string;
    platforms?: Platform[];
  };
}

const SEMVER_WITH_V = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** Problems with the manifest, empty when krew would accept it. */
export function krewManifestProblems(m: KrewManifest, fileName: string): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, problem: string) => {
    if (!ok) problems.push(problem);
  };
  need(m.apiVersion === 'krew.googlecontainertools.github.com/v1alpha2', 'apiVersion must be krew.googlecontainertools.github.com/v1alpha2');
  need(m.kind === 'Plugin', 'kind must be Plugin');
  need(m.metadata?.name && /^[a-z0-9][a-z0-9-]*$/.test(m.metadata.name), 'metadata.name must be lower-case kebab-case');
  need(`${m.metadata?.name}.yaml` === fileName, `metadata.name must match the file name ${fileName}`);
  need(m.spec?.version && SEMVER_WITH_V.test(m.spec.version), 'spec.version must be semver with a v prefix');
  need(m.spec?.homepage?.startsWith('https://'), 'spec.homepage must be an https URL');
  need(m.spec?.shortDescription && m.spec.shortDescription.length <= 50 && !m.spec.shortDescription.includes('\n'), 'spec.shortDescription: one line of at most 50 characters');
  need(m.spec?.description?.trim(), 'spec.description is required');
  const platforms = m.spec?.platforms ?? [];
  need(platforms.length > 0, 'spec.platforms must not be empty');
  const seen = new Set<string>();
  platforms.forEach((p, i) => {
    const at = `spec.platforms[${i}]`;
    need(p.selector && (p.selector.matchLabels || p.selector.matchExpressions), `${at}.selector needs matchLabels or matchExpressions`);
    const key = JSON.stringify(p.selector?.matchLabels ?? p.selector?.matchExpressions);
    need(!seen.has(key), `${at}.selector repeats another platform`);
    seen.add(key);
    need(p.uri && /^https:\/\/.+\.(tar\.gz|zip)$/.test(p.uri), `${at}.uri must be an https URL of a .tar.gz or .zip`);
    need(p.sha256 && /^[0-9a-f]{64}$/.test(p.sha256), `${at}.sha256 must be 64 lower-case hex digits`);
    need(p.bin && !p.bin.startsWith('/') && !p.bin.split('/').includes('..'), `${at}.bin must be a relative path inside the install`);
    need((p.files ?? []).length > 0 && p.files!.every((f) => f.from && f.to), `${at}.files entries need from and to`);
  });
  return problems;
}
