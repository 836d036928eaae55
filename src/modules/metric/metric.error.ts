import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum MetricErrorReason {
  INVALID_CODE = 'INVALID_CODE',
  DUPLICATE_CODE = 'DUPLICATE_CODE',
  INVALID_UNIT = 'INVALID_UNIT',
  INVALID_UNIQUE_BY = 'INVALID_UNIQUE_BY',
  INVALID_ROUNDING = 'INVALID_ROUNDING',
  INVALID_SESSION = 'INVALID_SESSION',
}

export const MetricError = defineDomainError<MetricErrorReason>('MetricError', {
  [MetricErrorReason.INVALID_CODE]: ErrorCode.BAD_USER_INPUT,
  [MetricErrorReason.DUPLICATE_CODE]: ErrorCode.BAD_USER_INPUT,
  [MetricErrorReason.INVALID_UNIT]: ErrorCode.BAD_USER_INPUT,
  [MetricErrorReason.INVALID_UNIQUE_BY]: ErrorCode.BAD_USER_INPUT,
  [MetricErrorReason.INVALID_ROUNDING]: ErrorCode.BAD_USER_INPUT,
  [MetricErrorReason.INVALID_SESSION]: ErrorCode.BAD_USER_INPUT,
});
