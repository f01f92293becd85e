/**
 * BibTeX entries: the exact shape for a real paper, stable keys, and escaping that no hostile title or
 * name can break out of (checked with a parser that counts braces the way BibTeX does: every brace,
 * escaped or not).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { HOSTILE_INPUTS } from '../../test/fixtures/hostile-inputs.ts';
import { type BibtexPaper, bibtexKey, escapeTex, paperToBibtex } from './bibtex.ts';

interface Parsed {
  type: string;
  key: string;
  fields: Map<string, string>;
}

/** Parses one entry as BibTeX does; throws on anything it would not read as exactly one entry. */
function parseEntry(text: string): Parsed {
  const head = /^@([A-Za-z]+)\{([^,{}\s]*),\n/.exec(text);
  if (!head) throw new Error(`bad head: ${JSON.stringify(text.slice(0, 60))}`);
  const fields = new Map<string, string>();
  let i = head[0].length;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === '}') break;
    const name = /^[A-Za-z]+/.exec(text.slice(i))?.[0];
    if (!name) throw new Error(`no field name at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
    i += name.length;
    if (text.slice(i, i + 4) !== ' = {') throw new Error(`no " = {" after ${name}`);
    i += 4;
    let depth = 1;
    const start = i;
    while (depth > 0) {
      const ch = text[i];
      if (ch === undefined) throw new Error(`field ${name} never closes`);
      if (ch === '{') depth++;
      if (ch === '}') depth--;
      i++;
    }
    if (fields.has(name)) throw new Error(`field ${name} twice`);
    fields.set(name, text.slice(start, i - 1));
    if (text[i] !== ',') throw new Error(`no comma after ${name}`);
    i++;
  }
  if (text.slice(i) !== '}\n') throw new Error(`text after the entry: ${JSON.stringify(text.slice(i))}`);
  return { type: head[1]!, key: head[2]!, fields };
}

const UNESCAPES: Array<[RegExp, string]> = [
  [/\\textbackslash\{\}/g, '\\'],
  [/\\textbraceleft\{\}/g, '{'],
  [/\\textbraceright\{\}/g, '}'],
  [/\\textasciicircum\{\}/g, '^'],
  [/\\textasciitilde\{\}/g, '~'],
  [/\\([$&%#_])/g, '$1'],
];

/** The text a field stands for; fails on a backslash that is not one of our escapes. */
function unescape(v: string): string {
  const stray = v.replace(/\\(?:textbackslash\{\}|textbraceleft\{\}|textbraceright\{\}|textasciicircum\{\}|textasciitilde\{\}|[$&%#_])/g, '');
  assert.ok(!stray.includes('\\') && !/[{}]/.test(stray), `stray TeX in ${JSON.stringify(v.slice(0, 80))}`);
  let s = v;
  // A placeholder for `\textbackslash{}` first, so its backslash is not read as the start of another escape.
  s = s.replace(/\\textbackslash\{\}/g, '\u0001');
  for (const [re, to] of UNESCAPES.slice(1)) s = s.replace(re, to);
  return s.replace(/\u0001/g, '\\');
}

/** Whitespace and controls collapsed, as escapeTex does. */
const flat = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();

const sample = JSON.parse(readFileSync(new URL('../../testdata/arxiv-listings-sample1000.jsonl', import.meta.url), 'utf8').split('\n')[0]!);
const realPaper: BibtexPaper = {
  id: sample.id,
  title: sample.title,
  authors: sample.authors,
  categories: sample.categories,
  publishedAt: `${sample.listing_date}T00:00:00Z`,
};

describe('paperToBibtex', () => {
  it('writes an @misc entry with eprint, archivePrefix, primaryClass, url and year for a real paper', () => {
    const text = paperToBibtex(realPaper);
    const e = parseEntry(text);
    assert.equal(e.type, 'misc');
    assert.equal(e.key, bibtexKey(realPaper));
    assert.equal(e.fields.get('eprint'), realPaper.id);
    assert.equal(e.fields.get('archivePrefix'), 'arXiv');
    assert.equal(e.fields.get('primaryClass'), realPaper.categories[0]);
    assert.equal(e.fields.get('url'), `https://arxiv.org/abs/${realPaper.id}`);
    assert.equal(e.fields.get('year'), sample.listing_date.slice(0, 4));
    assert.equal(unescape(e.fields.get('title')!), flat(realPaper.title));
    assert.deepEqual(e.fields.get('author')!.split(' and ').map(unescape), realPaper.authors.map(flat));
  });

  it('has the exact expected text for a known paper (old-style id, DOI, journal ref)', () => {
    const text = paperToBibtex({
      id: 'hep-th/9711200',
      title: 'The Large N Limit of Superconformal Field Theories and Supergravity',
      authors: ['Juan M. Maldacena'],
      categories: ['hep-th'],
      publishedAt: '1997-11-27T00:00:00Z',
      doi: '10.1023/A:1026654312961',
      journalRef: 'Adv.Theor.Math.Phys.2:231-252,1998',
    });
    assert.equal(
      text,
      '@misc{maldacena1997large,\n' +
        '  title = {The Large N Limit of Superconformal Field Theories and Supergravity},\n' +
        '  author = {Juan M. Maldacena},\n' +
        '  year = {1997},\n' +
        '  eprint = {hep-th/9711200},\n' +
        '  archivePrefix = {arXiv},\n' +
        '  primaryClass = {hep-th},\n' +
        '  doi = {10.1023/A:1026654312961},\n' +
        '  note = {Adv.Theor.Math.Phys.2:231-252,1998},\n' +
        '  url = {https://arxiv.org/abs/hep-th/9711200},\n' +
        '}\n',
    );
  });

  it('escapes braces and backslashes so a title cannot close its field or add one', () => {
    const hostile = ['}, author = {Mallory', 'a } b', '\\', 'ends with \\', '{{{', '}}}}', '\\}', '\\{', 'x\\end{document}', '$\\alpha$ & 100% #1 _x ^y ~z'];
    for (const title of hostile) {
      const e = parseEntry(paperToBibtex({ ...realPaper, title, authors: [title, 'Ann Other'] }));
      assert.deepEqual([...e.fields.keys()], ['title', 'author', 'year', 'eprint', 'archivePrefix', 'primaryClass', 'url'], title);
      assert.equal(unescape(e.fields.get('title')!), flat(title), title);
      assert.equal(e.fields.get('author')!.split(' and ').length, 2, title);
    }
    assert.equal(escapeTex('a}b{c\\d'), 'a\\textbraceright{}b\\textbraceleft{}c\\textbackslash{}d');
  });

  it('keeps every hostile input (XSS corpus) inside its field, recoverable exactly', () => {
    for (const h of HOSTILE_INPUTS) {
      const text = paperToBibtex({ ...realPaper, title: h.input, authors: [h.input, 'B. Author'], categories: [h.input] });
      let e: Parsed;
      try {
        e = parseEntry(text);
      } catch (err) {
        assert.fail(`${h.name}: ${(err as Error).message}`);
      }
      assert.equal(unescape(e.fields.get('title') ?? ''), flat(h.input), h.name);
      assert.equal(e.fields.get('eprint'), realPaper.id, h.name);
      assert.equal(e.fields.get('url'), `https://arxiv.org/abs/${realPaper.id}`, h.name);
      assert.ok(!/\n/.test(e.fields.get('title')!), `${h.name}: a line break in the title`);
    }
  });

  it('wraps names with a comma or "and" in braces so BibTeX reads one person', () => {
    const e = parseEntry(paperToBibtex({ ...realPaper, authors: ['Smith, Jr., John', 'Research and Development Team', 'Alexander Anderson'] }));
    assert.equal(e.fields.get('author'), '{Smith, Jr., John} and {Research and Development Team} and Alexander Anderson');
  });
});

