/** The stable `extensions.code` values clients may branch on: renaming one breaks clients. */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  QUOTA_EXCEEDED = 'QUOTA_EXCEEDED',
  RATE_LIMITED = 'RATE_LIMITED',
  /** The plan does not allow this usage at all (a metric it does not charge, a refused dimension value, a disabled feature). */
  NOT_ENTITLED = 'NOT_ENTITLED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}
