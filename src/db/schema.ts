/** Kysely table types: the shape of the database as the migrations leave it. */
import type { Generated } from 'kysely';

export interface PapersTable {
  /** Integer key used as the FTS5 rowid (stable across VACUUM, unlike an implicit rowid). */
  num: Generated<number>;
  /** arXiv id without version: `2509.08826` or `hep-th/9901001`. */
  id: string;
  version: number;
  title: string;
  /** The title's folded word tokens joined by spaces (titleKey in src/search/query.ts): exact-title look-ups. */
  title_key: string;
  abstract: string;
  /** JSON array of author names, in order. */
  authors: string;
  /** JSON array of categories, primary first. */
  categories: string;
  primary_category: string | null;
  /** ISO 8601 date-time of the first version. */
  published_at: string;
  /** ISO 8601 date-time of the latest version. */
  updated_at: string;
  comment: string | null;
  journal_ref: string | null;
  doi: string | null;
  license: string | null;
  code_url: string | null;
  project_url: string | null;
  created_at: string;
  modified_at: string;
  /** How many `votes` rows the paper has (src/store/votes.ts keeps it in the vote transaction). */
  upvotes: Generated<number>;
}

export interface AnnouncementsTable {
  paper_id: string;
  /** Announcement date, YYYY-MM-DD. */
  date: string;
  kind: 'new' | 'cross' | 'replace';
  /** The listing's category (for cross-lists, the category it was cross-listed to). */
  category: string | null;
}

