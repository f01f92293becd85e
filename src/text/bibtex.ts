/**
 * BibTeX for one paper: an `@misc` entry in the form arXiv and the biblatex `eprint` fields expect
 * (eprint, archivePrefix, primaryClass, url, year), with a stable citation key.
 *
 * Every value is escaped for TeX, so no title or name can end its field, open a new one, or run a
 * command: braces, backslashes and the other special characters become their escaped forms (TeX
 * math in titles, e.g. `$\alpha$`, therefore shows as its source text; a safe default over a
 * pretty one). Collisions between keys are resolved by the caller (src/text/bibtex-file.ts).
 */
import type { Paper } from '../store/papers.ts';

/** What an entry needs from a paper. */
export type BibtexPaper = Pick<Paper, 'id' | 'title' | 'authors' | 'publishedAt' | 'categories'> &
  Partial<Pick<Paper, 'primaryCategory' | 'doi' | 'journalRef'>>;

const TEX_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  // Not `\{` / `\}`: BibTeX counts every brace, escaped or not, so those would still unbalance the field.
  '{': '\\textbraceleft{}',
  '}': '\\textbraceright{}',
  $: '\\$',
  '&': '\\&',
  '%': '\\%',
  '#': '\\#',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
};

/**
 * Text safe inside a braced BibTeX field: TeX specials escaped, so the only braces in the output are
 * the balanced `{}` of our escapes and every `\` starts one of them; controls and line breaks become spaces.
 */
export function escapeTex(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[\\{}$&%#_^~]/g, (ch) => TEX_ESCAPES[ch]!)
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * One author for the `author` field. A name with a comma or the word "and" is wrapped in braces,
 * because BibTeX would otherwise read it as "Last, First" or as two people.
 */
function bibtexName(name: string): string {
  const escaped = escapeTex(name);
  return /,|\band\b/i.test(escaped) ? `{${escaped}}` : escaped;
}

/** Title words that make poor key words. */
const STOP_WORDS = new Set([
  'a', 'an', 'the', 'on', 'of', 'in', 'for', 'to', 'and', 'or', 'with', 'from', 'by', 'at', 'is', 'are', 'towards', 'toward', 'via', 'do', 'does', 'can', 'how', 'what', 'why', 'when', 'we', 'your', 'our',
]);

/** Lower-case ASCII letters and digits only (accents dropped): what a key may hold. */
function keyPart(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '');
}

const NAME_SUFFIX = /^(jr|sr|ii|iii|iv)\.?$/i;

/** The surname of a listed name: before the comma of "Last, First", else the last word (suffixes skipped). */
function surname(name: string): string {
  if (name.includes(',')) return keyPart(name.split(',')[0]!);
  const words = name.split(/\s+/).filter((w) => w !== '' && !NAME_SUFFIX.test(w));
  for (let i = words.length - 1; i >= 0; i--) {
    const k = keyPart(words[i]!);
    if (k) return k;
  }
  return '';
}

/** The year of the first version (the year arXiv's own BibTeX gives). */
function yearOf(paper: BibtexPaper): string {
  const m = /^(\d{4})/.exec(paper.publishedAt);
  return m ? m[1]! : '';
}

/**
 * A stable citation key: first author's surname + year + first significant title word, e.g.
 * `vaswani2017attention`; ASCII letters and digits only. Falls back to `arxiv` + the id's characters.
 */
export function bibtexKey(paper: BibtexPaper): string {
  const author = surname(paper.authors[0] ?? '').slice(0, 30);
  const word =
    paper.title
      .split(/[\s\-–—:/]+/)
      .map(keyPart)
      .find((w) => w.length > 0 && !STOP_WORDS.has(w))
      ?.slice(0, 20) ?? '';
  const key = `${author}${yearOf(paper)}${word}`;
  return author || word ? key : `arxiv${keyPart(paper.id)}`;
}

/** arXiv ids as stored: `2509.08826`, `hep-th/9901001`. Anything else is escaped like text. */
const ARXIV_ID = /^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})$/;

/** The `@misc` entry of a paper, ending with a newline; `key` defaults to bibtexKey(paper). */
export function paperToBibtex(paper: BibtexPaper, key: string = bibtexKey(paper)): string {
  const id = ARXIV_ID.test(paper.id) ? paper.id : escapeTex(paper.id);
  const primary = paper.primaryCategory ?? paper.categories[0] ?? null;
  const fields: Array<[string, string]> = [
    ['title', escapeTex(paper.title)],
    ['author', paper.authors.map(bibtexName).filter((a) => a !== '').join(' and ')],
    ['year', yearOf(paper)],
    ['eprint', id],
    ['archivePrefix', 'arXiv'],
  ];
  if (primary) fields.push(['primaryClass', escapeTex(primary)]);
  if (paper.doi) fields.push(['doi', escapeTex(paper.doi)]);
  if (paper.journalRef) fields.push(['note', escapeTex(paper.journalRef)]);
  fields.push(['url', `https://arxiv.org/abs/${id}`]);
  const body = fields
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `  ${k} = {${v}},`)
    .join('\n');
  return `@misc{${keyPart(key) || 'arxiv'},\n${body}\n}\n`;
}
