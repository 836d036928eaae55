import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum PaymentErrorReason {
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
}

export const PaymentError = defineDomainError<PaymentErrorReason>('PaymentError', {
  [PaymentErrorReason.NOT_CONFIGURED]: ErrorCode.BAD_USER_INPUT,
  [PaymentErrorReason.BAD_SIGNATURE]: ErrorCode.BAD_USER_INPUT,
});
