/** The README documents every configuration variable `paperboy config` knows, so the two cannot drift apart. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeConfig } from '../src/config.ts';

test('every configuration variable has a row in the README configuration table', () => {
  const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const missing = describeConfig({}).map((v) => v.name).filter((name) => !readme.includes(`| \`${name}\` |`));
  assert.deepEqual(missing, [], 'variables missing from README.md');
});
