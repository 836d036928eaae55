import { Field, ID, ObjectType } from 'type-graphql';
import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';
import { InvoiceKind } from './invoice-kind';
import { InvoiceStatus } from './invoice-status';

/**
 * One PERIOD invoice per organisation and period, and one OPENING: the unique indexes make a second close or
 * subscription start a no-op. PLAN_CHANGE invoices are one per upgrade, made in the upgrade's transaction.
 */
@ObjectType({ description: "One organisation's bill for one billing period: its lines, credits and what is due." })
@Entity({ name: 'invoices' })
@Check(
  'CHK_invoices_bounded',
  boundsCheck({ subtotal: TOTAL_BOUNDS, credits_applied: TOTAL_BOUNDS, total: TOTAL_BOUNDS, amount_paid: TOTAL_BOUNDS }),
)
@Index('uq_invoices_org_period', ['organizationId', 'periodStart'], { unique: true, where: `"kind" = 'PERIOD'` })
@Index('uq_invoices_org_opening', ['organizationId', 'periodStart'], { unique: true, where: `"kind" = 'OPENING'` })
@Index('uq_invoices_org_sequence', ['organizationId', 'sequence'], { unique: true })
@Index('ix_invoices_org_status', ['organizationId', 'status'])
export class Invoice {
  @Field(() => ID, { description: 'The invoice; invoice(id), the PDF route and the invoice mutations take it.' })
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  /** Gapless per organisation, assigned when the invoice is issued. */
  @Column({ type: 'int', nullable: true })
  sequence!: number | null;

  @Column({ type: 'text', nullable: true })
  number!: string | null;

  @Field(() => InvoiceKind, { description: 'Why it was issued: a period close, a subscription start or an upgrade (IN_ADVANCE fees).' })
  @Column({ type: 'text', default: InvoiceKind.PERIOD })
  kind!: InvoiceKind;

  @Field(() => InvoiceStatus, { description: 'Where it is in its life: DRAFT, OPEN, then PAID, OVERDUE, VOID or UNCOLLECTIBLE.' })
  @Column({ type: 'enum', enum: InvoiceStatus, enumName: 'invoice_status', default: InvoiceStatus.DRAFT })
  status!: InvoiceStatus;

  @Field(() => Date, { description: 'Start of the billing period it bills (the first of a month, UTC).' })
  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Field(() => Date, { description: 'End of that period, exclusive.' })
  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'numeric', default: 0 })
  subtotal!: string;

  @Column({ name: 'credits_applied', type: 'numeric', default: 0 })
  creditsApplied!: string;

  @Column({ type: 'numeric', default: 0 })
  total!: string;

  @Column({ name: 'amount_paid', type: 'numeric', default: 0 })
  amountPaid!: string;

  @Field(() => Date, { nullable: true, description: "When it was issued, on the organisation's clock; null while DRAFT." })
  @Column({ name: 'issued_at', type: 'timestamptz', nullable: true })
  issuedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "Issue date plus the plan's paymentTermsDays; null while DRAFT." })
  @Column({ name: 'due_date', type: 'timestamptz', nullable: true })
  dueDate!: Date | null;

  /** First business day on or after the close; when collection is tried. */
  @Column({ name: 'payment_due_at', type: 'timestamptz', nullable: true })
  paymentDueAt!: Date | null;

  @Column({ name: 'payment_attempts', type: 'int', default: 0 })
  paymentAttempts!: number;

  @Column({ name: 'last_payment_error', type: 'text', nullable: true })
  lastPaymentError!: string | null;

  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was paid in full; null until then.' })
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
