import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum AlertErrorReason {
  NOT_FOUND = 'NOT_FOUND',
  INVALID_THRESHOLD = 'INVALID_THRESHOLD',
  UNKNOWN_METRIC = 'UNKNOWN_METRIC',
  INVALID_CHANNEL = 'INVALID_CHANNEL',
  INVALID_WINDOW = 'INVALID_WINDOW',
  INVALID_KEY = 'INVALID_KEY',
  SMS_NOT_CONFIGURED = 'SMS_NOT_CONFIGURED',
}

export const AlertError = defineDomainError<AlertErrorReason>('AlertError', {
  [AlertErrorReason.NOT_FOUND]: ErrorCode.NOT_FOUND,
  [AlertErrorReason.INVALID_THRESHOLD]: ErrorCode.BAD_USER_INPUT,
  [AlertErrorReason.UNKNOWN_METRIC]: ErrorCode.BAD_USER_INPUT,
  [AlertErrorReason.INVALID_CHANNEL]: ErrorCode.BAD_USER_INPUT,
  [AlertErrorReason.INVALID_WINDOW]: ErrorCode.BAD_USER_INPUT,
  [AlertErrorReason.INVALID_KEY]: ErrorCode.BAD_USER_INPUT,
  [AlertErrorReason.SMS_NOT_CONFIGURED]: ErrorCode.BAD_USER_INPUT,
});
