import { registerEnumType } from 'type-graphql';

/** Why an invoice was issued: a period's close, or a base fee invoiced in advance outside a close. */
export enum InvoiceKind {
  PERIOD = 'PERIOD',
  OPENING = 'OPENING',
  PLAN_CHANGE = 'PLAN_CHANGE',
}

registerEnumType(InvoiceKind, {
  name: 'InvoiceKind',
  description: 'Why an invoice was issued. An organisation has at most one PERIOD and one OPENING invoice per period.',
  valuesConfig: {
    PERIOD: {
      description:
        "A period's close: its usage, its base fee (IN_ARREARS plans) or the next period's (IN_ADVANCE plans), and pending prorations.",
    },
    OPENING: { description: "An IN_ADVANCE plan's base fee for the rest of the period the subscription started in, pro rata by time." },
    PLAN_CHANGE: { description: 'An upgrade during a period whose base fee was invoiced in advance: the pro-rata difference, at once.' },
  },
});
