/** Runs the real `paperboy serve` on a database in a child process, for throughput measurements. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.ts';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the server to take). */
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

/** A running `paperboy serve` child. */
export interface BenchServer {
  url: string;
  /** The server process's pid, to read its CPU time. */
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `paperboy serve [--role ROLE]` exactly as a user would (same middleware, logging and
 * caching) on the given database (SQLite file or postgres:// URL), and waits until /healthz answers.
 * `env` adds variables (e.g. PAPERBOY_RATE_LIMITS for a write benchmark).
 */
export async function startServer(dbUrl: string, o: { role?: 'all' | 'web'; env?: Record<string, string> } = {}): Promise<BenchServer> {
  const port = await freePort();
  const args = ['--import', 'tsx', join(REPO_ROOT, 'src', 'main.ts'), 'serve', ...(o.role ? ['--role', o.role] : [])];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PAPERBOY_DATABASE_URL: dbUrl, PORT: String(port), PAPERBOY_DEMO_DATA: 'off', PAPERBOY_ARXIV_SYNC: 'off', NODE_ENV: 'production', ...o.env },
    // Request logs go to /dev/null: written (as in production) but not piped through this process.
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`paperboy serve exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return { url, pid: child.pid!, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`paperboy serve did not answer /healthz within 30 s: ${stderr}`);
}
