import type { RuleTerms } from '../alert-evaluator';
import { AlertRuleKind, AlertSeverity, AlertWindow } from '../alert-severity';

/** A usage rule at 80 % of the period's limit, in-app, with the fields a test cares about overridden. */
export const ruleTerms = (over: Partial<RuleTerms> = {}): RuleTerms => ({
  id: 'r1',
  kind: AlertRuleKind.USAGE,
  metricId: null,
  thresholdPercent: '80',
  thresholdAmount: null,
  severity: AlertSeverity.WARNING,
  channels: ['in_app'],
  window: AlertWindow.PERIOD,
  team: null,
  project: null,
  ...over,
});
