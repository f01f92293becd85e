/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): each ranked list gives a paper
 * weight / (k + rank), rank counted from 1, and the sums order the union. It needs no score
 * calibration between BM25 and cosine similarity, which is why hybrid search uses it: the two
 * scores live on unrelated scales, but their ranks are comparable.
 */

/** One ranked list to fuse: ids best first, and how much this list counts. */
export interface RankedList {
  ids: string[];
  weight: number;
}

/** A fused result. */
export interface Fused {
  id: string;
  score: number;
}

/**
 * Fuses ranked lists: score(id) = Σ weight / (k + rank). An id repeated within one list counts at
 * its first (best) rank only. Ties (equal sums) are broken deterministically: the better best rank
 * in any list first, then the earlier list, then the id, so the same inputs always give the same order.
 */
export function rrf(lists: RankedList[], k: number): Fused[] {
  if (!Number.isFinite(k) || k < 0) throw new Error(`rrf: k must be a non-negative number, got ${k}`);
  const score = new Map<string, number>();
  // Tie-breaking keys: the best rank an id reached and the first list where it reached it.
  const best = new Map<string, { rank: number; list: number }>();
  lists.forEach((list, li) => {
    if (!(list.weight > 0) || !Number.isFinite(list.weight)) return; // a zero weight switches a list off
    const seen = new Set<string>();
    list.ids.forEach((id, i) => {
      if (seen.has(id)) return;
      seen.add(id);
      const rank = i + 1;
      score.set(id, (score.get(id) ?? 0) + list.weight / (k + rank));
      const b = best.get(id);
      if (!b || rank < b.rank) best.set(id, { rank, list: li });
    });
  });
  const out = [...score].map(([id, s]) => ({ id, score: s }));
  out.sort((a, b) => {
    if (b.score !== a.score) return b.score - a.score;
    const ba = best.get(a.id)!;
    const bb = best.get(b.id)!;
    return ba.rank - bb.rank || ba.list - bb.list || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
  return out;
}
