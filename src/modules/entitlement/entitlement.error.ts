import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum EntitlementErrorReason {
  INVALID_FEATURE = 'INVALID_FEATURE',
  INVALID_CONFIG = 'INVALID_CONFIG',
  NO_OVERRIDE = 'NO_OVERRIDE',
}

export const EntitlementError = defineDomainError<EntitlementErrorReason>('EntitlementError', {
  [EntitlementErrorReason.INVALID_FEATURE]: ErrorCode.BAD_USER_INPUT,
  [EntitlementErrorReason.INVALID_CONFIG]: ErrorCode.BAD_USER_INPUT,
  [EntitlementErrorReason.NO_OVERRIDE]: ErrorCode.NOT_FOUND,
});
