import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum PaymentErrorReason {
  NOT_CONFIGURED = 'NOT_CONFIGURED',
  ORGANIZATION_NOT_FOUND = 'ORGANIZATION_NOT_FOUND',
  BAD_SIGNATURE = 'BAD_SIGNATURE',
}

export const PaymentError = defineDomainError<PaymentErrorReason>('PaymentError', {
  [PaymentErrorReason.NOT_CONFIGURED]: ErrorCode.BAD_USER_INPUT,
  [PaymentErrorReason.ORGANIZATION_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [PaymentErrorReason.BAD_SIGNATURE]: ErrorCode.BAD_USER_INPUT,
});
