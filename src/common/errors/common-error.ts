import { defineDomainError } from './domain-error';
import { ErrorCode } from './error-code';

/** Failures shared by every module: access, argument shape and the organisation every call is scoped to. */
export enum CommonErrorReason {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  INVALID_ID = 'INVALID_ID',
  INVALID_ARGUMENT = 'INVALID_ARGUMENT',
  /** A number past the range or precision its field documents. */
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  INVALID_PAGE_SIZE = 'INVALID_PAGE_SIZE',
  INVALID_CURSOR = 'INVALID_CURSOR',
  NOT_FOUND = 'NOT_FOUND',
  ORGANIZATION_NOT_FOUND = 'ORGANIZATION_NOT_FOUND',
}

export const CommonError = defineDomainError<CommonErrorReason>('CommonError', {
  [CommonErrorReason.UNAUTHENTICATED]: ErrorCode.UNAUTHENTICATED,
  [CommonErrorReason.FORBIDDEN]: ErrorCode.FORBIDDEN,
  [CommonErrorReason.INVALID_ID]: ErrorCode.BAD_USER_INPUT,
  [CommonErrorReason.INVALID_ARGUMENT]: ErrorCode.BAD_USER_INPUT,
  [CommonErrorReason.OUT_OF_RANGE]: ErrorCode.BAD_USER_INPUT,
  [CommonErrorReason.INVALID_PAGE_SIZE]: ErrorCode.BAD_USER_INPUT,
  [CommonErrorReason.INVALID_CURSOR]: ErrorCode.BAD_USER_INPUT,
  [CommonErrorReason.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [CommonErrorReason.ORGANIZATION_NOT_FOUND]: ErrorCode.NOT_FOUND,
});
export type CommonError = InstanceType<typeof CommonError>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; a malformed one is the caller's mistake, not a missing row. */
export function assertId(id: string, what = 'id'): string {
  if (!UUID.test(id)) throw new CommonError(CommonErrorReason.INVALID_ID, `${what} "${id}" is not a valid id`);
  return id.toLowerCase();
}

/** The one answer for an organisation that does not exist, whichever module looked it up. */
export const organizationNotFound = (organizationId: string): CommonError =>
  new CommonError(CommonErrorReason.ORGANIZATION_NOT_FOUND, `Organization ${organizationId} does not exist`);
