import type { EntityManager } from 'typeorm';
import { namedParameters } from '../../common/database/pg-array';
import { StatementKind } from './statement-delivery.entity';

const QUEUE = namedParameters(['invoices', 'kind'] as const);
const $ = QUEUE.sql;

/**
 * One row per invoice and billing contact with an email, in one statement for
 * any number of invoices. An invoice of nothing (a zero subtotal: no fee, no
 * usage) is not worth an email; queuing twice is a no-op.
 */
const QUEUE_SQL = `INSERT INTO statement_deliveries (organization_id, invoice_id, kind, recipient, next_attempt_at)
  SELECT DISTINCT i.organization_id, i.id, ${$.kind}, u.email, now()
    FROM invoices i JOIN users u ON u.organization_id = i.organization_id
   WHERE i.id = ANY(${$.invoices}::uuid[]) AND i.subtotal <> 0 AND u.role = 'BILLING_CONTACT' AND u.email IS NOT NULL
  ON CONFLICT (organization_id, invoice_id, kind, recipient) DO NOTHING`;

/**
 * Queues statement emails in the caller's transaction, so an invoice is never
 * issued or paid without its email being owed, nor the other way round.
 * Without SMTP nothing is queued: a server that cannot send keeps no backlog
 * to flood its customers with once SMTP is set. The worker finds them at its
 * next poll (a second): a statement need not arrive sooner.
 */
export class StatementOutbox {
  constructor(private readonly enabled: boolean) {}

  /** The issued invoices' statements: each invoice's PDF to its billing contacts. */
  issued(tx: EntityManager, invoiceIds: string[]): Promise<void> {
    return this.queue(tx, invoiceIds, StatementKind.INVOICE);
  }

  /** Receipts of invoices just paid. */
  paid(tx: EntityManager, invoiceIds: string[]): Promise<void> {
    return this.queue(tx, invoiceIds, StatementKind.RECEIPT);
  }

  private async queue(tx: EntityManager, invoiceIds: string[], kind: StatementKind): Promise<void> {
    if (!this.enabled || invoiceIds.length === 0) return;
    await tx.query(QUEUE_SQL, QUEUE.values({ invoices: invoiceIds, kind }));
  }
}
