// Accent- and case-insensitive matching that agrees with the server's search (store/text.py), so
// a filter typed here finds what the search page would.

// Python's casefold() and the server's table turn these into several letters or a base letter,
// which neither NFKD nor toLowerCase() do.
const SPECIAL: Record<string, string> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l', ı: 'i', ς: 'σ' };
const SPECIAL_RE = /[ßæœøđłıς]/g;
// Python drops characters with a non-zero combining class; \p{Mn} is the same set for the
// accents of the Latin, Greek and Cyrillic names music is tagged with.
const MARKS_RE = /\p{Mn}/gu;

/** 'Beyoncé' and 'BEYONCE' fold alike: NFKD, casefold, NFKD again, marks dropped, spaces collapsed. */
export function fold(text: string): string {
  const folded = text
    .normalize('NFKD')
    .toLowerCase()
    .replace(SPECIAL_RE, (c) => SPECIAL[c]);
  return folded.normalize('NFKD').replace(MARKS_RE, '').split(/\s+/).filter(Boolean).join(' ');
}

/** The words of a query, folded; none for a blank query. */
export function queryWords(query: string): string[] {
  return fold(query).split(' ').filter(Boolean);
}

/** Every word occurs somewhere in one of the fields (as the server's `%word%` patterns). */
export function matchesWords(words: readonly string[], fields: readonly (string | null | undefined)[]): boolean {
  if (words.length === 0) return true;
  const haystack = fold(fields.filter(Boolean).join('\n'));
  return words.every((w) => haystack.includes(w));
}
