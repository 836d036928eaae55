import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { boundsCheck, QUANTITY_BOUNDS } from '../../common/money/decimal-bounds';

/**
 * The readings of one UTC day of a DAILY_PEAK_AVERAGE metric's period: its peak, and its last reading, which the
 * days after it carry on. Ingest reads a period's days to price each new reading; usage_totals holds the period's
 * average, so reports never read these rows.
 */
@Entity({ name: 'usage_daily_peaks' })
@Check('CHK_usage_daily_peaks_bounded', boundsCheck({ peak: QUANTITY_BOUNDS, close_quantity: QUANTITY_BOUNDS }))
export class UsageDailyPeak {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId!: string;

  @PrimaryColumn({ name: 'metric_id', type: 'uuid' })
  metricId!: string;

  @PrimaryColumn({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  /** Midnight UTC starting the day. */
  @PrimaryColumn({ type: 'timestamptz' })
  day!: Date;

  @Column({ type: 'numeric' })
  peak!: string;

  @Column({ name: 'close_quantity', type: 'numeric' })
  closeQuantity!: string;

  @Column({ name: 'close_at', type: 'timestamptz' })
  closeAt!: Date;
}
