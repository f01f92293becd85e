/**
 * Telling "the database is unavailable right now" apart from every other error, so that a request
 * during an outage is answered 503 (try again) instead of 500 (our bug), and loops back off.
 */

/** Socket and DNS errors on the way to a database server: all transient from our side. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/**
 * PostgreSQL SQLSTATEs meaning the server is going away or not accepting us yet: 57P01 admin shutdown,
 * 57P02 crash shutdown, 57P03 cannot connect now (starting up or in recovery), 53300 too many
 * connections. The whole class 08 (connection exception) is matched separately.
 */
const POSTGRES_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

/**
 * node-postgres reports a lost or never-made connection with a plain Error and no code, so the
 * message is all there is: "Connection terminated (unexpectedly | due to connection timeout)",
 * "timeout exceeded when trying to connect" (pool checkout), "Client has encountered a connection
 * error and is not queryable" / "Client was closed and is not queryable" on a dead client.
 */
const POSTGRES_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /connection error and is not queryable/,
  /Client was closed and is not queryable/,
];

function codeIsUnavailable(code: string): boolean {
  if (NETWORK_CODES.has(code) || POSTGRES_CODES.has(code)) return true;
  if (/^08[0-9A-Z]{3}$/.test(code)) return true;
  // better-sqlite3 reports extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_IOERR_WRITE…): match the family.
  // SQLITE_BUSY reaches us only after busy_timeout has run out, i.e. a writer held the lock too long.
  return /^SQLITE_(BUSY|IOERR|CANTOPEN)(_|$)/.test(code);
}

/**
 * True when `err` means the database cannot be reached or used for now (server down, connection
 * lost, pool checkout timed out, SQLite file locked past busy_timeout or unreadable), as opposed
 * to a bug or bad data. Follows `cause` and AggregateError's `errors` a few levels deep.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (depth > 4 || err === null || typeof err !== 'object') return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && codeIsUnavailable(e.code)) return true;
  if (typeof e.message === 'string' && POSTGRES_MESSAGES.some((re) => re.test(e.message as string))) return true;
  if (e.cause !== undefined && isDatabaseUnavailable(e.cause, depth + 1)) return true;
  if (Array.isArray(e.errors)) return e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1));
  return false;
}

/**
 * True when `err` is a UNIQUE (or primary key) violation: SQLite's SQLITE_CONSTRAINT_UNIQUE /
 * _PRIMARYKEY, PostgreSQL's 23505. Lets a store turn a lost insert race into a clear message.
 */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
