import { Extensions, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../../common/graphql/scalars';
import { PAGE_SIZE_EXTENSION, PageInfo, type PageSize } from '../../../common/graphql/pagination';
import { AlertSeverity, AlertWindow } from '../alert-severity';
import { Alert } from '../alert.entity';

@InputType({
  description:
    'A new alert rule. Exactly one of thresholdPercentage (or the deprecated thresholdPercent) and thresholdAmount; a rule with a metric watches usage, one without watches cost.',
})
export class CreateAlertRuleInput {
  @Field(() => ID, { description: "The organisation: the caller's own (platform admins: any)." })
  organizationId!: string;

  @Field(() => String, { nullable: true, description: 'A metric code; without one the rule watches cost.' })
  metric?: string | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Of the plan limit (metric) or of the monthly budget (cost), above 0 and at most 1000.',
    deprecationReason: 'Use thresholdPercentage: the same percent as an exact Decimal, the scalar AlertRule.thresholdPercent returns.',
  })
  thresholdPercent?: number | null;

  @Field(() => DecimalScalar, {
    nullable: true,
    description:
      'Percent of the plan limit (metric) or of the monthly budget (cost), above 0 and at most 1000, e.g. "95" or "12.5"; at most 12 decimals (OUT_OF_RANGE). Give it or thresholdAmount (INVALID_THRESHOLD otherwise); replaces thresholdPercent.',
  })
  thresholdPercentage?: string | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'An absolute quantity or amount.' })
  thresholdAmount?: string | null;

  @Field(() => AlertSeverity, { description: 'Given to the alerts the rule fires.' })
  severity!: AlertSeverity;

  @Field(() => [String], {
    nullable: true,
    description:
      "Values of AlertChannel, as strings: in_app (always added), email, webhook, sms (to the organisation's SMS recipients; BAD_USER_INPUT SMS_NOT_CONFIGURED when the server has no SMS settings); any other is BAD_USER_INPUT with reason INVALID_CHANNEL.",
  })
  channels?: string[] | null;

  @Field(() => AlertWindow, {
    nullable: true,
    defaultValue: AlertWindow.PERIOD,
    description:
      'What it measures over; default PERIOD. HOUR and DAY need a cost rule with thresholdAmount, FORECAST a cost rule without team or project (INVALID_WINDOW otherwise).',
  })
  window?: AlertWindow | null;

  @Field(() => String, { nullable: true, description: "Only this team's usage or spend." })
  team?: string | null;

  @Field(() => String, { nullable: true, description: "Only this project's usage or spend." })
  project?: string | null;
}

@ObjectType({ description: 'An alert with its cursor.' })
export class AlertEdge {
  @Field({ description: 'Opaque; pass it as `after` to read the alerts after this one.' })
  cursor!: string;

  @Field(() => Alert, { description: 'The alert.' })
  node!: Alert;
}

export const ALERT_PAGE: PageSize = { default: 20, max: 100 };

@ObjectType({ description: 'A page of alerts, newest first.' })
@Extensions({ [PAGE_SIZE_EXTENSION]: ALERT_PAGE })
export class AlertConnection {
  @Field(() => [AlertEdge], { description: "This page's alerts." })
  edges!: AlertEdge[];

  @Field(() => PageInfo, { description: 'Whether more alerts follow, and the cursor to read them from.' })
  pageInfo!: PageInfo;

  /** Counts every alert the filters match (CountedPage). */
  count!: () => Promise<number>;

  @Field(() => Int, { description: 'Every alert the filters match, across all pages; counted only when asked for.' })
  totalCount(): Promise<number> {
    return this.count();
  }
}
