import { defineDomainError } from '../../common/errors/domain-error';
import { ErrorCode } from '../../common/errors/error-code';

export enum PlanErrorReason {
  INVALID_CODE = 'INVALID_CODE',
  DUPLICATE_CODE = 'DUPLICATE_CODE',
  INVALID_NAME = 'INVALID_NAME',
  INVALID_CURRENCY = 'INVALID_CURRENCY',
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  UNKNOWN_METRIC = 'UNKNOWN_METRIC',
  DUPLICATE_CHARGE = 'DUPLICATE_CHARGE',
  INVALID_CHARGE = 'INVALID_CHARGE',
  INVALID_TIERS = 'INVALID_TIERS',
  INVALID_DIMENSION_PRICES = 'INVALID_DIMENSION_PRICES',
  INVALID_LIMITS = 'INVALID_LIMITS',
  INVALID_FEATURE = 'INVALID_FEATURE',
  DUPLICATE_FEATURE = 'DUPLICATE_FEATURE',
}

export const PlanError = defineDomainError<PlanErrorReason>('PlanError', {
  [PlanErrorReason.INVALID_CODE]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.DUPLICATE_CODE]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_NAME]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_CURRENCY]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_AMOUNT]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.UNKNOWN_METRIC]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.DUPLICATE_CHARGE]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_CHARGE]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_TIERS]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_DIMENSION_PRICES]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_LIMITS]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.INVALID_FEATURE]: ErrorCode.BAD_USER_INPUT,
  [PlanErrorReason.DUPLICATE_FEATURE]: ErrorCode.BAD_USER_INPUT,
});
