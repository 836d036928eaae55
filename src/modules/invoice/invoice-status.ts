import { registerEnumType } from 'type-graphql';

export enum InvoiceStatus {
  DRAFT = 'DRAFT',
  OPEN = 'OPEN',
  PAID = 'PAID',
  OVERDUE = 'OVERDUE',
  VOID = 'VOID',
  UNCOLLECTIBLE = 'UNCOLLECTIBLE',
}

registerEnumType(InvoiceStatus, {
  name: 'InvoiceStatus',
  description: 'Where an invoice is in its life: DRAFT, OPEN, then OVERDUE, PAID, VOID or UNCOLLECTIBLE (the last three final).',
  valuesConfig: {
    DRAFT: { description: 'Being built; not numbered yet.' },
    OPEN: { description: 'Issued and numbered; awaiting payment.' },
    PAID: { description: 'Settled (also when credits covered all of it).' },
    OVERDUE: { description: 'Open and past its due date.' },
    VOID: { description: 'Cancelled; its credits were given back.' },
    UNCOLLECTIBLE: { description: 'Written off.' },
  },
});
