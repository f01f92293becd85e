import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { connect } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'paperboy-driver-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a SELECT does not wait for a write transaction that is awaiting something', async () => {
  const conn = connect(join(dir, 'a.db'));
  try {
    await migrateToLatest(conn.db);
    await conn.db.insertInto('meta').values({ key: 'k', value: 'before' }).execute();
    let readAt = 0;
    let committedAt = 0;
    const tx = conn.db.transaction().execute(async (trx) => {
      await trx.updateTable('meta').set({ value: 'inside' }).where('key', '=', 'k').execute();
      // Inside the transaction its own write is visible.
      assert.equal((await trx.selectFrom('meta').select('value').where('key', '=', 'k').executeTakeFirstOrThrow()).value, 'inside');
      await sleep(300);
      committedAt = performance.now();
    });
    await sleep(20);
    // Outside, a Kysely SELECT and a raw SELECT answer at once, from the last committed state.
    const row = await conn.db.selectFrom('meta').select('value').where('key', '=', 'k').executeTakeFirstOrThrow();
    const raw = await sql<{ value: string }>`SELECT value FROM meta WHERE key = 'k'`.execute(conn.db);
    readAt = performance.now();
    assert.equal(row.value, 'before');
    assert.equal(raw.rows[0]?.value, 'before');
    await tx;
    assert.ok(readAt < committedAt, 'the reads finished before the transaction committed');
    // After the commit a read sees it.
    assert.equal((await conn.db.selectFrom('meta').select('value').where('key', '=', 'k').executeTakeFirstOrThrow()).value, 'inside');
  } finally {
    await conn.close();
  }
});

test('writes, INSERT ... RETURNING and raw writes go to the writer and are serialised', async () => {
  const conn = connect(join(dir, 'b.db'));
  try {
    await migrateToLatest(conn.db);
    const returned = await conn.db.insertInto('meta').values({ key: 'r', value: '1' }).returning('value').executeTakeFirstOrThrow();
    assert.equal(returned.value, '1');
    await sql`UPDATE meta SET value = '2' WHERE key = 'r'`.execute(conn.db);
    // Two concurrent read-modify-write transactions do not lose an update.
    const bump = () =>
      conn.db.transaction().execute(async (trx) => {
        const v = Number((await trx.selectFrom('meta').select('value').where('key', '=', 'r').executeTakeFirstOrThrow()).value);
        await sleep(10);
        await trx.updateTable('meta').set({ value: String(v + 1) }).where('key', '=', 'r').execute();
      });
    await Promise.all([bump(), bump(), bump()]);
    assert.equal((await conn.db.selectFrom('meta').select('value').where('key', '=', 'r').executeTakeFirstOrThrow()).value, '5');
  } finally {
    await conn.close();
  }
});
