import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum UsageErrorReason {
  BATCH_TOO_LARGE = 'BATCH_TOO_LARGE',
  INVALID_PERIOD = 'INVALID_PERIOD',
  INVALID_FILTER = 'INVALID_FILTER',
  UNKNOWN_METRIC = 'UNKNOWN_METRIC',
  ACCOUNT_CLOSED = 'ACCOUNT_CLOSED',
}

export const UsageError = defineDomainError<UsageErrorReason>('UsageError', {
  [UsageErrorReason.BATCH_TOO_LARGE]: ErrorCode.BAD_USER_INPUT,
  [UsageErrorReason.INVALID_PERIOD]: ErrorCode.BAD_USER_INPUT,
  [UsageErrorReason.INVALID_FILTER]: ErrorCode.BAD_USER_INPUT,
  [UsageErrorReason.UNKNOWN_METRIC]: ErrorCode.BAD_USER_INPUT,
  [UsageErrorReason.ACCOUNT_CLOSED]: ErrorCode.FORBIDDEN,
});
