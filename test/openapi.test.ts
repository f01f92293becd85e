/**
 * The OpenAPI document at /api/v1/openapi.json: valid JSON with the OpenAPI 3.1 top level, every
 * route the app registers under /api/v1 (found by walking app.routes) described, every described
 * operation answered by a route, every `$ref` resolving, and no two fragments describing the same
 * operation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FRAGMENTS, openApiDocument } from '../src/web/api/openapi.ts';
import { freshApp } from './helpers/db.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/**
 * Endpoints served behind wildcard routes (`/api/v1/papers/*` dispatches on the path's last part), which
 * app.routes cannot name: each must be described and answered.
 */
const BEHIND_WILDCARDS: Array<[string, string]> = [
  ['put', '/api/v1/papers/{id}/links'],
  ['get', '/api/v1/papers/{id}/upvote'],
  ['put', '/api/v1/papers/{id}/upvote'],
  ['delete', '/api/v1/papers/{id}/upvote'],
];

/** A Hono route path in OpenAPI template form with anonymous parameters: `/a/:id{.+}/b` → `/a/{}/b`. */
function honoTemplate(path: string): string {
  return path.replace(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, '{}');
}

/** An OpenAPI path with anonymous parameters: `/a/{id}/b` → `/a/{}/b`. */
function docTemplate(path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}');
}

/** A concrete URL for a described path: arXiv ids and collection ids by parameter name. */
function sampleUrl(path: string): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => (name === 'id' && path.startsWith('/api/v1/collections') ? '1' : '2509.08826'));
}

describe('/api/v1/openapi.json', () => {
  let env: Awaited<ReturnType<typeof freshApp>>;
  let doc: {
    openapi: string;
    info: { title: string; version: string };
    servers: Array<{ url: string }>;
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
    components: { securitySchemes: Record<string, { type: string; scheme?: string }>; schemas: Record<string, unknown>; responses: Record<string, unknown> };
  };
  before(async () => {
    env = await freshApp();
    const res = await env.app.request('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    doc = JSON.parse(await res.text());
  });
  after(() => env.conn.close());

  it('is an OpenAPI 3.1 document with info, paths and the bearer security scheme', () => {
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    assert.equal(doc.servers[0]!.url, env.config.baseUrl);
    assert.ok(Object.keys(doc.paths).length >= 5);
    assert.deepEqual(doc.components.securitySchemes.bearer, { ...doc.components.securitySchemes.bearer, type: 'http', scheme: 'bearer' });
    assert.equal(doc.components.securitySchemes.session?.type, 'apiKey');
  });

  it('describes every route registered under /api/v1', () => {
    const described = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) if (item[m]) described.add(`${m} ${docTemplate(path)}`);
    }
    const routes = env.app.routes.filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL');
    assert.ok(routes.length >= 10, `${routes.length} routes found`);
    const missing: string[] = [];
    for (const r of routes) {
      const method = r.method.toLowerCase();
      if (r.path.includes('*')) {
        // A wildcard route must at least serve one described operation (see BEHIND_WILDCARDS).
        const re = new RegExp(`^${r.path.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        if (!Object.keys(doc.paths).some((p) => doc.paths[p]![method] && re.test(p))) missing.push(`${r.method} ${r.path}`);
      } else if (!described.has(`${method} ${honoTemplate(r.path)}`)) {
        missing.push(`${r.method} ${r.path}`);
      }
    }
    assert.deepEqual(missing, [], 'routes without a description in src/web/api/openapi/*.ts');
    for (const [method, path] of BEHIND_WILDCARDS) {
      const wildcard = routes.some((r) => r.method.toLowerCase() === method && r.path.includes('*') && path.startsWith(r.path.replace(/\*.*$/, '')));
      if (wildcard) assert.ok(doc.paths[path]?.[method], `${method.toUpperCase()} ${path} is served but not described`);
    }
  });

  it('describes nothing that no route answers', async () => {
    const unserved: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) {
        if (!item[m]) continue;
        const url = sampleUrl(path);
        const res = await env.app.request(url, { method: m.toUpperCase(), headers: { 'content-type': 'application/json' }, body: m === 'get' || m === 'head' ? undefined : '{}' });
        const text = await res.text();
        // The app's catch-all answers "There is no page at …"; any route answers something else.
        if (res.status === 404 && text.includes('There is no page at')) unserved.push(`${m.toUpperCase()} ${path}`);
      }
    }
    assert.deepEqual(unserved, []);
  });

  it('has unique operation ids, responses on every operation, and every $ref resolves', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const m of METHODS) {
        const op = item[m];
        if (!op) continue;
        assert.ok(op.operationId, `${m} ${path} has an operationId`);
        assert.ok(!ids.has(op.operationId!), `operationId ${op.operationId} is unique`);
        ids.add(op.operationId!);
        assert.ok(op.responses && Object.keys(op.responses).length > 0, `${m} ${path} has responses`);
      }
    }
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === '$ref' && typeof x === 'string') refs.push(x);
          else walk(x);
        }
      }
    };
    walk(doc);
    assert.ok(refs.length > 10);
    for (const ref of refs) {
      assert.match(ref, /^#\//, ref);
      let node: unknown = doc;
      for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
      assert.ok(node !== undefined, `${ref} resolves`);
    }
  });

  it('gets no operation from two fragments', () => {
    const owner = new Map<string, string>();
    for (const [area, fragment] of Object.entries(FRAGMENTS)) {
      for (const [path, item] of Object.entries(fragment.paths)) {
        for (const m of METHODS) {
          if (!item[m]) continue;
          const key = `${m} ${path}`;
          assert.ok(!owner.has(key), `${key} is described by both ${owner.get(key)} and ${area}`);
          owner.set(key, area);
        }
      }
    }
    assert.ok(openApiDocument('https://example.org').paths);
  });
});
