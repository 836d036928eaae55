import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum SpendControlErrorReason {
  /** A budget or limit that is not above 0, or finer than the currency's minor unit. */
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  /** Alert thresholds out of 1 to 1000 %, repeated, or too many. */
  INVALID_THRESHOLDS = 'INVALID_THRESHOLDS',
  /** Auto-pause with neither a budget of the controls' nor one of the plan's. */
  NO_BUDGET = 'NO_BUDGET',
}

export const SpendControlError = defineDomainError<SpendControlErrorReason>('SpendControlError', {
  [SpendControlErrorReason.INVALID_AMOUNT]: ErrorCode.BAD_USER_INPUT,
  [SpendControlErrorReason.INVALID_THRESHOLDS]: ErrorCode.BAD_USER_INPUT,
  [SpendControlErrorReason.NO_BUDGET]: ErrorCode.BAD_USER_INPUT,
});
