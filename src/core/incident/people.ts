/** Someone who could run an incident, and why they are suggested. */
export interface PersonSuggestion {
  name: string;
  /** How many records name them commander (0 for people known only from CODEOWNERS). */
  commanded: number;
  fromCodeowners: boolean;
}

/**
 * The individual owners a CODEOWNERS file names: `@handle` and e-mail addresses. Teams (`@org/team`)
 * are left out: a commander is one person.
 */
export function codeownersPeople(text: string): string[] {
  const people: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // The first word is the path pattern; a `#` after a space starts a comment.
    const words = line.replace(/\s#.*$/, '').split(/\s+/).slice(1);
    for (const word of words) {
      const person = /^@[A-Za-z0-9][A-Za-z0-9-]*$/.test(word) || isEmailAddress(word);
      if (person && !people.includes(word)) people.push(word);
    }
  }
  return people;
}

/** `name@host.domain`, by position (a regex for it can backtrack on long words). */
function isEmailAddress(word: string): boolean {
  const at = word.indexOf('@');
  if (at <= 0 || at !== word.lastIndexOf('@')) return false;
  const dot = word.indexOf('.', at + 2);
  return dot !== -1 && dot < word.length - 1;
}

/**
 * Commander suggestions: the people records name as commander (most often first), then the people of
 * CODEOWNERS not already among them (`@alice` is `alice`).
 */
export function commanderSuggestions(commanders: Iterable<string | undefined>, codeowners: readonly string[] = []): PersonSuggestion[] {
  const counts = new Map<string, PersonSuggestion>();
  for (const name of commanders) {
    const trimmed = name?.trim();
    if (!trimmed) continue;
    const key = trimmed.toLowerCase();
    const known = counts.get(key);
    if (known) known.commanded++;
    else counts.set(key, { name: trimmed, commanded: 1, fromCodeowners: false });
  }
  const suggestions = [...counts.values()].sort((a, b) => b.commanded - a.commanded || a.name.localeCompare(b.name));
  for (const owner of codeowners) {
    const key = owner.replace(/^@/, '').toLowerCase();
    const known = counts.get(key);
    if (known) known.fromCodeowners = true;
    else {
      const person = { name: owner, commanded: 0, fromCodeowners: true };
      counts.set(key, person);
      suggestions.push(person);
    }
  }
  return suggestions;
}
