import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum OrganizationErrorReason {
  INVALID_NAME = 'INVALID_NAME',
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  INVALID_CURRENCY = 'INVALID_CURRENCY',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  INVALID_TEST_CLOCK = 'INVALID_TEST_CLOCK',
  INVALID_KEY = 'INVALID_KEY',
  INVALID_URL = 'INVALID_URL',
  URL_TOO_LONG = 'URL_TOO_LONG',
  HTTPS_REQUIRED = 'HTTPS_REQUIRED',
  INTERNAL_ADDRESS = 'INTERNAL_ADDRESS',
  INVALID_EMAIL = 'INVALID_EMAIL',
  INVALID_PHONE_NUMBER = 'INVALID_PHONE_NUMBER',
  TOO_MANY_RECIPIENTS = 'TOO_MANY_RECIPIENTS',
  SMS_NOT_CONFIGURED = 'SMS_NOT_CONFIGURED',
}

export const OrganizationError = defineDomainError<OrganizationErrorReason>('OrganizationError', {
  [OrganizationErrorReason.INVALID_NAME]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.UNKNOWN_PLAN]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_CURRENCY]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.CURRENCY_MISMATCH]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_TEST_CLOCK]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_KEY]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_URL]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.URL_TOO_LONG]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.HTTPS_REQUIRED]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INTERNAL_ADDRESS]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_EMAIL]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.INVALID_PHONE_NUMBER]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.TOO_MANY_RECIPIENTS]: ErrorCode.BAD_USER_INPUT,
  [OrganizationErrorReason.SMS_NOT_CONFIGURED]: ErrorCode.BAD_USER_INPUT,
});
