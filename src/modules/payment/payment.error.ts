import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum PaymentErrorReason {
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
  /** Not a Stripe payment method id (pm_…). */
  INVALID_PAYMENT_METHOD_ID = 'INVALID_PAYMENT_METHOD_ID',
  /** No such payment method on this organisation's Stripe customer (another customer's answers the same). */
  PAYMENT_METHOD_NOT_FOUND = 'PAYMENT_METHOD_NOT_FOUND',
}

export const PaymentError = defineDomainError<PaymentErrorReason>('PaymentError', {
  [PaymentErrorReason.NOT_CONFIGURED]: ErrorCode.BAD_USER_INPUT,
  [PaymentErrorReason.BAD_SIGNATURE]: ErrorCode.BAD_USER_INPUT,
  [PaymentErrorReason.INVALID_PAYMENT_METHOD_ID]: ErrorCode.BAD_USER_INPUT,
  [PaymentErrorReason.PAYMENT_METHOD_NOT_FOUND]: ErrorCode.NOT_FOUND,
});
