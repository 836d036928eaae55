import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { boundsCheck, MONEY_BOUNDS } from '../../common/money/decimal-bounds';

/** How much of a grant an invoice used; voiding the invoice gives it back. */
@Entity({ name: 'credit_applications' })
@Check('CHK_credit_applications_bounded', boundsCheck({ amount: MONEY_BOUNDS }))
export class CreditApplication {
  @PrimaryColumn({ name: 'invoice_id', type: 'uuid' })
  invoiceId!: string;

  @PrimaryColumn({ name: 'grant_id', type: 'uuid' })
  grantId!: string;

  /** The invoice's organisation, copied onto the row so the row lives on the same shard. */
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ type: 'numeric' })
  amount!: string;
}
