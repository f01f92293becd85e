import assert from 'node:assert/strict';
import { test } from 'node:test';
import { highlightTerms, highlightText, holdsEvery, snippet } from './highlight.ts';
import { porterStem } from './porter.ts';
import { parseQuery } from './query.ts';

const terms = (q: string) => highlightTerms(parseQuery(q).positive.filter((c) => !c.stop));
const marked = (segs: Array<{ type: string; text: string }>) => segs.filter((s) => s.type === 'highlight').map((s) => s.text);

test('Porter stems as FTS5 does for common cases', () => {
  const cases: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', hacking: 'hack', hacks: 'hack', models: 'model', modeling: 'model',
    relational: 'relat', generalization: 'gener', compression: 'compress', compressing: 'compress', agreed: 'agre',
    hopping: 'hop', filing: 'file', happy: 'happi', sky: 'sky', is: 'is', 'über': 'über',
  };
  for (const [w, s] of Object.entries(cases)) assert.equal(porterStem(w), s, w);
});

test('highlights stemmed forms and phrases; segments rebuild the text exactly', () => {
  const text = 'School of Reward Hacks: Hacking harmless tasks\n  generalizes (reward-model) to reward models.';
  const segs = highlightText(text, terms('reward hacking "reward model"'));
  assert.equal(segs.map((s) => s.text).join(''), text);
  assert.deepEqual(marked(segs), ['Reward', 'Hacks', 'Hacking', 'reward', 'model', 'reward', 'models']);
  assert.deepEqual(marked(highlightText('Ünïcödé spectrum', terms('unicode'))), ['Ünïcödé']);
  assert.deepEqual(highlightText('', terms('x')), []);
});

test('a phrase marks only adjacent words; a prefix marks words starting with it', () => {
  assert.deepEqual(marked(highlightText('model of reward; reward model', terms('"reward model"'))), ['reward', 'model']);
  assert.deepEqual(marked(highlightText('Optimal optimizers optimise', terms('optim*'))), ['Optimal', 'optimizers', 'optimise']);
});

test('snippet is ~300 characters around the densest match, with ellipses', () => {
  const text = `${'lorem ipsum dolor '.repeat(40)}the reward hacking part ${'sit amet '.repeat(60)}`;
  const segs = snippet(text, terms('reward hacking'));
  const s = segs.map((x) => x.text).join('');
  assert.ok(s.startsWith('… ') && s.endsWith(' …'), s);
  assert.ok(s.length <= 310);
  assert.deepEqual(marked(segs), ['reward', 'hacking']);
  assert.equal(snippet('short text', terms('text')).map((x) => x.text).join(''), 'short text');
});

test('a stem starts with its word\'s first letter (highlighting skips other tokens unstemmed)', () => {
  // Checked on all 169k distinct words of the full corpus when the shortcut was added; these are the edge shapes.
  for (const w of ['ies', 'ied', 'sses', 'yelling', 'eed', 'agreed', 'ponies', 'ys', 'ate', 'ational', 'y', 'e']) {
    assert.equal(porterStem(w).charAt(0), w.charAt(0), w);
  }
  assert.deepEqual(marked(highlightText('Ponies trotted; a pony', terms('pony'))), ['Ponies', 'pony']);
});

test('holdsEvery matches stems, phrases across case and prefixes', () => {
  const clauses = parseQuery('hacking "Reward Models" optim*').positive;
  assert.equal(holdsEvery(['School of reward models', 'they hack it, optimizers'], clauses), true);
  assert.equal(holdsEvery(['School of reward models', 'they hack it'], clauses), false);
  assert.equal(holdsEvery(['reward and models', 'hacks optimal'], clauses), false);
});
