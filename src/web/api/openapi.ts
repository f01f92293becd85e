/**
 * The OpenAPI 3.1 document of `/api/v1`, served at `GET /api/v1/openapi.json`.
 *
 * Each area describes its own endpoints in a fragment, src/web/api/openapi/<area>.ts, exporting
 * `paths` (and optionally `schemas`, added to components.schemas); this file merges them and adds
 * what they share: the security schemes, the JSON error schema and the error responses
 * (`#/components/responses/Error400` … `Error503`). test/openapi.test.ts checks that every route
 * registered under /api/v1 is described and that every `$ref` resolves: a new endpoint needs a line in
 * a fragment, and a new fragment needs a line in FRAGMENTS below.
 */
import type { Hono } from 'hono';
import type { AppDeps } from '../deps.ts';
import * as accounts from './openapi/accounts.ts';
import * as collections from './openapi/collections.ts';
import * as comments from './openapi/comments.ts';
import * as digests from './openapi/digests.ts';
import * as foryou from './openapi/foryou.ts';
import * as links from './openapi/links.ts';
import * as status from './openapi/status.ts';
import * as similar from './openapi/similar.ts';
import * as votes from './openapi/votes.ts';

/** One area's part of the document. */
export interface OpenApiFragment {
  paths: Record<string, Record<string, unknown>>;
  schemas?: Record<string, unknown>;
}

/** Every fragment, by area name. */
export const FRAGMENTS: Record<string, OpenApiFragment> = { accounts, collections, comments, digests, links, status, votes, similar, foryou };

const ERROR_MESSAGES: Record<number, string> = {
  400: 'Bad input: the body, a parameter or an id is malformed.',
  401: 'No credentials, or a token that is malformed, revoked or belongs to a banned account.',
  403: 'Not allowed: not the owner, a missing role, a banned account, or (with a session cookie) a missing or wrong X-CSRF-Token.',
  404: 'Not found (or private: a private resource of someone else answers exactly like a missing one).',
  409: 'Conflict: a duplicate, or a limit reached.',
  429: 'Too many requests; Retry-After says how many seconds to wait.',
  503: 'The database is unavailable; Retry-After says when to try again.',
};

function errorResponses(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [code, description] of Object.entries(ERROR_MESSAGES)) {
    const retry = code === '429' || code === '503';
    out[`Error${code}`] = {
      description,
      ...(retry ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } } : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

/** The whole document for a site at `baseUrl`. */
export function openApiDocument(baseUrl: string, fragments: Record<string, OpenApiFragment> = FRAGMENTS): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = {
    Error: {
      type: 'object',
      required: ['error'],
      properties: { error: { type: 'string', description: 'What went wrong, in words a person can act on.' } },
    },
  };
  for (const fragment of Object.values(fragments)) {
    // Two areas may describe different methods of one path: merge them operation by operation.
    for (const [path, item] of Object.entries(fragment.paths)) paths[path] = { ...paths[path], ...item };
    Object.assign(schemas, fragment.schemas ?? {});
  }
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'getOpenApi',
      tags: ['meta'],
      summary: 'This document',
      security: [{}],
      responses: { '200': { description: 'The OpenAPI 3.1 document.', content: { 'application/json': { schema: { type: 'object' } } } } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Paperboy API v1',
      version: '1',
      description:
        'The /api/v1 API of a Paperboy instance. Authenticate with a personal API token from the settings page ' +
        '(`Authorization: Bearer pb_…`), or with the browser session cookie plus an `X-CSRF-Token` header on writes. ' +
        'Errors are JSON `{"error": "…"}` with the status saying what kind. The Hugging Face–compatible read API ' +
        '(/api/daily_papers, /api/papers/…) is documented by Hugging Face and not repeated here.',
    },
    servers: [{ url: baseUrl }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A personal API token `pb_…` created on the settings page.' },
        session: { type: 'apiKey', in: 'cookie', name: 'pb_session', description: 'The browser session; writes also need the X-CSRF-Token header.' },
      },
      schemas,
      responses: errorResponses(),
    },
  };
}

/** Registers `GET /api/v1/openapi.json` (built once: it depends only on the code and the base URL). */
export function registerOpenApi(app: Hono, deps: AppDeps): void {
  const body = JSON.stringify(openApiDocument(deps.config.baseUrl));
  app.get('/api/v1/openapi.json', (c) => {
    c.header('Content-Type', 'application/json; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    c.header('Access-Control-Allow-Origin', '*');
    return c.body(body);
  });
}
