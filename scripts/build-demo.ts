/**
 * Builds the demo dataset shipped in demo/ from the shared data folder:
 *
 *   npx tsx scripts/build-demo.ts /work/shared/data
 *
 * What goes in, and where every row comes from (all real data, nothing invented):
 *
 * demo/papers.jsonl.gz — lines of corpus/arxiv-listings-2025-2026.jsonl.gz, byte for byte, in
 *   corpus order (listings format; `paperboy import` reads it and each listing_date becomes a 'new'
 *   announcement). A corpus paper is kept when
 *   1. it was listed on one of the last LAST_DATES listing dates of the corpus, so every
 *      "New on arXiv" day of the demo is complete;
 *   2. it is one of the papers of seed/daily-papers-search-page.json that have an arxivId;
 *   3. its title or abstract mentions reward model(s), reward hacking or RLHF (at most
 *      REWARD_CAP: title matches first, then the most recently listed), so a search for
 *      "reward models" has plenty to show.
 * demo/hf-papers.json — the 29 papers of hf/daily_papers_2024-10-25.deep-diver.json (a real
 *   Hugging Face /api/daily_papers answer; none is in the corpus), as PaperInput: id, title and
 *   summary (white space collapsed), author names in order, publishedAt = paper.publishedAt,
 *   version 1, no categories (the HF record has none), no announcement.
 * demo/entries.json — daily entries (EntryInput):
 *   - seed page items with an arxivId: feed date = the item's publishedAt (the date the page
 *     showed; when the page showed none, the paper's corpus listing date), upvotes as shown,
 *     numComments 0, no submitter (the page shows none), organization = the page's organization
 *     full name; submittedAt = noon UTC of the feed date (the page gives only a date; noon keeps
 *     it on that date in every time zone from UTC-11 to UTC+11).
 *   - HF daily items: feed date 2024-10-25, upvotes = paper.upvotes, numComments, submitter =
 *     submittedBy.fullname / submittedBy.name, submittedAt = the item's top-level publishedAt
 *     (the time it was submitted to Daily Papers).
 *
 * Licences: arXiv metadata (titles, authors, abstracts, categories) is CC0 1.0; the upvote and
 * comment counts and submitter names are facts as published on huggingface.co (see the shared
 * data's PROVENANCE.md files). demo/README.md repeats this for people reading the folder.
 */
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync, createGunzip } from 'node:zlib';
import { normalizeSpace } from '../src/arxiv/snapshot.ts';
import type { EntryInput } from '../src/store/entries.ts';
import type { PaperInput } from '../src/store/papers.ts';

const LAST_DATES = 8;
const REWARD_CAP = 400;
const REWARD = /\breward[ -]models?\b|\breward hacking\b|\bRLHF\b/i;
const HF_FEED_DATE = '2024-10-25';

interface Listing {
  id: string;
  title: string;
  abstract: string | null;
  listing_date: string;
}

interface SeedItem {
  arxivId?: string | null;
  publishedAt?: string | null;
  upvotes?: number;
  organization?: { name: string; fullname: string } | null;
}

interface HfItem {
  paper: { id: string; title: string; summary: string; publishedAt: string; upvotes: number; authors: Array<{ name: string }> };
  publishedAt: string;
  numComments: number;
  submittedBy: { fullname: string; name: string };
}

async function* corpusLines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
  for await (const line of rl) if (line.trim() !== '') yield line;
}

