import { registerEnumType } from 'type-graphql';

/** How an organisation on a plan changes plan: its tenant admin directly, or by a request the platform decides. */
export enum PlanChangePolicy {
  SELF_SERVE = 'SELF_SERVE',
  BY_REQUEST = 'BY_REQUEST',
}

registerEnumType(PlanChangePolicy, {
  name: 'PlanChangePolicy',
  description: "How a tenant admin changes its organisation's plan. Platform admins change any plan directly either way.",
  valuesConfig: {
    SELF_SERVE: {
      description: "A tenant admin may call changePlan itself, when both the current and the new plan are SELF_SERVE ('upgrade now').",
    },
    BY_REQUEST: {
      description:
        'The default: a tenant admin asks with requestPlanChange and a platform admin approves or rejects it; changePlan ' +
        'answers FORBIDDEN with reason CHANGE_BY_REQUEST.',
    },
  },
});
