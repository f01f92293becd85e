/**
 * "For you": a reader's recommendations. Their signals (upvotes, saved papers, "more like this",
 * papers they wrote, standing interests) are positives, "not interested" are negatives, random
 * embedded papers are implicit negatives; src/foryou/model.ts turns them into a model in
 * milliseconds. Candidates come from the vector index (the model's direction and each liked paper's
 * neighbours, optionally only papers published since a date), are scored by the model, and leave out
 * what the reader muted, already voted for, saved or dismissed. Each comes with why (src/foryou/why.ts).
 *
 * Models are cached per reader and keyed by a fingerprint of their signals and the embedder, so any
 * change of feedback (from any process: the fingerprint is read from the database) retrains at once.
 */
import { createHash } from 'node:crypto';
import type { DB } from '../db/connect.ts';
import { paperText } from '../search/embed/embedder.ts';
import type { VectorIndex } from '../search/vector-index.ts';
import { listFeedback } from '../store/feedback.ts';
import { type Interest, interestVector, listInterests, setInterestVector } from '../store/interests.ts';
import { listMutes, mutedBy } from '../store/mutes.ts';
import { getPapers, type Paper } from '../store/papers.ts';
import { trainUserModel, type UserModel } from './model.ts';
import { explain, type NearLiked, type Why, whyText } from './why.ts';

/** What recommend needs of the Semantic service (src/search/semantic.ts satisfies it). */
export interface RecommendSemantic {
  available(): boolean;
  embedderName(): string | undefined;
  index(): VectorIndex | undefined;
  paperVector(id: string): Float32Array | undefined;
  embedDocuments(texts: string[]): Promise<Float32Array[]>;
}

/** One recommended paper, its score and why. */
export interface Recommendation {
  paperId: string;
  score: number;
  why: Why;
}

/** Recommendations with the state of the reader (what the page says when there are none). */
export interface ForYouResult {
  items: Recommendation[];
  /** 'unavailable': no embedder/vectors; 'no-signals': nothing to learn from yet; 'ok' otherwise. */
  status: 'ok' | 'no-signals' | 'unavailable';
  /** Liked papers and interests the model learned from. */
  positives: number;
}

/** Options of a recommendation request. */
export interface RecommendOptions {
  limit: number;
  /** Only papers published at or after this ISO date(-time). */
  since?: string;
  /** Rank by one standing interest only (and the reader's dislikes). */
  interestId?: number;
  /** Optional term weights for the explanations (BuiltinModel#terms). */
  termsOf?: (text: string, n: number) => string[];
  log?: { warn(o: object, msg: string): void };
}

/** Liked papers read per signal kind at most (the most recent). */
const MAX_POSITIVES = 300;
/** Implicit negatives sampled from the embedded papers. */
const IMPLICIT_NEGATIVES = 150;
/** Liked papers whose neighbourhoods are searched for candidates. */
const SEED_QUERIES = 30;
/** Papers published since `since` considered at most. */
const MAX_RECENT = 50_000;

interface Liked {
  /** A paper id, or `interest:<id>` for a standing interest. */
  key: string;
  vector: Float32Array;
  interest?: Interest;
}

interface CachedModel {
  fingerprint: string;
  model: UserModel;
  liked: Liked[];
  exclude: Set<string>;
}

const models = new Map<string, CachedModel>();
const MAX_CACHED_MODELS = 1000;
let implicitIds: { model: string; ids: string[]; at: number } | undefined;

/** Paper ids the reader is positive about, newest first (upvotes, saves, "more like this", authorship). */
async function positiveIds(db: DB, userId: number): Promise<string[]> {
  const votes = await db.selectFrom('votes').select(['paper_id', 'created_at']).where('user_id', '=', userId).orderBy('created_at', 'desc').limit(MAX_POSITIVES).execute();
  const saved = await db
    .selectFrom('collection_papers as cp')
    .innerJoin('collections as c', 'c.id', 'cp.collection_id')
    .select(['cp.paper_id', 'cp.added_at as created_at'])
    .where('c.user_id', '=', userId)
    .orderBy('cp.added_at', 'desc')
    .limit(MAX_POSITIVES)
    .execute();
  const authored = await db
    .selectFrom('author_claims')
    .select(['paper_id', 'created_at'])
    .where('user_id', '=', userId)
    .where('status', '=', 'approved')
    .limit(MAX_POSITIVES)
    .execute();
  const rows = [...votes, ...saved, ...authored].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
  return [...new Set(rows.map((r) => r.paper_id))];
}

