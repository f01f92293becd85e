/**
 * Sign-in in a real browser: Chromium fills the sign-in form, the link arrives at a real SMTP server on
 * 127.0.0.1, the browser opens it, lands signed in, creates an API token in settings and signs out.
 * Also proves the Content-Security-Policy blocks nothing the pages need (no CSP console reports, the
 * stylesheet applied). Screenshots go to test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { ensureDemoData } from '../src/ingest/demo.ts';
import { createLogger } from '../src/log.ts';
import { createApp } from '../src/web/app.ts';
import { findChromium, launchChromium, serveApp } from './helpers/browser.ts';
import { testConfig } from './helpers/db.ts';
import { startSmtpReceiver } from './helpers/smtp.ts';

const SCREENSHOTS = join(import.meta.dirname, '..', 'test-output', 'screenshots');

test('browser: sign in by mailed link, settings, API token, sign out; CSP blocks nothing', { timeout: 180_000 }, async (t) => {
  const executablePath = findChromium();
  if (!executablePath) {
    if (process.env.CI) assert.fail('Chromium not found (PAPERBOY_TEST_CHROMIUM or /usr/bin/chromium): CI must run the browser test');
    t.skip('Chromium not found: apt-get install chromium, or set PAPERBOY_TEST_CHROMIUM to a Chromium binary');
    return;
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-browser-accounts-'));
  const conn = connect(join(dir, 'paperboy.db'));
  const cleanup: Array<() => Promise<void>> = [];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step();
  });
  cleanup.push(() => rm(dir, { recursive: true, force: true }), () => conn.close());
  await migrateToLatest(conn.db);
  const log = createLogger('silent');
  await ensureDemoData(conn.db, log);
  const smtp = await startSmtpReceiver();
  cleanup.push(() => smtp.close());
  const server = await serveApp((baseUrl) => createApp({ db: conn.db, config: testConfig({ baseUrl, smtpUrl: smtp.url }), log }));
  cleanup.push(() => server.close());
  const browser = await launchChromium(executablePath);
  cleanup.push(() => browser.close());

  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) problems.push(msg.text());
  });

  await page.goto(`${server.url}/`);
  // The stylesheet is served from 'self' and applied: the header is laid out as a flex row.
  assert.equal(await page.locator('.site-header .wrap').evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display), 'flex');
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL(/\/signin/);
  await page.getByLabel('E-mail address').fill('marie.curie@example.org');
  await page.screenshot({ path: join(SCREENSHOTS, 'signin.png') });
  await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

  const [mail] = await smtp.waitFor(1);
  const link = /(http:\/\/\S+\/signin\/verify\?token=[A-Za-z0-9_-]+)/.exec(mail!.text ?? '')?.[1];
  assert.ok(link, 'the mail has the link');
  await page.goto(link);
  await page.getByRole('link', { name: '@marie-curie' }).waitFor();
  const cookies = await browser.context.cookies();
  const session = cookies.find((c) => c.name === 'pb_session');
  assert.ok(session?.httpOnly);
  assert.equal(session?.sameSite, 'Lax');

  await page.getByRole('link', { name: '@marie-curie' }).click();
  await page.getByRole('heading', { name: 'Settings' }).waitFor();
  await page.getByLabel('Display name').fill('Marie Curie');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Profile saved.').waitFor();
  await page.getByLabel('New token name').fill('lab script');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.locator('#new-token').innerText()).trim();
  assert.match(token, /^pb_[A-Za-z0-9_-]{43}$/);
  await page.screenshot({ path: join(SCREENSHOTS, 'settings.png'), fullPage: true });
  const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual(await me.json(), { handle: 'marie-curie', displayName: 'Marie Curie', role: 'user' });

  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.getByRole('link', { name: 'Sign in' }).waitFor();
  assert.ok(!(await browser.context.cookies()).some((c) => c.name === 'pb_session'), 'the session cookie is gone');
  assert.deepEqual(problems, [], 'no page errors and no CSP reports');
});
