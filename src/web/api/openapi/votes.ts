/** OpenAPI description of the vote and submission endpoints (src/web/api/v1-votes.ts), merged by ../openapi.ts. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'arXiv id, e.g. 2509.08826 or hep-th/9901001 (the slash is kept); a version suffix is ignored.',
  schema: { type: 'string' },
};
const signedIn = [{ bearer: [] }, { session: [] }];
const voteState = { 'application/json': { schema: { $ref: '#/components/schemas/VoteState' } } };

/** Schemas this fragment adds to components.schemas. */
export const schemas = {
  VoteState: {
    type: 'object',
    required: ['upvotes', 'upvoted'],
    properties: {
      upvotes: {
        type: 'integer',
        description: "The paper's upvotes: for a featured paper, those imported from Hugging Face plus this instance's; otherwise this instance's.",
      },
      upvoted: { type: 'boolean', description: 'Whether the caller has upvoted the paper (false when not signed in).' },
    },
  },
  SubmitRequest: {
    type: 'object',
    required: ['paperId'],
    properties: {
      paperId: { type: 'string', description: 'arXiv id or any arXiv URL (abs, pdf, html); unknown papers are fetched from arXiv.' },
      comment: { type: 'string', maxLength: 500, description: 'Optional note shown with the entry (plain text; control characters removed).' },
      organization: { type: 'string', maxLength: 100, description: 'Optional organization shown with the entry.' },
    },
  },
};

const upvoteOp = (method: 'put' | 'delete') => ({
  operationId: method === 'put' ? 'upvotePaper' : 'removeUpvote',
  tags: ['votes'],
  summary: method === 'put' ? 'Upvote a paper (idempotent)' : 'Remove your upvote (idempotent)',
  description: 'With a session cookie instead of a token, send the X-CSRF-Token header. Rate limited (action `vote`).',
  security: signedIn,
  parameters: [idParam],
  responses: { '200': { description: 'The new state.', content: voteState }, ...errors(400, 401, 403, 404, 429) },
});

/** The vote and submission endpoints. */
export const paths = {
  '/api/v1/papers/{id}/upvote': {
    get: {
      operationId: 'getUpvote',
      tags: ['votes'],
      summary: "A paper's upvote count and whether the caller upvoted it",
      parameters: [idParam],
      responses: { '200': { description: 'The current state.', content: voteState }, ...errors(400, 404) },
    },
    put: upvoteOp('put'),
    delete: upvoteOp('delete'),
  },
  '/api/papers/submit': {
    post: {
      operationId: 'submitPaper',
      tags: ['votes'],
      summary: 'Submit a paper to the daily feed (Hugging Face–compatible)',
      description:
        'Features the paper on the current feed date. Rules: the paper\'s first version is at most PAPERBOY_SUBMIT_WINDOW_DAYS old (400), ' +
        'it is not in the feed yet (409), and the caller has submissions left today under PAPERBOY_SUBMIT_DAILY_QUOTA (429 with Retry-After ' +
        'until the feed day turns over; moderators are exempt). 503 when arXiv cannot be reached for an unknown paper. Rate limited (action `submit`).',
      security: signedIn,
      requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/SubmitRequest' } } } },
      responses: {
        '201': { description: 'The new entry, in the shape of one item of GET /api/daily_papers.', content: { 'application/json': { schema: { type: 'object' } } } },
        ...errors(400, 401, 403, 404, 409, 429, 503),
      },
    },
  },
};
