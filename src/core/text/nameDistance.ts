/**
 * How close two names are, for "did you mean" guesses: record keys, statuses, config keys, runbook paths.
 */
/** Optimal string alignment distance: Levenshtein plus swapped neighbours (`statsu` → `status` is 1). */
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
  return d[a.length][b.length];
}

/**
 * {@link editDistance} when it is at most `limit`, else `limit + 1`: only the cells within `limit` of
 * the diagonal can hold such a distance, so only they are computed (names are compared with thousands
 * of runbook paths when a reference is wrong).
 */
function editDistanceWithin(a: string, b: string, limit: number): number {
  const over = limit + 1;
  if (Math.abs(a.length - b.length) > limit) return over;
  const cols = b.length + 1;
  let before = new Array<number>(cols).fill(over); // row i - 2
  let previous = new Array<number>(cols).fill(over); // row i - 1
  let current = new Array<number>(cols).fill(over);
  for (let j = 0; j <= Math.min(limit, b.length); j++) previous[j] = j;
  let previousRowOver = false;
  for (let i = 1; i <= a.length; i++) {
    current.fill(over);
    if (i <= limit) current[0] = i;
    let rowMin = current[0];
    for (let j = Math.max(1, i - limit); j <= Math.min(b.length, i + limit); j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d > over ? over : d;
      if (current[j] < rowMin) rowMin = current[j];
    }
    // Two rows past the limit: no later cell can come back under it (a swap reaches back two rows).
    if (rowMin > limit && previousRowOver) return over;
    previousRowOver = rowMin > limit;
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length], over);
}

/**
 * The known name `word` most likely misspells, if any: same letters in another case or with `-`/space for
 * `_`, or within an edit distance that grows with the length (1 for short names, 2 from 6 letters), so
 * short unrelated words are not "corrected".
 */
export function closestKnownName(word: string, known: readonly string[]): string | undefined {
  // A repository in another team's schema repeats the same unknown keys in thousands of records: each
  // distinct word is looked up once per list of names (the lists are module constants or the config's).
  let answers = closestAnswers.get(known);
  if (answers === undefined) closestAnswers.set(known, (answers = new Map()));
  if (answers.has(word)) return answers.get(word);
  const guess = computeClosestKnownName(word, known);
  if (answers.size >= CLOSEST_ANSWERS_LIMIT) answers.clear();
  answers.set(word, guess);
  return guess;
}

const closestAnswers = new WeakMap<readonly string[], Map<string, string | undefined>>();
const CLOSEST_ANSWERS_LIMIT = 20_000;

function computeClosestKnownName(word: string, known: readonly string[]): string | undefined {
  const folded = word.toLowerCase().replace(/[-\s]/g, '_');
  const same = known.find((k) => k.toLowerCase() === folded);
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const limit = Math.min(candidate.length, folded.length) >= 6 ? 2 : 1;
    if (Math.abs(candidate.length - folded.length) > limit) continue;
    const distance = editDistanceWithin(folded, candidate.toLowerCase(), limit);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
