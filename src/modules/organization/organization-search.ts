import { CommonError, CommonErrorReason } from '../../common/errors/common-error';

/** Longer search terms are refused: no organisation name is longer (createOrganization allows 200 characters). */
export const MAX_SEARCH_LENGTH = 200;

/** What `organizations(search)` matches, as SQL parameters. */
export interface OrganizationSearch {
  /** An ILIKE pattern: the term anywhere in the name, its `%`, `_` and `\` matched literally. */
  namePattern: string;
  /** The ids that start with the term, as a range of the primary key; null when the term cannot begin an id. */
  idRange: { low: string; high: string } | null;
}

const UUID_SHAPE = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';

/**
 * A search term, trimmed; null for no filter. The name matches anywhere, case-insensitively; an id matches by
 * its beginning (case-insensitively too), served by the primary key: "3f2a" is every id from
 * 3f2a0000-0000-… to 3f2affff-ffff-….
 */
export function organizationSearch(term: string | null | undefined): OrganizationSearch | null {
  const trimmed = term?.trim() ?? '';
  if (!trimmed) return null;
  if (trimmed.length > MAX_SEARCH_LENGTH)
    throw new CommonError(CommonErrorReason.INVALID_ARGUMENT, `search is at most ${MAX_SEARCH_LENGTH} characters`);
  const lower = trimmed.toLowerCase();
  const beginsId =
    lower.length <= UUID_SHAPE.length && [...lower].every((c, i) => (UUID_SHAPE[i] === '-' ? c === '-' : /[0-9a-f]/.test(c)));
  const rest = UUID_SHAPE.slice(lower.length);
  return {
    namePattern: `%${trimmed.replace(/[\\%_]/g, '\\$&')}%`,
    idRange: beginsId ? { low: lower + rest.replace(/x/g, '0'), high: lower + rest.replace(/x/g, 'f') } : null,
  };
}