describe('bibtexKey', () => {
  const base = { id: '1706.03762', categories: ['cs.CL'], publishedAt: '2017-06-12T17:57:34Z' };
  it('is surname + year + first significant title word, ASCII only', () => {
    assert.equal(bibtexKey({ ...base, title: 'Attention Is All You Need', authors: ['Ashish Vaswani', 'Noam Shazeer'] }), 'vaswani2017attention');
    assert.equal(bibtexKey({ ...base, title: 'On the Opportunities of Foundation Models', authors: ['José Müller-Lüdenscheidt'] }), 'mullerludenscheidt2017opportunities');
    assert.equal(bibtexKey({ ...base, title: 'A Study', authors: ['Smith, John'] }), 'smith2017study');
    assert.equal(bibtexKey({ ...base, title: 'Things', authors: ['Martin Luther King Jr.'] }), 'king2017things');
  });

  it('is stable (same paper, same key) and falls back to the id when there is nothing to use', () => {
    assert.equal(bibtexKey(realPaper), bibtexKey({ ...realPaper }));
    assert.equal(bibtexKey({ ...base, title: '∑∫', authors: [] }), 'arxiv170603762');
    for (const h of HOSTILE_INPUTS) assert.match(bibtexKey({ ...base, title: h.input, authors: [h.input] }), /^[a-z0-9]+$/, h.name);
  });
});