export interface DailyEntriesTable {
  id: Generated<number>;
  paper_id: string;
  /** Feed date, YYYY-MM-DD in the configured feed time zone. */
  feed_date: string;
  submitter_name: string | null;
  submitter_handle: string | null;
  organization: string | null;
  submitted_at: string;
  /** imported_upvotes + papers.upvotes, kept so in the vote transaction (src/store/votes.ts). */
  upvotes: number;
  num_comments: number;
  /** Upvotes imported from Hugging Face (set by upsertEntries); local votes are counted on top. */
  imported_upvotes: Generated<number>;
  /** Order-preserving time-decay score (src/rank/trending.ts), rewritten whenever upvotes change. */
  trending: Generated<number>;
  /** The user who submitted the entry here; null for imported entries (or a deleted account). */
  submitter_user_id: number | null;
  /** The submitter's note (plain text). */
  comment: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface JobsTable {
  id: Generated<number>;
  /** Handler name in the worker's registry (src/jobs/handlers.ts). */
  name: string;
  /** JSON text given to the handler. */
  payload: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  /** Claims so far (incremented when claimed). */
  attempts: number;
  max_attempts: number;
  /** ISO 8601 UTC: the job may run from this instant on. */
  run_at: string;
  /** Worker that holds (or last held) the job. */
  locked_by: string | null;
  /** ISO 8601 UTC: a running job whose lease ran out is claimed again. */
  lease_until: string | null;
  last_error: string | null;
  /** `schedule@slot` for recurring jobs: one job per slot. */
  unique_key: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface HarvestStateTable {
  /** `oai:{metadataPrefix}:{set}`. */
  key: string;
  metadata_prefix: string;
  set_spec: string;
  status: 'idle' | 'running';
  /** Window in progress, YYYY-MM-DD inclusive; null when idle. */
  window_from: string | null;
  window_until: string | null;
  /** Token of the next page; null while running means the window's first page is next. */
  resumption_token: string | null;
  pages: number;
  records: number;
  /** `until` of the last completed window: where the next one starts. */
  harvested_until: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  updated_at: string;
}

export interface FeedItemsTable {
  category: string;
  feed_date: string;
  paper_id: string;
  kind: 'new' | 'cross' | 'replace';
  version: number | null;
}

export interface FeedRunsTable {
  category: string;
  feed_date: string;
  items: number;
  fetched_at: string;
}

export interface SourceStatusTable {
  /** `oai:{prefix}:{set}`, `feed:{category}`, `api`, `hf`. */
  source: string;
  etag: string | null;
  last_modified: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  updated_at: string;
}

/** A role, from least to most trusted: moderators hide comments and ban; admins also manage roles. */
export type UserRole = 'user' | 'moderator' | 'admin';

export interface UsersTable {
  id: Generated<number>;
  /** Lower-cased address. */
  email: string;
  /** Lower-cased `[a-z0-9_-]`, 2-30 characters, unique; used in URLs. */
  handle: string;
  display_name: string | null;
  role: UserRole;
  /** ISO 8601 UTC while banned, else null. */
  banned_at: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

export interface SessionsTable {
  /** sha256 (hex) of the random id held in the session cookie. */
  id_hash: string;
  user_id: number;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

export interface LoginTokensTable {
  /** sha256 (hex) of the token mailed in the sign-in link. */
  token_hash: string;
  email: string;
  next_path: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface ApiTokensTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  /** sha256 (hex) of the whole token. */
  token_hash: string;
  /** The token's first characters, for display. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

/** A user's named list of papers (see src/store/collections.ts). */
export interface CollectionsTable {
  id: Generated<number>;
  user_id: number;
  /** `[a-z0-9-]`, unique per user; used in URLs. */
  slug: string;
  name: string;
  description: string | null;
  /** 1: anyone may see it; 0: only its owner. */
  is_public: number;
  created_at: string;
  updated_at: string;
}

/** A paper in a collection. */
export interface CollectionPapersTable {
  collection_id: number;
  paper_id: string;
  note: string | null;
  /** ISO 8601 UTC. */
  added_at: string;
}

export interface CommentsTable {
  id: Generated<number>;
  paper_id: string;
  /** A reply's parent (a comment on the same paper); null at the top level. */
  parent_id: number | null;
  user_id: number;
  /** Markdown as written; empty once deleted. */
  body: string;
  /** The body rendered by renderMarkdown when written. */
  body_html: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  deleted_by: number | null;
  hidden_at: string | null;
  hidden_by: number | null;
  hidden_note: string | null;
}

export interface CommentRevisionsTable {
  id: Generated<number>;
  comment_id: number;
  /** A previous body. */
  body: string;
  written_at: string;
  replaced_at: string;
}

export interface CommentReportsTable {
  id: Generated<number>;
  comment_id: number;
  reporter_id: number;
  reason: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: number | null;
  resolution: 'dismissed' | 'hidden' | 'deleted' | 'banned' | null;
}

export interface VotesTable {
  user_id: number;
  paper_id: string;
  created_at: string;
}

/** A claim's state: waiting for a moderator, or decided. */
export type ClaimStatus = 'pending' | 'approved' | 'rejected';

export interface AuthorClaimsTable {
  id: Generated<number>;
  paper_id: string;
  user_id: number;
  /** The author name as listed on the paper when claimed. */
  author_name: string;
  status: ClaimStatus;
  created_at: string;
  decided_at: string | null;
  /** The moderator who decided; null while pending (or once their account is deleted). */
  decided_by: number | null;
}

/** A digest subscription (src/store/subscriptions.ts): a user's, or an address-only one (double opt-in). */
export interface SubscriptionsTable {
  id: Generated<number>;
  /** Null for an address-only subscription (top papers only). */
  user_id: number | null;
  /** Lower-cased recipient address; unique. */
  email: string;
  cadence: 'daily' | 'weekly';
  /** Local hour 0-23 in `timezone`. */
  hour: number;
  /** IANA time zone. */
  timezone: string;
  include_top: number;
  include_saved_searches: number;
  include_follows: number;
  include_picks: number;
  /** Null until the double opt-in link is followed. */
  confirmed_at: string | null;
  /** sha256 (hex) of the mailed confirmation token. */
  confirm_token_hash: string | null;
  /** Permanent SMTP failures in a row. */
  bounce_count: Generated<number>;
  disabled_at: string | null;
  /** 'unsubscribed', 'bounced' or 'stopped'. */
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

/** A user's saved search (query + filters as JSON). */
export interface SavedSearchesTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  query: string;
  /** JSON object: {"category"?: string}. */
  filters: string;
  created_at: string;
}

/** A user following an author name or an arXiv category. */
export interface FollowsTable {
  id: Generated<number>;
  user_id: number;
  kind: 'author' | 'category';
  value: string;
  created_at: string;
}

/** State of one digest send; see src/digest/send.ts for the transitions. */
export type DigestSendStatus = 'planned' | 'sending' | 'sent' | 'failed' | 'skipped';

/** One digest of one subscription for one period (unique together), written before the SMTP transaction. */
export interface DigestSendsTable {
  id: Generated<number>;
  subscription_id: number;
  /** `daily:YYYY-MM-DD` or `weekly:YYYY-Www` in the subscriber's zone. */
  period: string;
  status: DigestSendStatus;
  attempts: Generated<number>;
  last_error: string | null;
  message_id: string | null;
  recipient: string | null;
  created_at: string;
  sending_at: string | null;
  sent_at: string | null;
}

/** A paper in a digest send, with why it is there. */
export interface DigestItemsTable {
  send_id: number;
  paper_id: string;
  position: number;
  reason: string;
}

/** Papers (possibly) mailed to an address: never mailed to it again. */
export interface DigestMailedTable {
  recipient: string;
  paper_id: string;
  send_id: number;
  mailed_at: string;
}

/** A reader's one-click feedback on a digest paper. */
export interface DigestFeedbackTable {
  id: Generated<number>;
  subscription_id: number;
  user_id: number | null;
  paper_id: string;
  kind: 'more' | 'not_interested';
  created_at: string;
}

/** A model that produced stored vectors. */
export interface EmbeddingModelsTable {
  name: string;
  kind: 'builtin' | 'transformer' | 'http';
  dim: number;
  /** The built-in model's trained parameters; null for other kinds. */
  params: Uint8Array | null;
  corpus_size: number | null;
  created_at: string;
}

/** One paper's vector under one model: little-endian float32 × dim, unit length. */
export interface PaperEmbeddingsTable {
  model: string;
  paper_id: string;
  vector: Uint8Array;
  version: number;
  embedded_at: string;
}

/** A user's private feed token (sha256 only); one per user. */
export interface FeedTokensTable {
  user_id: number;
  token_hash: string;
  /** The token's first characters, shown in settings. */
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

/** A user's standing named interest (src/store/interests.ts). */
export interface InterestsTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  kind: 'text' | 'collection';
  /** The pasted text (kind 'text'). */
  body: string | null;
  /** The seed collection (kind 'collection'). */
  collection_id: number | null;
  /** The embedded body under `model` (little-endian float32), or null until embedded. */
  vector: Uint8Array | null;
  model: string | null;
  created_at: string;
  updated_at: string;
}

/** On-site "more like this" / "not interested" on a paper (src/store/feedback.ts). */
export interface PaperFeedbackTable {
  user_id: number;
  paper_id: string;
  kind: 'more' | 'not_interested';
  created_at: string;
}

/** Something a user never wants recommended (src/store/mutes.ts). */
export interface MutesTable {
  id: Generated<number>;
  user_id: number;
  kind: 'author' | 'category' | 'keyword';
  value: string;
  created_at: string;
}

export interface Database {
  papers: PapersTable;
  announcements: AnnouncementsTable;
  daily_entries: DailyEntriesTable;
  meta: MetaTable;
  jobs: JobsTable;
  harvest_state: HarvestStateTable;
  feed_items: FeedItemsTable;
  feed_runs: FeedRunsTable;
  source_status: SourceStatusTable;
  users: UsersTable;
  sessions: SessionsTable;
  login_tokens: LoginTokensTable;
  api_tokens: ApiTokensTable;
  votes: VotesTable;
  comments: CommentsTable;
  comment_revisions: CommentRevisionsTable;
  comment_reports: CommentReportsTable;
  collections: CollectionsTable;
  collection_papers: CollectionPapersTable;
  author_claims: AuthorClaimsTable;
  subscriptions: SubscriptionsTable;
  saved_searches: SavedSearchesTable;
  follows: FollowsTable;
  digest_sends: DigestSendsTable;
  digest_items: DigestItemsTable;
  digest_mailed: DigestMailedTable;
  digest_feedback: DigestFeedbackTable;
  embedding_models: EmbeddingModelsTable;
  paper_embeddings: PaperEmbeddingsTable;
  feed_tokens: FeedTokensTable;
  interests: InterestsTable;
  paper_feedback: PaperFeedbackTable;
  mutes: MutesTable;
}
