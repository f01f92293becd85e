/** OpenAPI description of the "For you" endpoints (src/web/api/v1-foryou.ts), merged by ../openapi.ts. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));
const signedIn = [{ bearer: [] }, { session: [] }];
const json = (schema: object) => ({ 'application/json': { schema } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'integer', minimum: 1 } };

/** Schemas this fragment adds to components.schemas. */
export const schemas = {
  Recommendation: {
    type: 'object',
    required: ['paperId', 'score', 'why'],
    properties: {
      paperId: { type: 'string' },
      title: { type: ['string', 'null'] },
      score: { type: 'number', description: 'Higher is a better fit; comparable within one answer only.' },
      why: {
        type: 'object',
        required: ['papers', 'terms'],
        properties: {
          papers: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' } } }, description: 'Liked papers it is closest to.' },
          terms: { type: 'array', items: { type: 'string' }, description: 'Terms it shares with them.' },
          interest: { type: 'string', description: 'The standing interest it is closest to, if that is the reason.' },
        },
      },
    },
  },
  Interest: {
    type: 'object',
    required: ['id', 'name', 'kind'],
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      kind: { type: 'string', enum: ['text', 'collection'] },
      text: { type: ['string', 'null'] },
      collectionId: { type: ['integer', 'null'] },
      embedded: { type: 'boolean', description: 'False until the embedder has turned the text into a vector.' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  Mute: {
    type: 'object',
    required: ['id', 'kind', 'value'],
    properties: { id: { type: 'integer' }, kind: { type: 'string', enum: ['author', 'category', 'keyword'] }, value: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' } },
  },
};

/** The For-you paths. */
export const paths = {
  '/api/v1/me/for-you': {
    get: {
      operationId: 'getForYou',
      tags: ['for-you'],
      summary: 'Papers recommended for you, each with why',
      security: signedIn,
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 30 } },
        { name: 'interest', in: 'query', schema: { type: 'integer' }, description: 'Rank by one standing interest only.' },
        { name: 'since', in: 'query', schema: { type: 'string', format: 'date' }, description: 'Papers published since (default: the last 60 days).' },
      ],
      responses: {
        '200': {
          description: '`status` is ok, no-signals (nothing to learn from yet) or unavailable (no embeddings on this instance).',
          content: json({ type: 'object', properties: { status: { type: 'string', enum: ['ok', 'no-signals', 'unavailable'] }, items: { type: 'array', items: { $ref: '#/components/schemas/Recommendation' } } } }),
        },
        ...errors(400, 401, 404),
      },
    },
  },
  '/api/v1/me/interests': {
    get: {
      operationId: 'listInterests',
      tags: ['for-you'],
      summary: 'Your standing interests',
      security: signedIn,
      responses: { '200': { description: 'Interests, oldest first.', content: json({ type: 'object', properties: { interests: { type: 'array', items: { $ref: '#/components/schemas/Interest' } } } }) }, ...errors(401) },
    },
    post: {
      operationId: 'createInterest',
      tags: ['for-you'],
      summary: 'Add an interest: pasted text, or one of your collections',
      security: signedIn,
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          properties: { name: { type: 'string', maxLength: 100 }, text: { type: 'string', minLength: 20, maxLength: 5000 }, collectionId: { type: 'integer' } },
        }),
      },
      responses: { '201': { description: 'Created.', content: json({ $ref: '#/components/schemas/Interest' }) }, ...errors(400, 401, 403, 404, 409) },
    },
  },
  '/api/v1/me/interests/{id}': {
    delete: {
      operationId: 'deleteInterest',
      tags: ['for-you'],
      summary: 'Delete an interest',
      security: signedIn,
      parameters: [idParam],
      responses: { '204': { description: 'Deleted.' }, ...errors(400, 401, 403, 404) },
    },
  },
  '/api/v1/me/mutes': {
    get: {
      operationId: 'listMutes',
      tags: ['for-you'],
      summary: 'Your mutes',
      security: signedIn,
      responses: { '200': { description: 'Mutes, oldest first.', content: json({ type: 'object', properties: { mutes: { type: 'array', items: { $ref: '#/components/schemas/Mute' } } } }) }, ...errors(401) },
    },
    post: {
      operationId: 'createMute',
      tags: ['for-you'],
      summary: 'Mute an author, a category or a keyword (idempotent)',
      security: signedIn,
      requestBody: { required: true, content: json({ type: 'object', required: ['kind', 'value'], properties: { kind: { type: 'string', enum: ['author', 'category', 'keyword'] }, value: { type: 'string' } } }) },
      responses: { '201': { description: 'The mute.', content: json({ $ref: '#/components/schemas/Mute' }) }, ...errors(400, 401, 403) },
    },
  },
  '/api/v1/me/mutes/{id}': {
    delete: {
      operationId: 'deleteMute',
      tags: ['for-you'],
      summary: 'Unmute',
      security: signedIn,
      parameters: [idParam],
      responses: { '204': { description: 'Removed.' }, ...errors(400, 401, 403, 404) },
    },
  },
  '/api/v1/me/feedback': {
    post: {
      operationId: 'setPaperFeedback',
      tags: ['for-you'],
      summary: '"More like this", "not interested", or clear your opinion of a paper',
      security: signedIn,
      requestBody: { required: true, content: json({ type: 'object', required: ['paperId', 'kind'], properties: { paperId: { type: 'string' }, kind: { type: 'string', enum: ['more', 'not_interested', 'clear'] } } }) },
      responses: {
        '200': { description: 'Recorded.', content: json({ type: 'object', properties: { paperId: { type: 'string' }, feedback: { type: ['string', 'null'] } } }) },
        ...errors(400, 401, 403, 404),
      },
    },
  },
};
