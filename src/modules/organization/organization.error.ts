import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum OrganizationErrorReason {
  INVALID_NAME = 'INVALID_NAME',
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  INVALID_CURRENCY = 'INVALID_CURRENCY',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  INVALID_TEST_CLOCK = 'INVALID_TEST_CLOCK',
  INVALID_KEY = 'INVALID_KEY',
  NOT_FOUND = 'NOT_FOUND',
  /** What other modules have always answered for a missing organisation; `organization(id)` answers NOT_FOUND. */
  ORGANIZATION_NOT_FOUND = 'ORGANIZATION_NOT_FOUND',
  INVALID_URL = 'INVALID_URL',
  INVALID_EMAIL = 'INVALID_EMAIL',
}

export const OrganizationError = defineDomainError<OrganizationErrorReason>('OrganizationError', {
  [OrganizationErrorReason.INVALID_NAME]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.UNKNOWN_PLAN]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_CURRENCY]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.CURRENCY_MISMATCH]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_TEST_CLOCK]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_KEY]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [OrganizationErrorReason.ORGANIZATION_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [OrganizationErrorReason.INVALID_URL]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_EMAIL]: ErrorCode.BAD_USER_INPUT,
});
