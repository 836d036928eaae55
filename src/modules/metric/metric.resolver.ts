import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { Permission } from '../../common/auth/permission';
import type { RequestContext } from '../../app/request-context';
import { CreateMetricInput } from './dto/create-metric.input';
import { Metric } from './metric.entity';

@Resolver(() => Metric)
export class MetricResolver {
  @Authorized()
  @Query(() => [Metric], { description: 'Every metric of the catalog.' })
  metrics(@Ctx() { services }: RequestContext): Promise<Metric[]> {
    return services.metrics.list();
  }

  @Authorized(Permission.MANAGE_CATALOG)
  @Mutation(() => Metric, {
    description:
      'Adds a metric to the catalog. Errors: BAD_USER_INPUT with reason INVALID_CODE, DUPLICATE_CODE, INVALID_UNIT, INVALID_UNIQUE_BY, INVALID_ROUNDING, INVALID_SESSION or OUT_OF_RANGE.',
  })
  createMetric(
    @Arg('input', { description: 'The metric.' }) input: CreateMetricInput,
    @Ctx() { principal, services }: RequestContext,
  ): Promise<Metric> {
    return services.metrics.create(principal, input);
  }
}
