// kubectl's plugin completion speaks Cobra's __complete protocol: one candidate a line, optionally
// "value<TAB>description", then ":<directive>". The directive is a bit mask (spf13/cobra
// completions.go): the shell reads it to decide about spaces and file-name completion.

export const Directive = {
  default: 0,
  error: 1,
  noSpace: 2,
  noFileComp: 4,
  filterFileExt: 8,
  filterDirs: 16,
  keepOrder: 32,
} as const;

export interface Candidate {
  value: string;
  description?: string;
}

/** The full answer kubectl (or our shell scripts) reads from stdout. */
export function formatCompletion(candidates: Candidate[], directive: number): string {
  const lines = candidates.map((c) => {
    const description = c.description?.split('\n', 1)[0].replace(/\t/g, ' ').trim();
    return description ? `${c.value}\t${description}` : c.value;
  });
  return [...lines, `:${directive}`].join('\n') + '\n';
}

/** Keeps the candidates that start with what the user typed, without duplicates. */
export function matching(candidates: Candidate[], partial: string): Candidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    if (!c.value.startsWith(partial) || seen.has(c.value)) return false;
    seen.add(c.value);
    return true;
  });
}