async function main(): Promise<void> {
  const shared = process.argv[2];
  if (!shared) {
    process.stderr.write('usage: npx tsx scripts/build-demo.ts PATH/TO/shared/data\n');
    process.exit(2);
  }
  const corpus = join(shared, 'corpus/arxiv-listings-2025-2026.jsonl.gz');
  const seed = JSON.parse(readFileSync(join(shared, 'seed/daily-papers-search-page.json'), 'utf8')) as { items: SeedItem[] };
  const hf = JSON.parse(readFileSync(join(shared, 'hf/daily_papers_2024-10-25.deep-diver.json'), 'utf8')) as HfItem[];
  const seedIds = new Set(seed.items.flatMap((i) => (i.arxivId ? [i.arxivId] : [])));

  // Pass 1: the listing dates, and the reward-modelling candidates.
  const dates = new Set<string>();
  const reward: Array<{ id: string; inTitle: boolean; date: string }> = [];
  for await (const line of corpusLines(corpus)) {
    const r = JSON.parse(line) as Listing;
    dates.add(r.listing_date);
    const inTitle = REWARD.test(normalizeSpace(r.title));
    if (inTitle || REWARD.test(normalizeSpace(r.abstract ?? ''))) reward.push({ id: r.id, inTitle, date: r.listing_date });
  }
  const lastDates = new Set([...dates].sort().slice(-LAST_DATES));
  reward.sort((a, b) => Number(b.inTitle) - Number(a.inTitle) || b.date.localeCompare(a.date) || a.id.localeCompare(b.id));
  const rewardIds = new Set(reward.slice(0, REWARD_CAP).map((r) => r.id));

  // Pass 2: keep the chosen lines verbatim.
  const kept: string[] = [];
  const listingDate = new Map<string, string>();
  const why = { lastDates: 0, seed: 0, reward: 0 };
  for await (const line of corpusLines(corpus)) {
    const r = JSON.parse(line) as Listing;
    const byDate = lastDates.has(r.listing_date);
    const bySeed = seedIds.has(r.id);
    const byReward = rewardIds.has(r.id);
    if (!byDate && !bySeed && !byReward) continue;
    kept.push(line);
    listingDate.set(r.id, r.listing_date);
    if (byDate) why.lastDates++;
    if (bySeed) why.seed++;
    if (byReward) why.reward++;
  }
  const missingSeed = [...seedIds].filter((id) => !listingDate.has(id));
  if (missingSeed.length > 0) throw new Error(`seed papers not in the corpus: ${missingSeed.join(', ')}`);

  const hfPapers: PaperInput[] = hf.map((item) => ({
    id: item.paper.id,
    version: 1,
    title: normalizeSpace(item.paper.title),
    abstract: normalizeSpace(item.paper.summary),
    authors: item.paper.authors.map((a) => normalizeSpace(a.name)),
    categories: [],
    publishedAt: item.paper.publishedAt,
    updatedAt: item.paper.publishedAt,
  }));
  const clash = hfPapers.filter((p) => listingDate.has(p.id));
  if (clash.length > 0) throw new Error(`HF daily papers unexpectedly in the demo corpus slice: ${clash.map((p) => p.id).join(', ')}`);

  const entries: EntryInput[] = [];
  for (const item of seed.items) {
    if (!item.arxivId) continue;
    const feedDate = item.publishedAt ?? listingDate.get(item.arxivId)!;
    entries.push({
      paperId: item.arxivId,
      feedDate,
      submittedAt: `${feedDate}T12:00:00.000Z`,
      upvotes: item.upvotes ?? 0,
      numComments: 0,
      organization: item.organization?.fullname ?? null,
    });
  }
  for (const item of hf) {
    entries.push({
      paperId: item.paper.id,
      feedDate: HF_FEED_DATE,
      submitterName: item.submittedBy.fullname,
      submitterHandle: item.submittedBy.name,
      submittedAt: item.publishedAt,
      upvotes: item.paper.upvotes,
      numComments: item.numComments,
    });
  }

  const out = fileURLToPath(new URL('../demo/', import.meta.url));
  mkdirSync(out, { recursive: true });
  // gzip level 9 and no timestamp in the header: the same input gives the same bytes.
  writeFileSync(join(out, 'papers.jsonl.gz'), gzipSync(`${kept.join('\n')}\n`, { level: 9 }));
  writeFileSync(join(out, 'hf-papers.json'), `${JSON.stringify(hfPapers, null, 1)}\n`);
  writeFileSync(join(out, 'entries.json'), `${JSON.stringify(entries, null, 1)}\n`);
  process.stdout.write(
    `demo/papers.jsonl.gz: ${kept.length} corpus papers (last ${LAST_DATES} listing dates ${[...lastDates].sort().join(', ')}: ${why.lastDates}; ` +
      `seed page: ${why.seed}; reward modelling: ${why.reward} of ${reward.length} matches)\n` +
      `demo/hf-papers.json: ${hfPapers.length} papers; demo/entries.json: ${entries.length} entries\n`,
  );
}

await main();
