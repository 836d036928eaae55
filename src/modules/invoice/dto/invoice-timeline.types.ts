import { Field, ID, Int, ObjectType } from 'type-graphql';
import { InvoiceStatus } from '../invoice-status';

@ObjectType({
  description: "One sending of an invoice event to one of the platform's webhook endpoints. Platform admins only.",
})
export class InvoiceEventDelivery {
  @Field(() => ID, { description: 'The delivery, for redeliverWebhook.' })
  id!: string;

  @Field(() => ID, { description: 'The endpoint it goes to.' })
  endpointId!: string;

  @Field({ description: "The endpoint's URL (also of an endpoint deleted since)." })
  endpointUrl!: string;

  @Field(() => String, {
    description:
      'PENDING (waiting or being retried), DELIVERED (a 2xx answer), FAILED (every attempt failed; redeliverWebhook ' +
      'tries again) or CANCELED (its endpoint was deleted first).',
  })
  status!: string;

  @Field(() => Int, { description: 'POSTs made so far.' })
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed; null once delivered or before any attempt.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the endpoint answered 2xx; null until then.' })
  deliveredAt!: Date | null;
}

@ObjectType({
  description:
    'Something that happened to an invoice, as recorded in the platform event log (README: Webhooks): issued, a ' +
    'payment failure, overdue, paid, voided.',
})
export class InvoiceTimelineEntry {
  @Field(() => ID, { description: 'The event: the "id" of the webhook body that reported it.' })
  id!: string;

  @Field({
    description: 'The event type: "invoice.issued", "invoice.payment_failed", "invoice.overdue", "invoice.paid" or "invoice.voided".',
  })
  type!: string;

  @Field(() => Date, {
    description: 'When it was recorded, in real time (also for an organisation on a test clock, whose business dates are on the invoice).',
  })
  at!: Date;

  @Field(() => InvoiceStatus, { description: "The invoice's status just after it (a payment failure leaves it OPEN or OVERDUE)." })
  invoiceStatus!: InvoiceStatus;

  @Field(() => String, { nullable: true, description: 'Why the payment failed, as the payment provider said; null for other events.' })
  paymentError!: string | null;
}
