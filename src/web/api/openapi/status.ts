/** OpenAPI description of `GET /api/v1/status` (src/web/routes/status.tsx, whose file comment is the reference), merged by ../openapi.ts. */

const nullableString = { type: ['string', 'null'] };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };

/** Schemas this fragment adds to components.schemas. */
export const schemas = {
  StatusReport: {
    type: 'object',
    required: ['generatedAt', 'timezone', 'today', 'batches', 'sources', 'harvests', 'embeddings'],
    properties: {
      generatedAt: { type: 'string', format: 'date-time' },
      timezone: { type: 'string', description: 'Feed dates are counted in this zone (America/New_York).' },
      today: {
        type: 'object',
        description: 'The latest feed date arXiv announces on (Monday to Friday).',
        required: ['feedDate', 'state', 'announced', 'held', 'categoriesRead', 'categories'],
        properties: {
          feedDate: { type: 'string', format: 'date' },
          state: { type: 'string', enum: ['complete', 'incomplete', 'not_read'] },
          announced: { type: 'integer', description: 'Summed over the configured categories.' },
          held: { type: 'integer' },
          categoriesRead: { type: 'integer' },
          categories: { type: 'integer' },
        },
      },
      batches: {
        type: 'array',
        description: 'Per category, its last 7 feed dates that were read; newest date first, then categories in configured order.',
        items: {
          type: 'object',
          required: ['category', 'feedDate', 'announced', 'held', 'new', 'cross', 'replace', 'fetchedAt', 'complete'],
          properties: {
            category: { type: 'string' },
            feedDate: { type: 'string', format: 'date' },
            announced: { type: 'integer' },
            held: { type: 'integer', description: 'Papers held at (at least) the announced version.' },
            new: { type: 'integer' },
            cross: { type: 'integer' },
            replace: { type: 'integer' },
            fetchedAt: nullableTime,
            complete: { type: 'boolean', description: "Every announced paper held and the feed's item count recorded." },
          },
        },
      },
      sources: {
        type: 'array',
        items: {
          type: 'object',
          required: ['source', 'lastSuccessAt', 'lastError', 'lastErrorAt'],
          properties: { source: { type: 'string' }, lastSuccessAt: nullableTime, lastError: nullableString, lastErrorAt: nullableTime },
        },
      },
      harvests: {
        type: 'array',
        description: 'OAI-PMH harvest checkpoints.',
        items: {
          type: 'object',
          required: ['key', 'metadataPrefix', 'set', 'status', 'windowFrom', 'windowUntil', 'pages', 'records', 'harvestedUntil', 'lastSuccessAt', 'lastError', 'lastErrorAt', 'updatedAt'],
          properties: {
            key: { type: 'string' },
            metadataPrefix: { type: 'string' },
            set: { type: 'string' },
            status: { type: 'string', enum: ['idle', 'running'] },
            windowFrom: nullableString,
            windowUntil: nullableString,
            pages: { type: 'integer' },
            records: { type: 'integer' },
            harvestedUntil: nullableString,
            lastSuccessAt: nullableTime,
            lastError: nullableString,
            lastErrorAt: nullableTime,
            updatedAt: { type: 'string', format: 'date-time' },
          },
        },
      },
      embeddings: {
        type: 'object',
        description: "Search by meaning: the embed-papers job's progress under the model in use.",
        required: ['embedder', 'model', 'papers', 'embedded', 'loaded'],
        properties: {
          embedder: { type: 'string', enum: ['builtin', 'transformer', 'http', 'off'] },
          model: { ...nullableString, description: 'The model in use (or the newest stored built-in model); null when there is none yet.' },
          papers: { type: 'integer' },
          embedded: { type: 'integer', description: 'Papers with a vector of their current version under `model`.' },
          loaded: { type: ['integer', 'null'], description: "Vectors in this process's search index; null when it has none." },
        },
      },
    },
  },
};

/** The status endpoint. */
export const paths = {
  '/api/v1/status': {
    get: {
      operationId: 'getStatus',
      tags: ['operations'],
      summary: "Whether today's arXiv batch is complete, per category and feed date; source health; harvest checkpoints",
      security: [{}],
      responses: {
        '200': { description: 'The status report (the same one /status renders).', content: { 'application/json': { schema: { $ref: '#/components/schemas/StatusReport' } } } },
      },
    },
  },
};
