import { request } from '../api';
import { byId, h, showError } from '../dom';
import { money, quantity } from '../format';
import { PlanEntitlementsDocument, PlansDocument, type PlanEntitlementsQuery } from '../generated/graphql';
import { explainReason } from '../reasons';
import type { Session, View } from '../session';
import { createPlanRequests } from './plan-requests';

type Entitlement = PlanEntitlementsQuery['entitlements'][number];

/** Static values as "limit: 20, level: email". */
const settings = (config: unknown): string =>
  config && typeof config === 'object'
    ? Object.entries(config as Record<string, unknown>)
        .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
        .join(', ')
    : '';

/** One row of what the plan allows: a feature, or a metric with its limit ("Unlimited" when it has none to reach). */
function entitlementRow(e: Entitlement): HTMLTableRowElement {
  const limit = e.metric === null ? '—' : e.unlimited ? 'Unlimited' : quantity(e.limit!);
  return h(
    'tr',
    { 'data-feature': e.feature },
    h('th', { scope: 'row' }, e.feature),
    h('td', {}, e.hasAccess ? 'Yes' : `No. ${explainReason(e.reason ?? '')}`),
    h('td', { class: 'num' }, limit),
    h('td', { class: 'num' }, e.used === null ? '—' : quantity(e.used)),
    h('td', {}, settings(e.config) || '—'),
  );
}

/**
 * What the organisation's plan allows (features, static values, limits), and every plan of its currency with the
 * next bill it would bring, from `planRecommendations`.
 */
export function createPlansView(session: Session): View {
  const section = byId('view-plans');

  const load = async () => {
    try {
      const [{ planRecommendations: r }, { entitlements }] = await Promise.all([
        request(session.key, PlansDocument, { org: session.organization.id }),
        request(session.key, PlanEntitlementsDocument, { org: session.organization.id }),
      ]);
      byId('entitlement-rows').replaceChildren(...entitlements.map(entitlementRow));
      byId('plans-summary').textContent =
        `On ${r.currentPlan.name}. ` +
        (r.cheapestPlan.code === r.currentPlan.code
          ? 'It is already the cheapest plan that fits.'
          : `${r.cheapestPlan.name} would save about ${money(r.saving)} on the next bill.`);
      byId('plans-basis-head').textContent = `On the usage of the ${r.basis}`;
      byId('plans-advice').replaceChildren(...r.advice.map((line) => h('li', {}, line)));
      byId('plan-rows').replaceChildren(
        ...r.options.map((o) => {
          const marks = [
            o.plan.code === r.currentPlan.code && 'current',
            o.plan.code === r.cheapestPlan.code && 'cheapest that fits',
          ].filter(Boolean);
          return h(
            'tr',
            { 'data-plan': o.plan.code, class: o.plan.code === r.currentPlan.code ? 'current' : undefined },
            // Several platforms' plans share a name ("Starter"): the code tells them apart.
            h(
              'th',
              { scope: 'row' },
              o.plan.name,
              h('span', { class: 'mark' }, ` · ${o.plan.code}${marks.length ? ` (${marks.join(', ')})` : ''}`),
            ),
            h('td', { class: 'num' }, money(o.forecastCost)),
            h('td', { class: 'num' }, money(o.cost)),
            h('td', {}, o.fits ? 'Yes' : 'No'),
            h('td', {}, o.warnings.join(' ') || '—'),
          );
        }),
      );
      showError(section, null);
    } catch (err) {
      showError(section, err);
    }
  };

  const requests = createPlanRequests(session, section);
  const loadAll = () => void Promise.all([load(), requests.load()]);
  section.querySelector('[data-refresh]')?.addEventListener('click', loadAll);
  return { section, show: loadAll };
}
