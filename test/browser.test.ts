/**
 * End-to-end in a real browser: the app served over HTTP on a fresh SQLite file with the demo data,
 * driven by Debian's Chromium through playwright-core. Opens the daily page, follows a paper, runs a
 * search from the form, and saves screenshots to test-output/screenshots/ (used in the README).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ensureDemoData } from '../src/ingest/demo.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/web/app.ts';
import { findChromium, launchChromium, serveApp } from './helpers/browser.ts';
import { testConfig } from './helpers/db.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'test-output', 'screenshots');

/** A paper page path: /papers/2509.08826 or /papers/hep-th/9901001 (not /papers/date/..., .md, etc.). */
const PAPER_PATH = /^\/papers\/(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})$/;

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Absolute hrefs of every link on the page that points at a paper page, in document order. */
async function paperLinks(page: Page): Promise<string[]> {
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => (a as unknown as { href: string }).href));
  return hrefs.filter((h) => PAPER_PATH.test(new URL(h).pathname));
}

test('browser: daily page -> paper page -> search, with screenshots', { timeout: 180_000 }, async (t) => {
  const executablePath = findChromium();
  if (!executablePath) {
    // CI installs Chromium with apt (.ci/run), so a missing browser there is a broken set-up, never a skip.
    if (process.env.CI) assert.fail('Chromium not found (PAPERBOY_TEST_CHROMIUM or /usr/bin/chromium): CI must run the browser test');
    t.skip('Chromium not found: apt-get install chromium, or set PAPERBOY_TEST_CHROMIUM to a Chromium binary');
    return;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });

  const dir = await mkdtemp(join(tmpdir(), 'paperboy-browser-'));
  const conn = connect(join(dir, 'paperboy.db'));
  // One clean-up, in reverse order of set-up: browser, then server, then database and its files.
  const cleanup: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  cleanup.push(() => rm(dir, { recursive: true, force: true }), () => conn.close());
  await migrateToLatest(conn.db);
  const log = createLogger('silent');
  assert.equal(await ensureDemoData(conn.db, log), true, 'the demo data should load into an empty database');

  const server = await serveApp((baseUrl) => createApp({ db: conn.db, config: testConfig({ baseUrl }), log }));
  cleanup.push(() => server.close());
  const browser = await launchChromium(executablePath);
  cleanup.push(() => browser.close());

  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  // 1. The daily page: the latest feed date with entries, marked as demo data, linking to papers.
  const daily = await page.goto(`${server.url}/`);
  assert.equal(daily?.status(), 200);
  await page.locator('h1').first().waitFor({ state: 'visible' });
  const dailyText = squash(await page.locator('body').innerText());
  assert.match(dailyText, /demo/i, 'the daily page should say it shows demo data');
  const latest = await conn.db
    .selectFrom('daily_entries')
    .select('paper_id')
    .where('feed_date', '=', (eb) => eb.selectFrom('daily_entries').select((e) => e.fn.max('feed_date').as('d')))
    .orderBy('upvotes', 'desc')
    .execute();
  assert.ok(latest.length > 0, 'the demo data should have daily entries');
  const links = await paperLinks(page);
  const linked = new Set(links.map((h) => new URL(h).pathname.slice('/papers/'.length)));
  for (const e of latest) assert.ok(linked.has(e.paper_id), `the daily page should link to ${e.paper_id}, featured on the latest feed date`);
  await page.screenshot({ path: join(SCREENSHOTS, 'daily.png') });

  // 2. Follow the first paper: its page shows the stored title and links to arXiv.
  const href = links[0]!;
  const paperId = new URL(href).pathname.slice('/papers/'.length);
  const stored = await conn.db.selectFrom('papers').select(['title', 'abstract']).where('id', '=', paperId).executeTakeFirstOrThrow();
  await page.locator(`a[href="${new URL(href).pathname}"], a[href="${href}"]`).first().click();
  await page.waitForURL((u) => u.pathname === `/papers/${paperId}`);
  const h1 = squash(await page.locator('h1').first().innerText());
  assert.equal(h1, squash(stored.title), 'the paper page heading should be the paper title');
  const paperText = squash(await page.locator('body').innerText());
  assert.ok(paperText.includes(squash(stored.abstract).slice(0, 60)), 'the paper page should show the abstract');
  assert.ok(
    (await page.locator(`a[href*="arxiv.org/abs/${paperId}"]`).count()) > 0,
    'the paper page should link to its arXiv abstract page',
  );
  await page.screenshot({ path: join(SCREENSHOTS, 'paper.png') });

  // 3. Search for that paper's exact title from the search form: it comes back first.
  const q = page.locator('form[action$="/search"] input[name="q"]').first();
  await q.fill(squash(stored.title));
  await q.press('Enter');
  await page.waitForURL((u) => u.pathname === '/search' && u.searchParams.get('q') === squash(stored.title));
  const results = await paperLinks(page);
  assert.ok(results.length > 0, 'the search should return results');
  assert.equal(new URL(results[0]!).pathname, `/papers/${paperId}`, 'an exact title search should rank that paper first');
  assert.ok((await page.locator('mark').count()) > 0, 'search results should highlight the matching words');
  await page.screenshot({ path: join(SCREENSHOTS, 'search.png') });

  // 4. The daily page on a phone: readable without sideways scrolling.
  const phone = await browser.context.newPage();
  phone.on('pageerror', (err) => pageErrors.push(err.message));
  await phone.setViewportSize({ width: 390, height: 844 });
  assert.equal((await phone.goto(`${server.url}/`))?.status(), 200);
  // A string expression: the project's type-check has no DOM library.
  const overflow = Number(await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  assert.ok(overflow <= 1, `the daily page should fit a 390 px wide screen, but is ${overflow} px wider`);
  await phone.screenshot({ path: join(SCREENSHOTS, 'daily-mobile.png') });

  assert.deepEqual(pageErrors, [], 'no script errors on any page');
});
