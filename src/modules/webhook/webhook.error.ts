import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum WebhookErrorReason {
  INVALID_URL = 'INVALID_URL',
  URL_TOO_LONG = 'URL_TOO_LONG',
  HTTPS_REQUIRED = 'HTTPS_REQUIRED',
  INTERNAL_ADDRESS = 'INTERNAL_ADDRESS',
  UNKNOWN_EVENT_TYPE = 'UNKNOWN_EVENT_TYPE',
  NO_EVENT_TYPES = 'NO_EVENT_TYPES',
  ENDPOINT_NOT_FOUND = 'ENDPOINT_NOT_FOUND',
  DELIVERY_NOT_FOUND = 'DELIVERY_NOT_FOUND',
}

export const WebhookError = defineDomainError<WebhookErrorReason>('WebhookError', {
  [WebhookErrorReason.INVALID_URL]: ErrorCode.BAD_USER_INPUT,
  [WebhookErrorReason.URL_TOO_LONG]: ErrorCode.BAD_USER_INPUT,
  [WebhookErrorReason.HTTPS_REQUIRED]: ErrorCode.BAD_USER_INPUT,
  [WebhookErrorReason.INTERNAL_ADDRESS]: ErrorCode.BAD_USER_INPUT,
  [WebhookErrorReason.UNKNOWN_EVENT_TYPE]: ErrorCode.BAD_USER_INPUT,
  [WebhookErrorReason.NO_EVENT_TYPES]: ErrorCode.BAD_USER_INPUT,
  [WebhookErrorReason.ENDPOINT_NOT_FOUND]: ErrorCode.NOT_FOUND,
  [WebhookErrorReason.DELIVERY_NOT_FOUND]: ErrorCode.NOT_FOUND,
});
