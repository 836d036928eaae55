import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DecimalScalar } from '../../../common/graphql/scalars';
import { PageInfo } from '../../../common/graphql/pagination';
import { AlertSeverity, AlertWindow } from '../alert-severity';
import { Alert } from '../alert.entity';

@InputType()
export class CreateAlertRuleInput {
  @Field(() => ID)
  organizationId!: string;

  @Field(() => String, { nullable: true, description: 'A metric code; without one the rule watches cost.' })
  metric?: string | null;

  @Field(() => Float, { nullable: true, description: 'Of the plan limit (metric) or of the monthly budget (cost).' })
  thresholdPercent?: number | null;

  @Field(() => DecimalScalar, { nullable: true, description: 'An absolute quantity or amount.' })
  thresholdAmount?: string | null;

  @Field(() => AlertSeverity)
  severity!: AlertSeverity;

  @Field(() => [String], {
    nullable: true,
    description:
      '"in_app" (always), "email", "webhook", "sms" (to the organisation\'s SMS recipients; refused with BAD_USER_INPUT SMS_NOT_CONFIGURED when the server has no SMS settings).',
  })
  channels?: string[] | null;

  @Field(() => AlertWindow, { nullable: true, defaultValue: AlertWindow.PERIOD })
  window?: AlertWindow | null;

  @Field(() => String, { nullable: true, description: "Only this team's usage or spend." })
  team?: string | null;

  @Field(() => String, { nullable: true, description: "Only this project's usage or spend." })
  project?: string | null;
}

@ObjectType()
export class AlertEdge {
  @Field()
  cursor!: string;

  @Field(() => Alert)
  node!: Alert;
}

@ObjectType()
export class AlertConnection {
  @Field(() => [AlertEdge])
  edges!: AlertEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
