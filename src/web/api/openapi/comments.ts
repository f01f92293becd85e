/** OpenAPI 3.1 description of the comments endpoints (src/web/api/v1-comments.ts), merged into /api/v1/openapi.json. */

const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((code) => [String(code), { $ref: `#/components/responses/Error${code}` }]));

const comment = {
  type: 'object',
  required: ['id', 'parentId', 'depth', 'author', 'badges', 'markdown', 'html', 'createdAt', 'editedAt', 'deleted', 'hidden', 'canEdit', 'canDelete', 'replies'],
  properties: {
    id: { type: 'integer' },
    parentId: { type: ['integer', 'null'], description: 'The comment this one replies to; null at the top level.' },
    depth: { type: 'integer', description: '0 for a top-level comment. Pages cap the shown depth at 6; the API does not.' },
    author: {
      type: ['object', 'null'],
      description: 'Null when the comment was deleted, or hidden by a moderator (unless the caller is a moderator).',
      properties: { handle: { type: 'string' }, displayName: { type: ['string', 'null'] } },
    },
    badges: { type: 'array', items: { type: 'string', enum: ['submitter', 'author'] }, description: '"submitter": featured the paper here; "author": a claimed author of the paper.' },
    markdown: { type: 'string', description: 'The body as written; empty when deleted or hidden.' },
    html: { type: 'string', description: 'The body rendered by the safe Markdown renderer (no raw HTML, no images, links with rel="nofollow ugc noopener"); empty when deleted or hidden.' },
    createdAt: { type: 'string', format: 'date-time' },
    editedAt: { type: ['string', 'null'], format: 'date-time', description: 'The last edit by the author, if any.' },
    deleted: { type: 'boolean' },
    hidden: { type: 'boolean', description: 'Hidden by a moderator.' },
    hiddenNote: { type: ['string', 'null'], description: "The moderator's note; present for moderators only." },
    canEdit: { type: 'boolean', description: 'The caller may edit it.' },
    canDelete: { type: 'boolean', description: 'The caller may delete it.' },
    replies: { type: 'array', items: { $ref: '#/components/schemas/Comment' }, description: 'Replies, oldest first.' },
  },
};

const idParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'arXiv id without version, e.g. 2509.08826 or hep-th/9901001 (the slash is kept).',
  schema: { type: 'string' },
};

/** The component schemas these paths refer to. */
export const schemas = {
  Comment: comment,
};

/** Path items for the comments endpoints. */
export const paths = {
  '/api/v1/papers/{id}/comments': {
    get: {
      operationId: 'listPaperComments',
      summary: "A paper's comments, threaded",
      description: 'Top-level comments oldest first, each with its replies (oldest first). Deleted and hidden comments keep their place in the thread without text or author. No authentication needed; with one, `canEdit`/`canDelete` describe the caller.',
      tags: ['comments'],
      security: [{}, { bearer: [] }, { session: [] }],
      parameters: [idParam],
      responses: {
        200: {
          description: 'The thread.',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['paperId', 'count', 'comments'],
                properties: {
                  paperId: { type: 'string' },
                  count: { type: 'integer', description: 'Visible comments (neither deleted nor hidden).' },
                  comments: { type: 'array', items: { $ref: '#/components/schemas/Comment' } },
                },
              },
            },
          },
        },
        ...errors(400, 404, 503),
      },
    },
    post: {
      operationId: 'postPaperComment',
      summary: 'Comment on a paper, or reply to a comment',
      tags: ['comments'],
      security: [{ bearer: [] }, { session: [] }],
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              required: ['body'],
              properties: {
                body: { type: 'string', maxLength: 20000, description: 'Markdown (CommonMark + tables and strikethrough; raw HTML is shown as text).' },
                parentId: { type: ['integer', 'null'], description: 'Reply to this comment (on the same paper, not deleted or hidden).' },
              },
            },
          },
        },
      },
      responses: {
        201: {
          description: 'Created.',
          content: { 'application/json': { schema: { type: 'object', required: ['comment'], properties: { comment: { $ref: '#/components/schemas/Comment' } } } } },
        },
        ...errors(400, 401, 403, 404, 429, 503),
      },
    },
  },
};
