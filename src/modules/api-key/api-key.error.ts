import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum ApiKeyErrorReason {
  INVALID_NAME = 'INVALID_NAME',
  ORGANIZATION_REQUIRED = 'ORGANIZATION_REQUIRED',
  PLATFORM_KEY_WITH_ORGANIZATION = 'PLATFORM_KEY_WITH_ORGANIZATION',
  ROLE_NOT_GRANTABLE = 'ROLE_NOT_GRANTABLE',
  NOT_FOUND = 'NOT_FOUND',
  OWN_KEY = 'OWN_KEY',
}

export const ApiKeyError = defineDomainError<ApiKeyErrorReason>('ApiKeyError', {
  [ApiKeyErrorReason.INVALID_NAME]: ErrorCode.BAD_USER_INPUT,
  [ApiKeyErrorReason.ORGANIZATION_REQUIRED]: ErrorCode.BAD_USER_INPUT,
  [ApiKeyErrorReason.PLATFORM_KEY_WITH_ORGANIZATION]: ErrorCode.BAD_USER_INPUT,
  [ApiKeyErrorReason.ROLE_NOT_GRANTABLE]: ErrorCode.FORBIDDEN,
  [ApiKeyErrorReason.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [ApiKeyErrorReason.OWN_KEY]: ErrorCode.BAD_USER_INPUT,
});
