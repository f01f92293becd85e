/** OpenAPI 3.1 description of the similar-papers endpoint (src/web/api/v1-similar.ts), merged into /api/v1/openapi.json. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));

/** The component schemas this path refers to. */
export const schemas = {
  SimilarPaper: {
    type: 'object',
    required: ['paperId', 'title', 'authors', 'categories', 'publishedAt', 'score', 'cosine', 'url'],
    properties: {
      paperId: { type: 'string' },
      title: { type: 'string' },
      authors: { type: 'array', items: { type: 'string' } },
      categories: { type: 'array', items: { type: 'string' }, description: 'Primary first.' },
      publishedAt: { type: 'string', format: 'date-time', description: 'First version.' },
      score: { type: 'number', description: 'The similarity the list is ordered by: the embedding cosine blended with a TF-IDF cosine of the two texts (higher is closer).' },
      cosine: { type: 'number', description: 'Cosine similarity of the two papers’ embeddings (−1 to 1).' },
      url: { type: 'string', format: 'uri', description: 'The paper page on this instance.' },
    },
  },
};

/** Path items for the similar-papers endpoint. */
export const paths = {
  '/api/v1/papers/{id}/similar': {
    get: {
      operationId: 'listSimilarPapers',
      summary: 'Papers similar to a paper',
      description:
        'The papers nearest this paper (its embedding’s nearest neighbours re-ranked with the words the texts share), best first, never the paper itself — the "Similar papers" of the paper page. ' +
        'When the instance has no embedder or its vectors are not loaded, the answer is 200 with an empty `papers` and a `reason`.',
      tags: ['search'],
      security: [{}, { bearer: [] }, { session: [] }],
      parameters: [
        {
          name: 'id',
          in: 'path',
          required: true,
          description: 'arXiv id without version, e.g. 2509.08826 or hep-th/9901001 (the slash is kept).',
          schema: { type: 'string' },
        },
        { name: 'limit', in: 'query', required: false, description: 'How many papers (default 5).', schema: { type: 'integer', minimum: 1, maximum: 50, default: 5 } },
      ],
      responses: {
        200: {
          description: 'The similar papers.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['paperId', 'model', 'papers'],
                properties: {
                  paperId: { type: 'string' },
                  model: { type: ['string', 'null'], description: 'The embedder whose vectors were compared, e.g. builtin-lsa-1a2b3c4d.' },
                  papers: { type: 'array', items: { $ref: '#/components/schemas/SimilarPaper' } },
                  reason: { type: 'string', description: 'Present when similarity is unavailable: why the list is empty.' },
                },
              },
            },
          },
        },
        ...errors(400, 404, 503),
      },
    },
  },
};
