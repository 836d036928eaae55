import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum InvoiceErrorReason {
  NOT_FOUND = 'NOT_FOUND',
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  INVALID_PERIOD = 'INVALID_PERIOD',
}

export const InvoiceError = defineDomainError<InvoiceErrorReason>('InvoiceError', {
  [InvoiceErrorReason.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [InvoiceErrorReason.INVALID_TRANSITION]: ErrorCode.BAD_USER_INPUT,
  [InvoiceErrorReason.INVALID_PERIOD]: ErrorCode.BAD_USER_INPUT,
});
