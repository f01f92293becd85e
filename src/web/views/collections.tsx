/** @jsxRuntime automatic @jsxImportSource hono/jsx */
/** Collection pieces shared by the collection pages and the paper page (the "save to collection" box). */
import { collectionPath, type Collection, MAX_NAME_LENGTH, MAX_NOTE_LENGTH } from '../../store/collections.ts';
import { csrfField } from '../csrf.ts';
import { paperPath } from './text.ts';

/** "public" / "private" badge. */
export function Visibility({ isPublic }: { isPublic: boolean }) {
  return <span class={isPublic ? 'badge badge-public' : 'badge badge-private'}>{isPublic ? 'public' : 'private'}</span>;
}

/** A list of collections with their owner, size and visibility. */
export function CollectionList({ collections, showOwner }: { collections: Collection[]; showOwner: boolean }) {
  return (
    <ul class="collection-list">
      {collections.map((col) => (
        <li>
          <a href={collectionPath(col)}>{col.name}</a> <Visibility isPublic={col.isPublic} />{' '}
          <span class="sub">
            {showOwner ? <>by @{col.ownerHandle} · </> : null}
            {col.paperCount} {col.paperCount === 1 ? 'paper' : 'papers'}
          </span>
        </li>
      ))}
    </ul>
  );
}

/**
 * The paper page's box for a signed-in reader: add the paper to one of their collections (with a
 * note), or start a new collection with it. Forms post and redirect back: no script needed.
 */
export function SaveToCollection({ paperId, mine, holding }: { paperId: string; mine: Collection[]; holding: Set<number> }) {
  const back = paperPath(paperId);
  const inThem = mine.filter((col) => holding.has(col.id));
  const others = mine.filter((col) => !holding.has(col.id));
  return (
    <section class="save-to-collection" id="collections">
      <h2>Save to a collection</h2>
      {inThem.length > 0 ? (
        <p class="sub">
          In your {inThem.length === 1 ? 'collection' : 'collections'}:{' '}
          {inThem.map((col, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={collectionPath(col)}>{col.name}</a>
            </>
          ))}
        </p>
      ) : null}
      {others.length > 0 ? (
        <form class="account-form" method="post" action="/collections/add">
          {csrfField()}
          <input type="hidden" name="paper_id" value={paperId} />
          <input type="hidden" name="next" value={back} />
          <label>
            Collection
            <select name="collection_id">
              {others.map((col) => (
                <option value={String(col.id)}>{col.name}</option>
              ))}
            </select>
          </label>
          <label>
            Note (optional)
            <input type="text" name="note" maxlength={MAX_NOTE_LENGTH} />
          </label>
          <button type="submit">Add to collection</button>
        </form>
      ) : null}
      <form class="account-form" method="post" action="/collections">
        {csrfField()}
        <input type="hidden" name="paper_id" value={paperId} />
        <input type="hidden" name="next" value={back} />
        <label>
          New collection with this paper
          <input type="text" name="name" required maxlength={MAX_NAME_LENGTH} placeholder="e.g. Reading list" />
        </label>
        <button type="submit">Create and add</button>
      </form>
      <p class="sub">
        <a href="/collections">Manage your collections</a>
      </p>
    </section>
  );
}

/** "In public collections" line of the paper page. */
export function HeldIn({ collections }: { collections: Collection[] }) {
  if (collections.length === 0) return null;
  return (
    <section class="held-in">
      <h2>In public collections</h2>
      <CollectionList collections={collections} showOwner />
    </section>
  );
}
