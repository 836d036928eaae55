import { ErrorCode } from './error-code';

/**
 * Base of every domain's error class. A domain names its failures with its own
 * string enum (`reason`), and says once which stable GraphQL code each maps to.
 */
export abstract class DomainError<Reason extends string = string> extends Error {
  protected constructor(
    readonly reason: Reason,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Builds a domain error class from its reason enum and the reason→code table. */
export function defineDomainError<Reason extends string>(name: string, codes: Record<Reason, ErrorCode>) {
  const cls = class extends DomainError<Reason> {
    constructor(reason: Reason, message: string, details?: Record<string, unknown>) {
      super(reason, codes[reason], message, details);
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
