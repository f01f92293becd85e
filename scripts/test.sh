#!/usr/bin/env bash
# `npm test`: every test file on SQLite, then the integration tests again on PostgreSQL when
# PAPERBOY_TEST_POSTGRES_URL is set (test/helpers/db.ts reads PAPERBOY_TEST_DIALECT). Exits non-zero
# if either pass fails. Extra arguments go to `node --test` in both passes.
#
# Files are listed explicitly (on Node 20 `node --test dir/` silently runs nothing): every *.test.ts
# under src/ and test/ in pass 1; the integration files that use test/helpers/db.ts in pass 2.
set -uo pipefail
cd "$(dirname "$0")/.."

mapfile -t ALL_TESTS < <(find src test -name '*.test.ts' | sort)

# Integration tests that get their database from test/helpers/db.ts (freshDb/freshApp), so they run on
# either database. Not here: jobs, jobs-processes, copy, db-errors and outage open PostgreSQL
# themselves and already covered it in pass 1; cli, browser and bench drive SQLite files on purpose;
# the rest are unit tests without a database.
POSTGRES_TESTS=(
  src/ingest/demo.test.ts
  test/accounts.test.ts
  test/announcements.test.ts
  test/atom-feeds.test.ts
  test/collections.test.ts
  test/digests.test.ts
  test/embeddings.test.ts
  test/digest-settings.test.ts
  test/for-you.test.ts
  test/comments.test.ts
  test/harvest.test.ts
  test/hf-api.test.ts
  test/hf-import.test.ts
  test/hybrid-search.test.ts
  test/import.test.ts
  test/links-claims.test.ts
  test/lookup.test.ts
  test/moderation.test.ts
  test/openapi.test.ts
  test/orgs-authors.test.ts
  test/pages.test.ts
  test/paper-fetch.test.ts
  test/search.test.ts
  test/security.test.ts
  test/semantic.test.ts
  test/similar.test.ts
  test/status.test.ts
  test/submissions.test.ts
  test/votes.test.ts
  test/xss.test.ts
)


logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Runs one pass, showing its output and keeping it to summarize the counts at the end.
run_pass() {
  local name=$1 dialect=$2
  shift 2
  PAPERBOY_TEST_DIALECT=$dialect node --import tsx --test --test-concurrency=1 "$@" 2>&1 | tee "$logs/$name.log"
}

counts() {
  # The TAP reporter's totals ("# pass 3"), or the spec reporter's ("ℹ pass 3").
  grep -E '^(# |ℹ )(tests|pass|fail|cancelled|skipped) [0-9]+$' "$logs/$1.log" | sed -E 's/^(# |ℹ )//' | tr '\n' ' '
}

echo "=== pass 1/2: all ${#ALL_TESTS[@]} test files on SQLite ==="
run_pass sqlite sqlite "$@" "${ALL_TESTS[@]}"
sqlite_rc=$?

pg_rc=0
if [ -z "${PAPERBOY_TEST_POSTGRES_URL:-}" ]; then
  if [ -n "${CI:-}" ]; then
    echo "=== pass 2/2 (PostgreSQL) cannot be skipped in CI: PAPERBOY_TEST_POSTGRES_URL is not set; .ci/run must start PostgreSQL ===" >&2
    pg_rc=1
  else
    echo "=== pass 2/2 skipped: PAPERBOY_TEST_POSTGRES_URL is not set, so the integration tests ran on SQLite only."
    echo "    To run them on PostgreSQL too: PAPERBOY_TEST_POSTGRES_URL=postgres://user:password@host:port/db npm test ==="
  fi
else
  echo "=== pass 2/2: ${#POSTGRES_TESTS[@]} integration test files on PostgreSQL (PAPERBOY_TEST_DIALECT=postgres) ==="
  run_pass postgres postgres "$@" "${POSTGRES_TESTS[@]}"
  pg_rc=$?
fi

echo
echo "=== summary ==="
echo "SQLite:     $(counts sqlite)-> $([ $sqlite_rc -eq 0 ] && echo ok || echo FAILED)"
if [ -f "$logs/postgres.log" ]; then
  echo "PostgreSQL: $(counts postgres)-> $([ $pg_rc -eq 0 ] && echo ok || echo FAILED)"
elif [ $pg_rc -ne 0 ]; then
  echo "PostgreSQL: not run -> FAILED"
else
  echo "PostgreSQL: skipped (PAPERBOY_TEST_POSTGRES_URL not set)"
fi
[ $sqlite_rc -eq 0 ] && [ $pg_rc -eq 0 ]
