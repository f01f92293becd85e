/** OpenAPI description of `/api/v1/collections` (src/web/api/v1-collections.ts), merged by ../openapi.ts. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));

const idParam = { name: 'id', in: 'path', required: true, description: 'Collection id.', schema: { type: 'integer', minimum: 1 } };
const paperParam = {
  name: 'paperId',
  in: 'path',
  required: true,
  description: 'arXiv id without or with version (2509.08826, 2509.08826v2); old-style ids keep their slash (hep-th/9901001) or encode it as %2F.',
  schema: { type: 'string' },
};
const signedIn = [{ bearer: [] }, { session: [] }];
const json = (schema: object) => ({ 'application/json': { schema } });

const writable = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 100, description: 'Required when creating; control characters are removed and spaces collapsed.' },
    description: { type: ['string', 'null'], maxLength: 2000 },
    public: { type: 'boolean', description: 'Visible to everyone (true) or to the owner only (false, the default).' },
    slug: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$', description: 'URL name, unique per user; made from the name when absent. Kept on rename.' },
  },
};

/** Schemas this fragment adds to components.schemas. */
export const schemas = {
  Collection: {
    type: 'object',
    required: ['id', 'slug', 'name', 'description', 'public', 'paperCount', 'owner', 'createdAt', 'updatedAt', 'url', 'jsonUrl', 'bibtexUrl'],
    properties: {
      id: { type: 'integer' },
      slug: { type: 'string' },
      name: { type: 'string' },
      description: { type: ['string', 'null'] },
      public: { type: 'boolean' },
      paperCount: { type: 'integer' },
      owner: { type: 'object', required: ['handle', 'displayName'], properties: { handle: { type: 'string' }, displayName: { type: ['string', 'null'] } } },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      url: { type: 'string', format: 'uri', description: 'The HTML page.' },
      jsonUrl: { type: 'string', format: 'uri', description: 'JSON Feed 1.1 listing of the papers, newest first.' },
      bibtexUrl: { type: 'string', format: 'uri', description: 'BibTeX export (text/plain attachment).' },
    },
  },
  CollectionPaper: {
    type: 'object',
    required: ['paperId', 'title', 'authors', 'publishedAt', 'addedAt', 'note', 'url'],
    properties: {
      paperId: { type: 'string' },
      title: { type: 'string' },
      authors: { type: 'array', items: { type: 'string' } },
      publishedAt: { type: 'string', format: 'date-time' },
      addedAt: { type: 'string', format: 'date-time' },
      note: { type: ['string', 'null'] },
      url: { type: 'string', format: 'uri' },
    },
  },
  CollectionPaperChange: {
    type: 'object',
    required: ['paperId', 'added', 'addedAt', 'note'],
    properties: {
      paperId: { type: 'string' },
      added: { type: 'boolean', description: 'True when the paper was not in the collection before.' },
      addedAt: { type: 'string', format: 'date-time' },
      note: { type: ['string', 'null'] },
    },
  },
};

/** The collection endpoints. */
export const paths = {
  '/api/v1/collections': {
    get: {
      operationId: 'listCollections',
      tags: ['collections'],
      summary: "Your collections (all of them), or another user's public ones with ?user=",
      security: signedIn,
      parameters: [{ name: 'user', in: 'query', required: false, description: 'A handle: list that user\'s public collections.', schema: { type: 'string' } }],
      responses: {
        '200': {
          description: 'Collections, most recently changed first.',
          content: json({ type: 'object', required: ['collections'], properties: { collections: { type: 'array', items: { $ref: '#/components/schemas/Collection' } } } }),
        },
        ...errors(401, 404),
      },
    },
    post: {
      operationId: 'createCollection',
      tags: ['collections'],
      summary: 'Create a collection',
      security: signedIn,
      requestBody: { required: true, content: json({ ...writable, required: ['name'] }) },
      responses: {
        '201': {
          description: 'Created; Location names it.',
          headers: { Location: { schema: { type: 'string' } } },
          content: json({ $ref: '#/components/schemas/Collection' }),
        },
        ...errors(400, 401, 403, 409),
      },
    },
  },
  '/api/v1/collections/{id}': {
    parameters: [idParam],
    get: {
      operationId: 'getCollection',
      tags: ['collections'],
      summary: 'A collection and its papers (newest first). Public ones need no credentials; a private one is 404 to anyone but its owner.',
      security: [{}, ...signedIn],
      responses: {
        '200': {
          description: 'The collection.',
          content: json({
            allOf: [
              { $ref: '#/components/schemas/Collection' },
              { type: 'object', required: ['papers'], properties: { papers: { type: 'array', items: { $ref: '#/components/schemas/CollectionPaper' } } } },
            ],
          }),
        },
        ...errors(400, 401, 404),
      },
    },
    patch: {
      operationId: 'updateCollection',
      tags: ['collections'],
      summary: 'Rename, describe, change visibility or slug (owner only: 403 on a public collection of someone else, 404 on a private one)',
      security: signedIn,
      requestBody: { required: true, content: json(writable) },
      responses: { '200': { description: 'The updated collection.', content: json({ $ref: '#/components/schemas/Collection' }) }, ...errors(400, 401, 403, 404, 409) },
    },
    delete: {
      operationId: 'deleteCollection',
      tags: ['collections'],
      summary: 'Delete a collection (owner only); its papers stay on the site',
      security: signedIn,
      responses: { '204': { description: 'Deleted.' }, ...errors(400, 401, 403, 404) },
    },
  },
  '/api/v1/collections/{id}/papers/{paperId}': {
    parameters: [idParam, paperParam],
    put: {
      operationId: 'addCollectionPaper',
      tags: ['collections'],
      summary: 'Add a paper (idempotent: a paper already there keeps its added time; a given note replaces the old one, null clears it)',
      security: signedIn,
      requestBody: { required: false, content: json({ type: 'object', properties: { note: { type: ['string', 'null'], maxLength: 1000 } } }) },
      responses: {
        '201': { description: 'Added.', content: json({ $ref: '#/components/schemas/CollectionPaperChange' }) },
        '200': { description: 'Already in the collection (note updated when given).', content: json({ $ref: '#/components/schemas/CollectionPaperChange' }) },
        ...errors(400, 401, 403, 404, 409),
      },
    },
    delete: {
      operationId: 'removeCollectionPaper',
      tags: ['collections'],
      summary: 'Remove a paper (404 when it is not in the collection)',
      security: signedIn,
      responses: { '204': { description: 'Removed.' }, ...errors(400, 401, 403, 404) },
    },
  },
};

