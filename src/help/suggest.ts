// "Did you mean …?" for mistyped commands and flags: the closest known word by edit distance,
// offered only when it is close enough to be a plausible typo.

/** Levenshtein distance (insert, delete, substitute), with a transposition counted as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The known words closest to `typed`, best first: within 2 edits (1 for words of up to 3
 * letters), then known words that start with what was typed (as Cobra's prefix suggestions do),
 * then words whose beginning is one edit away from a longer typed word.
 */
export function closest(typed: string, known: Iterable<string>, max = 3): string[] {
  const limit = typed.length <= 3 ? 1 : 2;
  const scored: Array<{ word: string; score: number }> = [];
  for (const word of new Set(known)) {
    const distance = editDistance(typed.toLowerCase(), word.toLowerCase());
    if (distance <= limit) scored.push({ word, score: distance });
    else if (typed.length >= 2 && word.startsWith(typed)) scored.push({ word, score: limit + 1 });
    // A mistyped abbreviation: --idnetity for --identity-file.
    else if (typed.length >= 6 && editDistance(typed.toLowerCase(), word.slice(0, typed.length).toLowerCase()) <= 1) scored.push({ word, score: limit + 2 });
  }
  return scored
    .sort((x, y) => x.score - y.score || x.word.localeCompare(y.word))
    .slice(0, max)
    .map((s) => s.word);
}
