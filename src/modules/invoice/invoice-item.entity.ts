import { Check, Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { boundsCheck, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';
import { InvoiceLineKind } from './invoice-line.entity';

/** A one-off charge or credit (proration of a plan change) waiting for its period's invoice. */
@Entity({ name: 'invoice_items' })
@Check('CHK_invoice_items_bounded', boundsCheck({ quantity: TOTAL_BOUNDS, unit_price: TOTAL_BOUNDS, amount: TOTAL_BOUNDS }))
@Index('ix_invoice_items_pending', ['organizationId', 'periodStart'])
export class InvoiceItem {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ type: 'text' })
  kind!: InvoiceLineKind;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'numeric' })
  quantity!: string;

  @Column({ name: 'unit_price', type: 'numeric', nullable: true })
  unitPrice!: string | null;

  /** Already rounded to the currency's minor unit: it becomes a line as is. */
  @Column({ type: 'numeric' })
  amount!: string;

  @Column({ name: 'invoice_id', type: 'uuid', nullable: true })
  invoiceId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
