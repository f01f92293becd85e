/** Browser-test helpers: find Debian's Chromium, launch it through playwright-core, serve the app on a free port. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { type BrowserContext, chromium } from 'playwright-core';

/** Flags for a headless Chromium that makes no network calls of its own (CI reaches only package registries). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Path of the Chromium to drive: PAPERBOY_TEST_CHROMIUM, else Debian's /usr/bin/chromium; undefined when absent. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [env.PAPERBOY_TEST_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p));
}

/** A headless Chromium with a fresh profile directory; `close()` removes the profile too. */
export async function launchChromium(executablePath: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'paperboy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Serves the app on 127.0.0.1 with an ephemeral port; `build` receives the base URL first, so the
 * app's configured PAPERBOY_BASE_URL matches the address the browser really uses.
 */
export async function serveApp(build: (baseUrl: string) => Hono): Promise<{ url: string; close(): Promise<void> }> {
  let app: Hono | undefined;
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: (req) => (app ? app.fetch(req) : new Response('starting', { status: 503 })), port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) => {
        const url = `http://127.0.0.1:${info.port}`;
        app = build(url);
        resolve({
          url,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // Keep-alive sockets would otherwise hold close() open until they time out.
              if ('closeAllConnections' in server) server.closeAllConnections();
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
