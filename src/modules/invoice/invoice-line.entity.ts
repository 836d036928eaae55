import { Field, ObjectType } from 'type-graphql';
import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';
import { DecimalScalar } from '../../common/graphql/scalars';
import { registerWireEnum } from '../../common/graphql/wire-enum';

export enum InvoiceLineKind {
  BASE_FEE = 'base_fee',
  USAGE = 'usage',
  PRORATION = 'proration',
  ADJUSTMENT = 'adjustment',
}

export const InvoiceLineKindType = registerWireEnum(InvoiceLineKind, {
  name: 'InvoiceLineKind',
  description: 'What an invoice line bills; the values are the lowercase strings this field has always returned.',
  values: {
    BASE_FEE: "The plan's base fee for the period.",
    USAGE: "One metric's usage above its included quantity, priced by the plan's charge.",
    PRORATION:
      "A mid-period upgrade: the rest of the period at the new plan's base fee, or the old plan's unused rest credited (negative).",
    ADJUSTMENT: 'A manual correction.',
  },
});

/** A line as billed: its amount is rounded once, here, and the lines sum to the subtotal. */
@ObjectType({ description: "One line of an invoice: the base fee, one metric's usage, or a proration." })
@Entity({ name: 'invoice_lines' })
@Check('CHK_invoice_lines_bounded', boundsCheck({ quantity: TOTAL_BOUNDS, unit_price: TOTAL_BOUNDS, amount: TOTAL_BOUNDS }))
@Index('ix_invoice_lines_invoice', ['invoiceId', 'position'])
export class InvoiceLine {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The invoice's organisation, copied onto the row so the row lives on the same shard. */
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'invoice_id', type: 'uuid' })
  invoiceId!: string;

  @Column({ type: 'int' })
  position!: number;

  @Field(() => InvoiceLineKindType, { description: 'What the line bills: base fee, usage, proration or adjustment.' })
  @Column({ type: 'text' })
  kind!: InvoiceLineKind;

  @Field({ description: 'What the line bills, in words: "<plan name> plan", a metric\'s name with its price, an upgrade\'s days.' })
  @Column({ type: 'text' })
  description!: string;

  @Field(() => String, { nullable: true, description: 'The metric code of a usage line; null on other lines.' })
  @Column({ name: 'metric_code', type: 'text', nullable: true })
  metric!: string | null;

  @Field(() => DecimalScalar, {
    description: "Billed quantity: units above the included ones, 1 for the base fee, the period's share for a proration.",
  })
  @Column({ type: 'numeric' })
  quantity!: string;

  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Price of one unit where one price applies (per unit, or a rate-card entry); null for tiered and package prices.',
  })
  @Column({ name: 'unit_price', type: 'numeric', nullable: true })
  unitPrice!: string | null;

  @Column({ type: 'numeric' })
  amount!: string;
}
