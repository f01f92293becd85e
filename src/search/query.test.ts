import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentClauses, ftsExpression, parseQuery, tokenize } from './query.ts';

const exprOf = (q: string) => ftsExpression(contentClauses(parseQuery(q)), 'AND', parseQuery(q).negative);

test('words become quoted FTS5 strings joined by AND; stop words are left out', () => {
  assert.equal(exprOf('The reward of hacking'), '"reward" AND "hacking"');
  assert.equal(exprOf('the of'), '"the" AND "of"', 'a query of stop words only keeps them');
});

test('joined words and quotes become phrases; an unbalanced quote runs to the end', () => {
  assert.equal(exprOf('GPT-4o state-of-the-art'), '"GPT 4o" AND "state of the art"');
  assert.equal(exprOf('"reward model" training'), '"reward model" AND "training"');
  assert.equal(exprOf('training "reward model'), '"training" AND "reward model"');
});

test('minus excludes, star is a prefix of 3+ letters, operators are plain words', () => {
  assert.equal(exprOf('reward -diffusion -"video generation"'), '("reward") NOT ("diffusion" OR "video generation")');
  assert.equal(exprOf('e-mail'), '"e mail"', 'a hyphen inside a word does not exclude');
  assert.equal(exprOf('optim* a*'), '"optim" * AND "a"');
  assert.equal(exprOf('NEAR(reward, model) OR title:x ^y {abstract}:z'), '"reward" AND "model" AND "title" AND "x" AND "y" AND "abstract" AND "z"');
  assert.equal(exprOf('-only -negatives'), '', 'exclusions alone match nothing rather than everything');
});

test('nothing searchable gives an empty expression', () => {
  for (const q of ['', '   ', '"', '""', '!!!', '🙂🚀', '\u0000', '-', '*', '((', '\u0301']) assert.equal(exprOf(q), '', JSON.stringify(q));
});

test('control characters, quotes and huge inputs are bounded and safe', () => {
  assert.equal(exprOf('reward\u0000model'), '"reward" AND "model"');
  const big = parseQuery(Array.from({ length: 2000 }, (_, i) => `w${i}`).join(' '));
  assert.equal(big.positive.length, 32);
  assert.ok(!exprOf('a"b"c"d').includes('"""'));
});

test('tokenize folds case and diacritics like unicode61 remove_diacritics 2', () => {
  assert.deepEqual(tokenize('Ünïcödé  SPECTRÜM—Straße 3.5'), ['unicode', 'spectrum', 'straße', '3', '5']);
});
