/** Runs a bench script in a child Node process (through tsx) and returns the JSON it prints last. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.ts';

/** Runs `bench/lib/<script> ...args`; rejects with the child's stderr when it fails. */
export function runChildJson<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench', 'lib', script), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${err.trim() || out.trim()}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no result:\n${out}\n${err}`));
      }
    });
  });
}
