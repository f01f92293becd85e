/** OpenAPI description of the digest settings endpoints (src/web/api/v1-digests.ts), merged by ../openapi.ts. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));
const signedIn = [{ bearer: [] }, { session: [] }];
const json = (schema: object) => ({ 'application/json': { schema } });

const include = {
  type: 'object',
  description: 'What goes in the digest.',
  properties: {
    top: { type: 'boolean', description: 'Top papers of the period (most upvoted featured papers).' },
    savedSearches: { type: 'boolean', description: 'New papers matching your saved searches.' },
    follows: { type: 'boolean', description: 'New papers of the authors and categories you follow.' },
    picks: { type: 'boolean', description: 'Personal picks from the reader\'s For-you model (upvotes, saves, "more like this", interests); needs an embedder.' },
  },
};

/** Schemas this fragment adds to components.schemas. */
export const schemas = {
  DigestSubscription: {
    type: 'object',
    required: ['subscribed', 'active', 'cadence', 'hour', 'timezone', 'include'],
    properties: {
      subscribed: { type: 'boolean', description: 'False: no subscription yet; the other fields are the defaults.' },
      active: { type: 'boolean', description: 'Digests are being sent.' },
      cadence: { type: 'string', enum: ['daily', 'weekly'], description: 'Weekly digests go out on Mondays.' },
      hour: { type: 'integer', minimum: 0, maximum: 23, description: 'Local hour of sending, in `timezone`.' },
      timezone: { type: 'string', description: 'IANA time zone, e.g. Europe/Paris.' },
      include,
      disabledReason: { type: ['string', 'null'], description: 'Why sending stopped: unsubscribed, bounced or stopped.' },
    },
  },
  DigestSubscriptionUpdate: {
    type: 'object',
    description: 'Fields left out keep their current (or default) value.',
    properties: {
      cadence: { type: 'string', enum: ['daily', 'weekly'] },
      hour: { type: 'integer', minimum: 0, maximum: 23 },
      timezone: { type: 'string' },
      include,
      active: { type: 'boolean', description: 'false stops the digest (default true: (re)starts it).' },
    },
  },
  SavedSearch: {
    type: 'object',
    required: ['id', 'name', 'query', 'filters', 'createdAt'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      query: { type: 'string', description: 'Search syntax of /search.' },
      filters: { type: 'object', properties: { category: { type: 'string', description: 'arXiv category, e.g. cs.CL.' } } },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  SavedSearchCreate: {
    type: 'object',
    required: ['query'],
    properties: {
      query: { type: 'string', maxLength: 300 },
      name: { type: 'string', maxLength: 100, description: 'Defaults to the query.' },
      filters: { type: 'object', properties: { category: { type: 'string' } } },
    },
  },
};

/** The digest settings endpoints. */
export const paths = {
  '/api/v1/me/subscription': {
    get: {
      operationId: 'getDigestSubscription',
      tags: ['digests'],
      summary: 'Your digest subscription',
      security: signedIn,
      responses: { '200': { description: 'The subscription (or the defaults).', content: json({ $ref: '#/components/schemas/DigestSubscription' }) }, ...errors(401) },
    },
    put: {
      operationId: 'putDigestSubscription',
      tags: ['digests'],
      summary: 'Create, change or stop your digest subscription',
      description: 'Sent to the address of your account; no confirmation mail is needed. With a session cookie, send X-CSRF-Token.',
      security: signedIn,
      requestBody: { required: true, content: json({ $ref: '#/components/schemas/DigestSubscriptionUpdate' }) },
      responses: { '200': { description: 'The saved subscription.', content: json({ $ref: '#/components/schemas/DigestSubscription' }) }, ...errors(400, 401, 403) },
    },
  },
  '/api/v1/me/saved-searches': {
    get: {
      operationId: 'listSavedSearches',
      tags: ['digests'],
      summary: 'Your saved searches',
      security: signedIn,
      responses: {
        '200': {
          description: 'Oldest first.',
          content: json({ type: 'object', required: ['savedSearches'], properties: { savedSearches: { type: 'array', items: { $ref: '#/components/schemas/SavedSearch' } } } }),
        },
        ...errors(401),
      },
    },
    post: {
      operationId: 'createSavedSearch',
      tags: ['digests'],
      summary: 'Save a search (it feeds your digest)',
      security: signedIn,
      requestBody: { required: true, content: json({ $ref: '#/components/schemas/SavedSearchCreate' }) },
      responses: { '201': { description: 'Saved.', content: json({ $ref: '#/components/schemas/SavedSearch' }) }, ...errors(400, 401, 403, 409) },
    },
  },
  '/api/v1/me/saved-searches/{id}': {
    delete: {
      operationId: 'deleteSavedSearch',
      tags: ['digests'],
      summary: 'Delete one of your saved searches',
      security: signedIn,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } }],
      responses: { '204': { description: 'Deleted.' }, ...errors(400, 401, 403, 404) },
    },
  },
};