/** The papers of one collection (a collection interest's seeds). */
async function collectionPaperIds(db: DB, collectionId: number): Promise<string[]> {
  const rows = await db.selectFrom('collection_papers').select('paper_id').where('collection_id', '=', collectionId).orderBy('added_at', 'desc').limit(MAX_POSITIVES).execute();
  return rows.map((r) => r.paper_id);
}

/** A deterministic sample of embedded papers (the same for a reader while the corpus is unchanged). */
async function implicitNegatives(db: DB, semantic: RecommendSemantic, model: string, seed: number): Promise<Float32Array[]> {
  // The id list is read once an hour: the sample only needs to be "random papers", not the newest.
  if (!implicitIds || implicitIds.model !== model || Date.now() - implicitIds.at > 3_600_000) {
    const rows = await db.selectFrom('paper_embeddings').select('paper_id').where('model', '=', model).orderBy('paper_id').execute();
    implicitIds = { model, ids: rows.map((r) => r.paper_id), at: Date.now() };
  }
  const ids = implicitIds.ids;
  const out: Float32Array[] = [];
  if (ids.length === 0) return out;
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < IMPLICIT_NEGATIVES * 2 && out.length < Math.min(IMPLICIT_NEGATIVES, ids.length); i++) {
    x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
    const v = semantic.paperVector(ids[x % ids.length]!);
    if (v) out.push(v);
  }
  return out;
}

/** A text interest's vector under the active model, embedding (and storing) it again when the model changed. */
async function textInterestVector(db: DB, semantic: RecommendSemantic, i: Interest, model: string, dim: number, log?: RecommendOptions['log']): Promise<Float32Array | undefined> {
  const v = interestVector(i, model, dim);
  if (v || !i.body) return v;
  try {
    const [fresh] = await semantic.embedDocuments([i.body]);
    if (!fresh || fresh.length !== dim) return undefined;
    await setInterestVector(db, i.id, fresh, model);
    return fresh;
  } catch (err) {
    log?.warn({ interest: i.id, err: (err as Error).message }, 'interest not embedded: left out of this ranking');
    return undefined;
  }
}

/** Trains (or takes from the cache) the reader's model; undefined when there is nothing to learn from. */
async function readerModel(db: DB, semantic: RecommendSemantic, userId: number, o: RecommendOptions): Promise<CachedModel | 'no-signals'> {
  const model = semantic.embedderName()!;
  const dim = semantic.index()!.dim;
  const feedback = await listFeedback(db, userId);
  const dislikes = feedback.filter((f) => f.kind === 'not_interested').map((f) => f.paperId);
  const more = feedback.filter((f) => f.kind === 'more').map((f) => f.paperId);
  const interests = await listInterests(db, userId);
  const positives = [...new Set([...more, ...(await positiveIds(db, userId))])];
  const exclude = new Set([...positives, ...dislikes]);

  let likedIds: string[];
  let likedInterests: Interest[];
  if (o.interestId !== undefined) {
    const i = interests.find((x) => x.id === o.interestId);
    if (!i) return 'no-signals';
    likedInterests = i.kind === 'text' ? [i] : [];
    likedIds = i.kind === 'collection' && i.collectionId !== null ? await collectionPaperIds(db, i.collectionId) : [];
    for (const id of likedIds) exclude.add(id);
  } else {
    likedIds = positives;
    likedInterests = interests.filter((i) => i.kind === 'text');
  }
  const fingerprint = createHash('sha1')
    .update([model, likedIds.join(','), dislikes.join(','), likedInterests.map((i) => `${i.id}:${i.updatedAt}`).join(',')].join('|'))
    .digest('hex');
  const key = `${userId}|${o.interestId ?? ''}`;
  const hit = models.get(key);
  if (hit && hit.fingerprint === fingerprint) {
    hit.exclude = exclude;
    return hit;
  }

  const liked: Liked[] = [];
  for (const id of likedIds) {
    const v = semantic.paperVector(id);
    if (v) liked.push({ key: id, vector: v });
  }
  for (const i of likedInterests) {
    const v = await textInterestVector(db, semantic, i, model, dim, o.log);
    if (v) liked.push({ key: `interest:${i.id}`, vector: v, interest: i });
  }
  if (liked.length === 0) return 'no-signals';
  const neg = dislikes.map((id) => semantic.paperVector(id)).filter((v): v is Float32Array => v !== undefined);
  const userModel = trainUserModel(
    liked.map((l) => l.vector),
    neg,
    { implicit: await implicitNegatives(db, semantic, model, userId) },
  );
  const entry = { fingerprint, model: userModel, liked, exclude };
  models.delete(key);
  models.set(key, entry);
  if (models.size > MAX_CACHED_MODELS) models.delete(models.keys().next().value!);
  return entry;
}

