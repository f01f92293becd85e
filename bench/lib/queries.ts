/**
 * 200 realistic keyword queries built deterministically from the corpus (same corpus, same queries):
 * exact titles, short topics from titles, author names, quoted phrases, long natural-language
 * descriptions taken from abstracts with words swapped out, and hand-written topic queries.
 */
import { type CorpusRecord, corpusRecords } from './corpus.ts';
import { mulberry32 } from '../../test/helpers/prng.ts';

export type QueryKind = 'title' | 'topic' | 'author' | 'phrase' | 'description' | 'handwritten';

export interface BenchQuery {
  kind: QueryKind;
  q: string;
  /** The paper the query was drawn from (titles and descriptions should find it near the top). */
  expectId?: string;
}

/** How many queries of each kind (200 in all). */
const MIX: Record<Exclude<QueryKind, 'handwritten'>, number> = { title: 40, topic: 40, author: 30, phrase: 25, description: 40 };

/** Topics people type into a papers search box (the seed page is a search for reward models). */
const HANDWRITTEN = [
  'reward hacking',
  'diffusion models for video',
  'reward models',
  'retrieval augmented generation',
  'large language model agents',
  'mixture of experts',
  'graph neural networks',
  'quantum error correction',
  'speculative decoding',
  'vision language models',
  'chain of thought reasoning',
  'federated learning privacy',
  'protein structure prediction',
  '3D gaussian splatting',
  'reinforcement learning from human feedback',
  'code generation benchmark',
  'low-rank adaptation LoRA',
  'text-to-image diffusion',
  'knowledge distillation',
  'sparse autoencoders interpretability',
  'state space models Mamba',
  'autonomous driving motion planning',
  'jailbreak attacks on LLMs',
  'medical image segmentation',
  'time series forecasting with transformers',
];

const STOP = new Set(
  'a an and are as at be by for from has in into is it its of on or our that the their this to via we with using based towards toward how what when why can do does not new than over under via through'.split(' '),
);

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
const plainWord = (w: string) => /^[A-Za-z][A-Za-z-]*[A-Za-z]$/.test(w);

/**
 * An evenly spread, bounded sample of the corpus: keeps every `stride`-th record and doubles the
 * stride whenever more than `max` are kept, so any corpus size gives a sample from end to end.
 */
async function spreadSample(path: string, max = 600): Promise<CorpusRecord[]> {
  let stride = 1;
  let kept: Array<{ i: number; rec: CorpusRecord }> = [];
  let i = 0;
  for await (const rec of corpusRecords(path)) {
    if (i % stride === 0 && rec.abstract.length > 200 && rec.authors.length > 0) kept.push({ i, rec });
    if (kept.length > max) {
      stride *= 2;
      kept = kept.filter((k) => k.i % stride === 0);
    }
    i++;
  }
  return kept.map((k) => k.rec);
}

/** Consecutive runs of `n` plain, non-stopword words. */
function runs(words: string[], n: number): string[][] {
  const out: string[][] = [];
  for (let i = 0; i + n <= words.length; i++) {
    const w = words.slice(i, i + n);
    if (w.every((x) => plainWord(x) && !STOP.has(x.toLowerCase()))) out.push(w);
  }
  return out;
}

/** Builds the query set from the corpus at `path`. */
export async function buildQueries(path: string): Promise<BenchQuery[]> {
  const pool = await spreadSample(path);
  if (pool.length < 20) throw new Error(`the corpus at ${path} is too small to build benchmark queries (${pool.length} usable records)`);
  const rand = mulberry32(20260701);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const queries: BenchQuery[] = [];
  const cycle = (kind: keyof typeof MIX, make: (rec: CorpusRecord) => string | undefined) => {
    let made = 0;
    for (let tries = 0; made < MIX[kind] && tries < MIX[kind] * 20; tries++) {
      const rec = pick(pool);
      const q = make(rec);
      if (q && q.length >= 3) {
        queries.push({ kind, q, expectId: kind === 'title' || kind === 'description' ? rec.id : undefined });
        made++;
      }
    }
  };

  cycle('title', (rec) => squash(rec.title));
  cycle('topic', (rec) => {
    const words = squash(rec.title).split(' ');
    const options = [...runs(words, 2), ...runs(words, 3)];
    return options.length ? pick(options).join(' ') : undefined;
  });
  cycle('author', (rec) => squash(pick(rec.authors)));
  cycle('phrase', (rec) => {
    const words = squash(rec.abstract).split(' ').map((w) => w.replace(/[.,;:()]+$/, ''));
    const options = [...runs(words, 2), ...runs(words, 3)].filter((r) => r.some((w) => w.length >= 6));
    return options.length ? `"${pick(options).join(' ')}"` : undefined;
  });
  cycle('description', (rec) => {
    // A reader's paraphrase: 12-16 words of one abstract sentence, two of them swapped for words the
    // paper does not contain, so a search that needs every word to match finds nothing.
    const text = squash(rec.abstract);
    const sentences = text.split(/(?<=[.!?])\s+/).slice(0, 4).filter((s) => s.split(' ').length >= 14);
    if (!sentences.length) return undefined;
    const words = pick(sentences).replace(/[.!?]$/, '').split(' ');
    const len = 12 + Math.floor(rand() * 5);
    const start = Math.floor(rand() * Math.max(1, words.length - len));
    const chosen = words.slice(start, start + len);
    const own = new Set(text.toLowerCase().split(/[^a-z]+/));
    for (let k = 0; k < 2; k++) {
      const foreign = squash(pick(pool).title).split(' ').filter((w) => plainWord(w) && w.length > 4 && !own.has(w.toLowerCase()));
      if (foreign.length) chosen[Math.floor(rand() * chosen.length)] = pick(foreign).toLowerCase();
    }
    return chosen.join(' ');
  });
  for (const q of HANDWRITTEN) queries.push({ kind: 'handwritten', q });
  return queries;
}
