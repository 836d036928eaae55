import { Field, ID, InputType } from 'type-graphql';
import { JSONScalar } from '../../../common/graphql/scalars';

@InputType({ description: "A platform admin's exception to the plan for one organisation." })
export class FeatureOverrideInput {
  @Field(() => ID, { description: 'The organisation it applies to.' })
  organizationId!: string;

  @Field({ description: 'A feature code, or a metric code (enabled: false withdraws its metered access).' })
  feature!: string;

  @Field({ description: 'false: withdrawn even where the plan grants it; true: granted even where it does not.' })
  enabled!: boolean;

  @Field(() => JSONScalar, { nullable: true, description: "Replaces the plan's static values; omitted: the plan's stay." })
  config?: unknown;
}
