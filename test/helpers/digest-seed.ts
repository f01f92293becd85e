/**
 * Digest test data: the real arXiv sample (testdata/arxiv-listings-sample1000.jsonl) loaded as papers,
 * and the papers listed on 2026-02-03 and 2026-02-04 featured in the daily feed on those dates with
 * distinct upvotes, so a daily digest of 2026-02-04 or 2026-02-05 has a "top of the day".
 */
import { join } from 'node:path';
import type { DB } from '../../src/db/connect.ts';
import { upsertEntries } from '../../src/store/entries.ts';
import type { PaperInput } from '../../src/store/papers.ts';
import { loadPapers, readListings } from './corpus.ts';

const SAMPLE = join(import.meta.dirname, '..', '..', 'testdata', 'arxiv-listings-sample1000.jsonl');

/** Loads the sample and features (on `feedDate` when given) the papers of 2026-02-03/04; returns the featured papers, most upvoted first. */
export async function seedDigestData(db: DB, o: { feedDate?: string } = {}): Promise<PaperInput[]> {
  const papers = readListings(SAMPLE);
  await loadPapers(db, papers);
  const featured = papers
    .filter((p) => p.publishedAt.startsWith('2026-02-03') || p.publishedAt.startsWith('2026-02-04'))
    .sort((a, b) => a.id.localeCompare(b.id));
  await upsertEntries(
    db,
    featured.map((p, i) => ({
      paperId: p.id,
      // Crash tests run at the real time: they feature the papers on today's date instead.
      feedDate: o.feedDate ?? p.publishedAt.slice(0, 10),
      submittedAt: p.publishedAt,
      upvotes: 100 - i,
    })),
  );
  return featured;
}
