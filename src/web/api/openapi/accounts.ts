/** OpenAPI description of `GET /api/v1/me` (src/web/routes/account.tsx), merged by ../openapi.ts. */

/** Schemas this fragment adds to components.schemas. */
export const schemas = {
  Me: {
    type: 'object',
    required: ['handle', 'displayName', 'role'],
    properties: {
      handle: { type: 'string', description: 'Lower-case `[a-z0-9_-]`, 2-30 characters.' },
      displayName: { type: ['string', 'null'] },
      role: { type: 'string', enum: ['user', 'moderator', 'admin'] },
    },
  },
};

/** The account endpoints. */
export const paths = {
  '/api/v1/me': {
    get: {
      operationId: 'getMe',
      tags: ['accounts'],
      summary: 'Who the credentials belong to (the smallest authenticated call: use it to check a token)',
      security: [{ bearer: [] }, { session: [] }],
      responses: {
        '200': { description: 'The signed-in user.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Me' } } } },
        '401': { $ref: '#/components/responses/Error401' },
      },
    },
  },
};
