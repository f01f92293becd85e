/**
 * The community features in a real browser against a real `paperboy serve` child process: Chromium signs
 * in through the link a real SMTP server (127.0.0.1) receives, submits a paper this instance does not
 * hold (fetched from a local server standing in for the arXiv API), finds it on
 * the daily page, upvotes it with JavaScript (the count changes in place, no navigation; still there
 * after a reload), comments and replies (a threaded reply) on the paper page, and a second reader with
 * JavaScript disabled upvotes through the plain form. No page errors, console errors or CSP reports.
 * Screenshots go to test-output/screenshots/ (submit.png, daily-upvoted.png, paper-discussion.png).
 *
 * The paper is a real new submission of arXiv's 24 Sep 2026 announcement feed (testdata/arxiv/rss),
 * answered by the replay server as an API entry assembled from the feed item (test/helpers/api-replies.ts).
 * The server runs with the real clock, so PAPERBOY_SUBMIT_WINDOW_DAYS is raised (in steps of 30 days)
 * to keep that date inside the submission window whenever the test runs.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { parseAnnouncementFeed } from '../src/arxiv/rss.ts';
import { ApiPool, readRecording } from './helpers/api-replies.ts';
import { startReplayServer } from './helpers/arxiv-server.ts';
import { findChromium } from './helpers/browser.ts';
import { startSmtpReceiver, type SmtpReceiver } from './helpers/smtp.ts';

const ROOT = join(import.meta.dirname, '..');
const SCREENSHOTS = join(ROOT, 'test-output', 'screenshots');
/** arXiv's combined cs.LG+cs.AI+cs.CL+stat.ML announcement feed of 24 Sep 2026, as recorded. */
const FEED = parseAnnouncementFeed(readRecording('rss/laya-reader-2026/arxiv_rss_cs.LG+cs.AI+cs.CL+stat.ML.xml'));
/** A new (v1) paper of that feed, absent from the demo data. */
const PAPER = '2609.26820';
const TITLE = 'Signal2Symbol: Neuro-Symbolic Temporal Reasoning for Explainable Physiological Time-Series Anomaly Detection';
/** Days since the announcement, rounded up to a whole number of 30-day months, so the paper is submittable. */
const WINDOW_DAYS = Math.ceil((Math.ceil((Date.now() - Date.parse(`${FEED.feedDate}T00:00:00Z`)) / 86_400_000) + 2) / 30) * 30;