/** Recommendations for a reader with the reader's state; never throws for a missing embedder. */
export async function forYou(db: DB, semantic: RecommendSemantic | undefined, userId: number, o: RecommendOptions): Promise<ForYouResult> {
  const index = semantic?.available() ? semantic.index() : undefined;
  if (!semantic || !index || index.size === 0 || !semantic.embedderName()) return { items: [], status: 'unavailable', positives: 0 };
  const m = await readerModel(db, semantic, userId, o);
  if (m === 'no-signals') return { items: [], status: 'no-signals', positives: 0 };
  const limit = Math.max(1, Math.min(o.limit, 200));

  let recent: Set<string> | undefined;
  if (o.since) {
    const rows = await db.selectFrom('papers').select('id').where('published_at', '>=', o.since).orderBy('published_at', 'desc').limit(MAX_RECENT).execute();
    recent = new Set(rows.map((r) => r.id));
  }
  const accept = (id: string) => !m.exclude.has(id) && (!recent || recent.has(id));

  // Candidates: the neighbourhood of the learned direction and of the most recent liked things.
  const candidates = new Set<string>();
  const wide = Math.max(limit * 4, 100);
  if (m.model.direction.some((x) => x !== 0)) for (const n of index.search(m.model.direction, wide, accept)) candidates.add(n.id);
  for (const l of m.liked.slice(0, SEED_QUERIES)) for (const n of index.search(l.vector, 20, accept)) candidates.add(n.id);
  const scored = [...candidates]
    .map((id) => ({ id, v: index.get(id)!, score: m.model.score(index.get(id)!) }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));

  // Mutes need the papers' authors, categories and text: read them in score order until the page is full.
  const muted = mutedBy(await listMutes(db, userId));
  const picked: { paper: Paper; score: number; v: Float32Array }[] = [];
  for (let i = 0; i < scored.length && picked.length < limit; i += limit * 2) {
    const chunk = scored.slice(i, i + limit * 2);
    const papers = new Map((await getPapers(db, chunk.map((c) => c.id))).map((p) => [p.id, p]));
    for (const c of chunk) {
      const p = papers.get(c.id);
      if (p && !muted(p)) picked.push({ paper: p, score: c.score, v: new Float32Array(c.v) });
      if (picked.length >= limit) break;
    }
  }

  // Why: the liked things nearest each pick, with their texts.
  const nearOf = picked.map((p) => m.model.nearestLiked(p.v, 3).map((n) => ({ ...n, liked: m.liked[n.index]! })));
  const likedPaperIds = [...new Set(nearOf.flat().filter((n) => !n.liked.interest).map((n) => n.liked.key))];
  const likedPapers = new Map((await getPapers(db, likedPaperIds)).map((p) => [p.id, p]));
  const items = picked.map((p, i) => {
    const near = nearOf[i]!.flatMap((n): NearLiked[] => {
      if (n.liked.interest) return [{ cosine: n.cosine, text: n.liked.interest.body ?? '', interest: n.liked.interest.name }];
      const lp = likedPapers.get(n.liked.key);
      return lp ? [{ cosine: n.cosine, text: paperText(lp), paper: { id: lp.id, title: lp.title } }] : [];
    });
    return { paperId: p.paper.id, score: p.score, why: explain(paperText(p.paper), near, { termsOf: o.termsOf }) };
  });
  return { items, status: 'ok', positives: m.liked.length };
}

/** The reader's recommendations (the contract's entry point; see forYou for the reader's state too). */
export async function recommend(db: DB, semantic: RecommendSemantic | undefined, userId: number, o: RecommendOptions): Promise<Recommendation[]> {
  return (await forYou(db, semantic, userId, o)).items;
}

/** Forgets every cached model (tests; a retrained embedder changes the fingerprint anyway). */
export function clearModelCache(): void {
  models.clear();
  implicitIds = undefined;
}

/** Personal picks as a digest or feed source: ids in order, each with a one-line reason. */
export async function personalPicks(
  db: DB,
  semantic: RecommendSemantic | undefined,
  userId: number,
  o: { limit: number; since?: string; log?: RecommendOptions['log'] },
): Promise<{ paperId: string; reason: string }[]> {
  const r = await forYou(db, semantic, userId, o);
  return r.items.map((it) => ({ paperId: it.paperId, reason: `picked for you: ${whyText(it.why)}` }));
}
