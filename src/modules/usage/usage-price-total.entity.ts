import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { boundsCheck, PRICE_BOUNDS, TOTAL_BOUNDS } from '../../common/money/decimal-bounds';

/**
 * A rate-card metric's period usage split by the price that applied (e.g. per
 * model): invoice lines and usage costs read these few rows, not the rollups.
 */
@Entity({ name: 'usage_price_totals' })
@Check('CHK_usage_price_totals_bounded', boundsCheck({ unit_price: PRICE_BOUNDS, quantity: TOTAL_BOUNDS, cost: TOTAL_BOUNDS }))
export class UsagePriceTotal {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  /** The rate-card entry, e.g. "model gpt-4"; "other" for the charge's default price. */
  @PrimaryColumn({ type: 'text' })
  label!: string;

  @Column({ name: 'unit_price', type: 'numeric', nullable: true })
  unitPrice!: string | null;

  @Column({ type: 'numeric' })
  quantity!: string;

  @Column({ type: 'numeric' })
  cost!: string;
}
