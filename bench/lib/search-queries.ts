/**
 * Realistic keyword-search workloads drawn from a corpus database: exact titles, topics, author
 * names and ten-plus-word descriptions (with words missing and added), each with the paper it
 * should find where there is one. Deterministic for a given database.
 */
import { sql } from 'kysely';
import type { DB } from '../../src/db/connect.ts';

/** One benchmark query; `expect` is the arXiv id that should rank near the top, if any. */
export interface BenchQuery {
  kind: 'title' | 'topic' | 'author' | 'description';
  q: string;
  expect?: string;
}

/** Topics people search for on a papers site. */
export const TOPICS = [
  'reward hacking', 'reward model', 'large language models', 'diffusion models', 'retrieval augmented generation',
  'chain of thought', 'mixture of experts', 'speculative decoding', 'vision language model', 'reinforcement learning from human feedback',
  'graph neural networks', 'federated learning', 'quantum error correction', 'dark matter', 'gravitational waves',
  'protein structure prediction', 'autonomous driving', 'point cloud segmentation', 'knowledge distillation', 'in-context learning',
  'prompt injection', 'jailbreak attacks', 'hallucination detection', 'machine translation', 'speech recognition',
  'text to image', 'video generation', 'code generation', 'mathematical reasoning', 'tool use agents',
  'contrastive learning', 'neural radiance fields', 'gaussian splatting', 'time series forecasting', 'anomaly detection',
  'differential privacy', 'causal inference', 'optimal transport', 'bayesian optimization', 'sparse autoencoders',
  'mechanistic interpretability', 'state space models', 'kv cache compression', 'low-rank adaptation', 'quantization',
  'multi-agent systems', 'robot manipulation', 'medical image segmentation', 'climate modeling', 'topological insulators',
];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FILLER = ['novel', 'approach', 'paper', 'study', 'new', 'framework', 'using', 'based'];

/** Builds `perKind` queries of each kind (topics are capped by the list above). */
export async function buildQueries(db: DB, perKind = 50, seed = 7): Promise<BenchQuery[]> {
  const rand = rng(seed);
  const max = Number((await sql<{ n: number }>`SELECT max(num) AS n FROM papers`.execute(db)).rows[0]?.n ?? 0);
  if (max === 0) throw new Error('the benchmark database holds no papers');
  const pick = async () => {
    for (;;) {
      const num = 1 + Math.floor(rand() * max);
      const row = await db.selectFrom('papers').select(['id', 'title', 'abstract', 'authors']).where('num', '=', num).executeTakeFirst();
      if (row && row.abstract.length > 200) return row;
    }
  };
  const out: BenchQuery[] = [];
  for (let i = 0; i < perKind; i++) {
    const p = await pick();
    out.push({ kind: 'title', q: p.title.replace(/\s+/g, ' '), expect: p.id });
  }
  for (const t of TOPICS.slice(0, perKind)) out.push({ kind: 'topic', q: t });
  for (let i = 0; i < perKind; i++) {
    const p = await pick();
    const authors = JSON.parse(p.authors) as string[];
    const name = authors[Math.floor(rand() * authors.length)];
    if (name) out.push({ kind: 'author', q: name, expect: p.id });
  }
  for (let i = 0; i < perKind; i++) {
    // A description: 14 words of the abstract's second sentence, two dropped, two generic ones added.
    const p = await pick();
    const sentences = p.abstract.replace(/\s+/g, ' ').split(/(?<=\.)\s/);
    const words = (sentences[1] ?? sentences[0] ?? '').split(' ').filter((w) => /[a-z]/i.test(w)).slice(0, 14);
    if (words.length < 10) {
      i--;
      continue;
    }
    words.splice(Math.floor(rand() * words.length), 1);
    words.splice(Math.floor(rand() * words.length), 1);
    words.splice(Math.floor(rand() * words.length), 0, FILLER[Math.floor(rand() * FILLER.length)] ?? 'new');
    words.push(FILLER[Math.floor(rand() * FILLER.length)] ?? 'approach');
    out.push({ kind: 'description', q: words.join(' ').replace(/[.,;:]+$/, ''), expect: p.id });
  }
  return out;
}