/** Same flags as test/helpers/browser.ts: a headless Chromium that makes no network calls of its own. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts `paperboy serve --role web` exactly as an operator would, and waits for /healthz. */
async function startPaperboy(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void>; output(): string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // Our own PAPERBOY_* variables must not leak into the child: it gets exactly the ones below.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PAPERBOY_') && k !== 'PORT' && k !== 'LOG_LEVEL'));
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'paperboy.js'), 'serve', '--role', 'web'], {
    cwd: ROOT,
    env: { ...base, PORT: String(port), PAPERBOY_BASE_URL: url, LOG_LEVEL: 'warn', PAPERBOY_ARXIV_SYNC: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // JSON logs (warnings and errors only, LOG_LEVEL=warn) and anything on stderr, for the checks and failures.
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`paperboy serve exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, stop, output: () => stderr };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`paperboy serve did not answer /healthz within 60 s: ${stderr}`);
}

/** Collects page errors, console errors and CSP reports of every page of a context. */
function watchProblems(context: BrowserContext): string[] {
  const problems: string[] = [];
  const watch = (page: Page) => {
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || /Content Security Policy|Refused to/i.test(msg.text())) problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return problems;
}

/** Signs in on `page` through the sign-in form and the link mailed to `email` (the `n`th mail received). */
async function signInByMail(page: Page, smtp: SmtpReceiver, email: string, n: number): Promise<void> {
  await page.getByLabel('E-mail address').fill(email);
  await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  const mails = await smtp.waitFor(n);
  const mail = mails[n - 1]!;
  assert.deepEqual(
    mail.to && !Array.isArray(mail.to) ? mail.to.value.map((a) => a.address) : [],
    [email],
    'the link went to the address typed',
  );
  const link = /(http:\/\/\S+\/signin\/verify\?token=[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
  assert.ok(link, 'the mail has the sign-in link');
  await page.goto(link);
}

/** The upvote form of our paper on the current page. */
const upvoteForm = (page: Page) => page.locator(`form.upvote-form[data-paper-id="${PAPER}"]`).first();

test('browser: sign in by mail, submit, upvote with and without JavaScript, comment and reply', { timeout: 240_000 }, async (t) => {
  const executablePath = findChromium();
  if (!executablePath) {
    if (process.env.CI) assert.fail('Chromium not found (PAPERBOY_TEST_CHROMIUM or /usr/bin/chromium): CI must run the browser test');
    t.skip('Chromium not found: apt-get install chromium, or set PAPERBOY_TEST_CHROMIUM to a Chromium binary');
    return;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const cleanup: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-browser-community-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));

  const smtp = await startSmtpReceiver();
  cleanup.push(() => smtp.close());
  const arxiv = await startReplayServer();
  cleanup.push(() => arxiv.close());
  const pool = new ApiPool();
  const item = FEED.items.find((i) => i.id === PAPER);
  assert.ok(item && item.title === TITLE && item.kind === 'new', 'the recorded feed announces the paper');
  pool.addFeedItem(item, FEED.feedDate!);
  arxiv.route(
    (u) => u.pathname === '/api/query',
    (u) => ({ body: pool.reply(u), headers: { 'content-type': 'application/atom+xml; charset=utf-8' } }),
  );
  const server = await startPaperboy({
    PAPERBOY_DATABASE_URL: join(dir, 'paperboy.db'),
    PAPERBOY_DEMO_DATA: 'auto',
    PAPERBOY_SMTP_URL: smtp.url,
    PAPERBOY_ARXIV_API_URL: `${arxiv.url}/api/query`,
    PAPERBOY_ARXIV_DELAY_MS: '0',
    // The real clock: the window has to reach back to the feed's date (see the file comment).
    PAPERBOY_SUBMIT_WINDOW_DAYS: String(WINDOW_DAYS),
  });
  cleanup.push(() => server.stop());

  const browser: Browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  cleanup.push(() => browser.close());
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(ctx);
  const page = await ctx.newPage();

  // --- Sign in: /submit sends a signed-out reader to sign in, and the mailed link comes back to it.
  await page.goto(`${server.url}/submit`);
  await page.waitForURL(/\/signin\?next=%2Fsubmit/);
  await signInByMail(page, smtp, 'ada.lovelace@example.org', 1);
  await page.getByRole('heading', { name: 'Submit a paper' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/submit');

  // --- Submit a paper this instance does not hold: the server fetches it from (replayed) arXiv.
  assert.equal((await fetch(`${server.url}/api/v1/papers/${PAPER}/upvote`)).status, 404, 'the paper is not held before the submission');
  await page.getByLabel('arXiv id or URL').fill(`https://arxiv.org/abs/${PAPER}v1`);
  await page.getByLabel('Comment (optional)').fill('Turns raw ECG and EEG signals into symbols a clinician can check; the temporal-logic rules are readable.');
  await page.getByLabel('Organization (optional)').fill('Example Health Lab');
  await page.screenshot({ path: join(SCREENSHOTS, 'submit.png') });
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await page.waitForURL(`${server.url}/papers/${PAPER}`);
  await page.getByRole('heading', { name: TITLE }).waitFor();
  assert.ok(
    arxiv.requests.some((r) => r.url.searchParams.get('id_list') === PAPER),
    'the paper was looked up on the (replayed) arXiv API',
  );

  // --- The daily page features it (today's feed date is the latest, so it is the front page).
  await page.goto(`${server.url}/`);
  const card = page.locator('li', { has: page.locator(`a[href="/papers/${PAPER}"]`) }).first();
  await card.waitFor();
  assert.match(await card.innerText(), /Turns raw ECG and EEG signals into symbols a clinician can check/);

  // --- Upvote with JavaScript: the count changes in place, without any navigation.
  const form = upvoteForm(page);
  assert.equal(await form.locator('b').innerText(), '0');
  let navigations = 0;
  const countNav = (f: { parentFrame(): unknown }) => {
    if (f.parentFrame() === null) navigations++;
  };
  page.on('framenavigated', countNav);
  await page.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));
  const apiAnswer = page.waitForResponse((r) => r.url().endsWith(`/api/v1/papers/${PAPER}/upvote`) && r.request().method() === 'PUT');
  await form.locator('button.upvote').click();
  assert.equal((await apiAnswer).status(), 200);
  await form.locator('button.upvote[aria-pressed="true"]').waitFor();
  assert.equal(await form.locator('b').innerText(), '1');
  assert.equal(await form.locator('small').innerText(), 'upvote');
  assert.equal(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument), true, 'the same document: no reload');
  assert.equal(navigations, 0, 'no navigation happened');
  page.off('framenavigated', countNav);
  await page.screenshot({ path: join(SCREENSHOTS, 'daily-upvoted.png') });
  // Persisted: after a reload the server renders the count and the pressed state.
  await page.reload();
  assert.equal(await upvoteForm(page).locator('b').innerText(), '1');
  assert.equal(await upvoteForm(page).locator('button.upvote').getAttribute('aria-pressed'), 'true');

  // --- A comment on the paper page (Markdown rendered).
  await page.goto(`${server.url}/papers/${PAPER}`);
  await page.getByLabel('Add a comment').fill('The symbolic layer is a **clear** win for auditability; compare [the arXiv listing](https://arxiv.org/abs/2609.26820).');
  await page.getByRole('button', { name: 'Post comment' }).click();
  await page.waitForURL(/#comment-\d+$/);
  const firstId = Number(/#comment-(\d+)$/.exec(page.url())![1]);
  const first = page.locator(`#comment-${firstId}`);
  assert.equal(await first.locator('.comment-body strong').innerText(), 'clear', 'Markdown rendered');
  assert.equal(await first.locator('.comment-body a').getAttribute('href'), 'https://arxiv.org/abs/2609.26820');

  // --- A second reader with JavaScript disabled: sign-in, the upvote as a plain form post, a reply.
  const noJs = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  const noJsProblems = watchProblems(noJs);
  const page2 = await noJs.newPage();
  await page2.goto(`${server.url}/signin`);
  await signInByMail(page2, smtp, 'grace.hopper@example.org', 2);
  await page2.goto(`${server.url}/`);
  assert.equal(await upvoteForm(page2).locator('b').innerText(), '1');
  await Promise.all([page2.waitForURL(`${server.url}/`), upvoteForm(page2).locator('button.upvote').click()]);
  await upvoteForm(page2).locator('button.upvote[aria-pressed="true"]').waitFor();
  assert.equal(await upvoteForm(page2).locator('b').innerText(), '2', 'the form post counted the vote and came back to the daily page');
  const state = (await (await fetch(`${server.url}/api/v1/papers/${PAPER}/upvote`)).json()) as { upvotes: number };
  assert.equal(state.upvotes, 2);
  // The reply form opens from a <details> and posts as a plain form: no script involved.
  await page2.goto(`${server.url}/papers/${PAPER}`);
  const firstForGrace = page2.locator(`#comment-${firstId}`);
  await firstForGrace.locator('summary', { hasText: 'Reply' }).click();
  await firstForGrace.getByLabel('Your reply').fill('Agreed. The ablation without the symbol layer in Table 4 makes the same point.');
  await firstForGrace.getByRole('button', { name: 'Reply', exact: true }).click();
  await page2.waitForURL((u) => /^#comment-\d+$/.test(u.hash) && u.hash !== `#comment-${firstId}`);
  const replyId = Number(/#comment-(\d+)$/.exec(page2.url())![1]);

  // --- The first reader answers the reply: a thread three levels deep.
  await page.goto(`${server.url}/papers/${PAPER}`);
  assert.equal(await upvoteForm(page).locator('b').innerText(), '2', 'both votes on the paper page');
  const reply = page.locator(`#comment-${replyId}`);
  await reply.locator('summary', { hasText: 'Reply' }).click();
  await reply.getByLabel('Your reply').fill('Good catch; Table 4 is the stronger argument.');
  await reply.getByRole('button', { name: 'Reply', exact: true }).click();
  await page.waitForURL((u) => /^#comment-\d+$/.test(u.hash) && u.hash !== `#comment-${replyId}` && u.hash !== `#comment-${firstId}`);
  const answerId = Number(/#comment-(\d+)$/.exec(page.url())![1]);
  const classOf = async (id: number) => (await page.locator(`#comment-${id}`).getAttribute('class')) ?? '';
  assert.match(await classOf(firstId), /\bdepth-0\b/);
  assert.match(await classOf(replyId), /\bdepth-1\b/, 'the reply is nested under the comment');
  assert.match(await classOf(answerId), /\bdepth-2\b/, 'the answer is nested under the reply');
  assert.match(await reply.locator('.comment-author').innerText(), /@grace-hopper/);
  assert.match(await reply.innerText(), /Agreed\. The ablation without the symbol layer in Table 4 makes the same point\./);
  // The thread renders in order, each reply right after its parent.
  const order = await page.locator('section.comments article.comment').evaluateAll((els) => els.map((e) => e.id));
  assert.deepEqual(order, [`comment-${firstId}`, `comment-${replyId}`, `comment-${answerId}`]);
  assert.match(await page.locator('section.comments h2').first().innerText(), /Comments \(3\)/);
  // The same tree through the public API.
  type ApiNode = { id: number; replies: ApiNode[] };
  const thread = (await (await fetch(`${server.url}/api/v1/papers/${PAPER}/comments`)).json()) as { count: number; comments: ApiNode[] };
  assert.equal(thread.count, 3);
  const shape = (n: ApiNode): unknown => [n.id, n.replies.map(shape)];
  assert.deepEqual(thread.comments.map(shape), [[firstId, [[replyId, [[answerId, []]]]]]]);
  await page.screenshot({ path: join(SCREENSHOTS, 'paper-discussion.png'), fullPage: true });

  assert.deepEqual(problems, [], 'no page errors, console errors or CSP reports (JavaScript on)');
  assert.deepEqual(noJsProblems, [], 'no console errors or CSP reports (JavaScript off)');
  assert.doesNotMatch(server.output(), /"level":(50|60)/, 'the server logged no errors');
});
