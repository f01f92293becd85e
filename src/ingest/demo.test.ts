import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freshDb } from '../../test/helpers/db.ts';
import { createLogger } from '../log.ts';
import { listAnnouncements } from '../store/announcements.ts';
import { getEntryForPaper, latestFeedDate, listEntries } from '../store/entries.ts';
import { countPapers, getPaper, upsertPapers } from '../store/papers.ts';
import { ensureDemoData, isDemoData } from './demo.ts';

const log = createLogger('silent');

test('the shipped demo fills an empty database once, with papers, entries and announcements', async () => {
  const { db, close } = await freshDb();
  assert.equal(await isDemoData(db), false);
  assert.equal(await ensureDemoData(db, log), true);
  assert.equal(await isDemoData(db), true);

  const papers = await countPapers(db);
  assert.ok(papers > 2500 && papers < 4000, `papers: ${papers}`);

  // A seed-page paper with the upvotes the page showed, on the date it showed.
  const seed = await getEntryForPaper(db, '2504.20571');
  assert.equal(seed?.upvotes, 15);
  assert.equal(seed?.feedDate, '2025-04-29');
  assert.equal(seed?.submitterName, null);
  // A Hugging Face daily paper (not in the corpus) with its submitter and counts.
  const hf = await getEntryForPaper(db, '2410.17243');
  assert.deepEqual([hf?.feedDate, hf?.upvotes, hf?.numComments, hf?.submitterHandle], ['2024-10-25', 64, 3, 'ClownRat']);
  assert.equal((await getPaper(db, '2410.17243'))?.title, 'Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss');
  const day = await listEntries(db, { from: '2024-10-25', to: '2024-10-25' });
  assert.equal(day.total, 29);

  // The newest listing day is complete "New on arXiv" material.
  const lastDay = await listAnnouncements(db, { date: '2026-07-01', limit: 1000 });
  assert.equal(lastDay.total, 300);
  assert.ok(await latestFeedDate(db));

  // Reward-modelling papers are there for the search demo.
  // lower(): LIKE ignores ASCII case on SQLite but not on PostgreSQL.
  const reward = await db
    .selectFrom('papers')
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['title']), 'like', '%reward model%'))
    .execute();
  assert.ok(reward.length >= 100, `reward-model titles: ${reward.length}`);

  // A second call does nothing.
  assert.equal(await ensureDemoData(db, log), false);
  assert.equal(await countPapers(db), papers);
  await close();
});

test('a database that already has papers gets no demo data', async () => {
  const { db, close } = await freshDb();
  await upsertPapers(db, [
    { id: '2509.08826', version: 1, title: 'RewardDance: Reward Scaling in Visual Generation', abstract: '', authors: [], categories: ['cs.CV'], publishedAt: '2025-09-10T00:00:00.000Z', updatedAt: '2025-09-10T00:00:00.000Z' },
  ]);
  assert.equal(await ensureDemoData(db, log), false);
  assert.equal(await countPapers(db), 1);
  assert.equal(await isDemoData(db), false);
  await close();
});

test('an interrupted demo import is completed on the next start', async () => {
  const { db, close } = await freshDb();
  await db.insertInto('meta').values({ key: 'demo_data', value: 'partial' }).execute();
  await upsertPapers(db, [
    { id: '2509.08826', version: 1, title: 'RewardDance: Reward Scaling in Visual Generation', abstract: '', authors: [], categories: ['cs.CV'], publishedAt: '2025-09-10T00:00:00.000Z', updatedAt: '2025-09-10T00:00:00.000Z' },
  ]);
  assert.equal(await ensureDemoData(db, log), true);
  assert.equal(await isDemoData(db), true);
  assert.ok((await countPapers(db)) > 2500);
  await close();
});
