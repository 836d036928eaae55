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
  /** A tenant admin's changePlan where the current or new plan is BY_REQUEST: it asks with requestPlanChange. */
  CHANGE_BY_REQUEST = 'CHANGE_BY_REQUEST',
  /** requestPlanChange is a tenant admin's; platform admins change the plan directly. */
  TENANT_ADMIN_ONLY = 'TENANT_ADMIN_ONLY',
  REQUEST_NOT_FOUND = 'REQUEST_NOT_FOUND',
  /** Approving or rejecting a request that is no longer PENDING. */
  REQUEST_NOT_PENDING = 'REQUEST_NOT_PENDING',
  INVALID_REASON = 'INVALID_REASON',
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
  [SubscriptionErrorReason.CHANGE_BY_REQUEST]: ErrorCode.FORBIDDEN,
  [SubscriptionErrorReason.TENANT_ADMIN_ONLY]: ErrorCode.FORBIDDEN,
  [SubscriptionErrorReason.REQUEST_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [SubscriptionErrorReason.REQUEST_NOT_PENDING]: ErrorCode.BAD_USER_INPUT,
  [SubscriptionErrorReason.INVALID_REASON]: ErrorCode.BAD_USER_INPUT,
});
