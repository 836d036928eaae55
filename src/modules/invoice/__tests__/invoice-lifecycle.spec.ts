import { ErrorCode } from '../../../common/errors/error-code';
import { assertTransition, canTransition, issuedStatus, sourcesOf } from '../invoice-lifecycle';
import { InvoiceError, InvoiceErrorReason } from '../invoice.error';
import { InvoiceStatus } from '../invoice-status';

const { DRAFT, OPEN, PAID, OVERDUE, VOID, UNCOLLECTIBLE } = InvoiceStatus;

/** The lifecycle written out by hand, so that a change to the table has to change this too. */
const ALLOWED = new Set([
  `${DRAFT}>${OPEN}`,
  `${DRAFT}>${VOID}`,
  `${OPEN}>${PAID}`,
  `${OPEN}>${OVERDUE}`,
  `${OPEN}>${VOID}`,
  `${OPEN}>${UNCOLLECTIBLE}`,
  `${OVERDUE}>${PAID}`,
  `${OVERDUE}>${VOID}`,
  `${OVERDUE}>${UNCOLLECTIBLE}`,
]);

const statuses = Object.values(InvoiceStatus);
const pairs = statuses.flatMap((from) => statuses.map((to) => [from, to] as const));

describe('invoice lifecycle', () => {
  it('covers all six statuses, 36 pairs', () => {
    expect(statuses).toHaveLength(6);
    expect(pairs).toHaveLength(36);
  });

  it.each(pairs)('%s to %s', (from, to) => {
    const allowed = ALLOWED.has(`${from}>${to}`);
    expect(canTransition(from, to)).toBe(allowed);
    expect(sourcesOf(to).includes(from)).toBe(allowed);
    if (allowed) {
      expect(() => assertTransition(from, to)).not.toThrow();
    } else {
      let refusal: unknown;
      try {
        assertTransition(from, to);
      } catch (err) {
        refusal = err;
      }
      expect(refusal).toBeInstanceOf(InvoiceError);
      expect(refusal).toMatchObject({
        reason: InvoiceErrorReason.INVALID_TRANSITION,
        code: ErrorCode.BAD_USER_INPUT,
        message: `A ${from} invoice cannot become ${to}`,
      });
    }
  });

  it('gives set-based statements the sources of each target', () => {
    expect(sourcesOf(PAID)).toEqual([OPEN, OVERDUE]);
    expect(sourcesOf(OVERDUE)).toEqual([OPEN]);
    expect(sourcesOf(VOID)).toEqual([DRAFT, OPEN, OVERDUE]);
    expect(sourcesOf(UNCOLLECTIBLE)).toEqual([OPEN, OVERDUE]);
    expect(sourcesOf(DRAFT)).toEqual([]);
  });

  it('issues a draft OPEN, or PAID when nothing is left to pay', () => {
    expect(issuedStatus(false)).toBe(OPEN);
    expect(issuedStatus(true)).toBe(PAID);
  });
});
