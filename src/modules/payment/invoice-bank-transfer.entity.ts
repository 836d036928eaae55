import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One bank account a customer may pay into, as Stripe gave it: the virtual account Stripe opened for the
 * customer's balance (ours to receive into, not the customer's own account details).
 */
export interface FinancialAddress {
  /** Stripe's address type: `aba` (US routing and account number) or `swift`. */
  type: string;
  bankName: string;
  accountHolderName: string;
  accountNumber: string;
  routingNumber: string | null;
  swiftCode: string | null;
  /** e.g. ach, domestic_wire_us, swift. */
  networks: string[];
}

/** An invoice sent through Stripe to be paid by bank transfer into the customer's balance, and where to send the money. */
@Entity({ name: 'invoice_bank_transfers' })
export class InvoiceBankTransfer {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid', primaryKeyConstraintName: 'PK_invoice_bank_transfers' })
  organizationId!: string;

  @PrimaryColumn({ name: 'invoice_id', type: 'uuid', primaryKeyConstraintName: 'PK_invoice_bank_transfers' })
  invoiceId!: string;

  @Column({ name: 'stripe_invoice_id', type: 'text' })
  stripeInvoiceId!: string;

  @Column({ name: 'hosted_invoice_url', type: 'text', nullable: true })
  hostedInvoiceUrl!: string | null;

  @Column({ name: 'financial_addresses', type: 'jsonb' })
  financialAddresses!: FinancialAddress[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
