import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last invoice sequence of an organisation; bumped in the transaction that issues, so numbers have no gaps. */
@Entity({ name: 'invoice_counters' })
export class InvoiceCounter {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @Column({ name: 'last_sequence', type: 'int' })
  lastSequence!: number;
}
