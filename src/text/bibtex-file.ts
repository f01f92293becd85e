/**
 * A BibTeX file of several papers (a collection's export): the entries of src/text/bibtex.ts, with
 * citation keys made unique within the file.
 *
 * Two papers can share a key (same first author, year and title word). The first keeps it and later
 * ones get `a`, `b`, … appended, in the order given; the collection export passes papers oldest-added
 * first, so a key already cited in a manuscript stays the same when papers are added later.
 */
import type { Paper } from '../store/papers.ts';
import { bibtexKey, paperToBibtex } from './bibtex.ts';

/** The n-th suffix: a, b, …, z, aa, ab, … */
function suffix(n: number): string {
  let s = '';
  let k = n;
  do {
    s = String.fromCharCode(97 + (k % 26)) + s;
    k = Math.floor(k / 26) - 1;
  } while (k >= 0);
  return s;
}

/** Unique keys for the papers, in order (see the file comment). */
export function uniqueBibtexKeys(papers: Paper[]): string[] {
  const used = new Set<string>();
  return papers.map((p) => {
    const base = bibtexKey(p);
    let key = base;
    for (let i = 0; used.has(key); i++) key = `${base}${suffix(i)}`;
    used.add(key);
    return key;
  });
}

/** The BibTeX text of the papers, one entry each, keys unique, ending with a newline. */
export function papersToBibtexFile(papers: Paper[]): string {
  const keys = uniqueBibtexKeys(papers);
  const entries = papers.map((p, i) => paperToBibtex(p, keys[i]!).trim());
  return entries.length > 0 ? `${entries.join('\n\n')}\n` : '';
}
