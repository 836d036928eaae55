import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum SubscriptionErrorReason {
  UNKNOWN_PLAN = 'UNKNOWN_PLAN',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
  SAME_PLAN = 'SAME_PLAN',
  NOT_ACTIVE = 'NOT_ACTIVE',
  NOT_SIMULATED = 'NOT_SIMULATED',
  CLOCK_BACKWARDS = 'CLOCK_BACKWARDS',
  PERIOD_NOT_ENDED = 'PERIOD_NOT_ENDED',
  INVALID_PERIOD_END = 'INVALID_PERIOD_END',
}

export const SubscriptionError = defineDomainError<SubscriptionErrorReason>('SubscriptionError', {
  [SubscriptionErrorReason.UNKNOWN_PLAN]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.CURRENCY_MISMATCH]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.SAME_PLAN]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.NOT_ACTIVE]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.NOT_SIMULATED]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.CLOCK_BACKWARDS]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.PERIOD_NOT_ENDED]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.INVALID_PERIOD_END]: ErrorCode.BAD_USER_INPUT,
});
