/** OpenAPI 3.1 description of `PUT /api/v1/papers/{id}/links` (src/web/routes/links.tsx), merged into /api/v1/openapi.json. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));

const link = (what: string) => ({
  type: ['string', 'null'],
  maxLength: 2048,
  description: `The ${what}: an absolute https:// URL without user name or password; null or "" removes it; absent keeps it.`,
});

/** The component schemas these paths refer to. */
export const schemas = {
  PaperLinks: {
    type: 'object',
    required: ['id', 'codeUrl', 'projectUrl'],
    properties: {
      id: { type: 'string', description: 'arXiv id without version.' },
      codeUrl: { type: ['string', 'null'], description: 'Code repository.' },
      projectUrl: { type: ['string', 'null'], description: 'Project page.' },
    },
  },
};

/** Path items for the links endpoint. */
export const paths = {
  '/api/v1/papers/{id}/links': {
    put: {
      operationId: 'setPaperLinks',
      summary: "Set or remove a paper's code repository and project page",
      description:
        "Allowed to the user who submitted the paper to the daily feed, an approved claimed author of the paper, and moderators/admins. The links are kept when the paper's arXiv metadata is re-imported.",
      tags: ['papers'],
      security: [{ bearer: [] }, { session: [] }],
      parameters: [
        {
          name: 'id',
          in: 'path',
          required: true,
          description: 'arXiv id, e.g. 2509.08826 or hep-th/9901001 (the slash is kept).',
          schema: { type: 'string' },
        },
      ],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', properties: { codeUrl: link('code repository'), projectUrl: link('project page') } } } },
      },
      responses: {
        200: { description: 'The links as stored.', content: { 'application/json': { schema: { $ref: '#/components/schemas/PaperLinks' } } } },
        ...errors(400, 401, 403, 404, 503),
      },
    },
  },
};
