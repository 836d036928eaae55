import { ApiError, request } from '../api';
import { announce, byId, h, showError } from '../dom';
import { dateTime } from '../format';
import { PlanChangeRequestsDocument, RequestPlanChangeDocument, type PlanChangeRequestStatus } from '../generated/graphql';
import type { Session } from '../session';

const STATUS_LABEL: Record<PlanChangeRequestStatus, string> = {
  PENDING: 'Waiting for the platform',
  APPROVED: 'Approved',
  REJECTED: 'Rejected',
  CANCELED: 'Replaced by a newer request',
};

/**
 * The organisation's plan-change requests on the Plans page (seed 003): a tenant admin asks for a plan of its
 * currency, the platform decides; the other roles see the requests and their answers.
 */
export function createPlanRequests(session: Session, section: HTMLElement): { load(): Promise<void> } {
  const form = byId<HTMLFormElement>('plan-request-form');
  const select = byId<HTMLSelectElement>('plan-request-plan');
  const mayRequest = session.role === 'TENANT_ADMIN';
  form.hidden = !mayRequest;
  byId('plan-request-note').textContent = mayRequest
    ? 'Plan changes are requested here and decided by the platform: an upgrade applies once approved, a downgrade at the end of the period.'
    : "The organisation's tenant admin requests plan changes; the platform decides.";

  const load = async () => {
    try {
      const { planChangeRequests, organization, plans } = await request(session.key, PlanChangeRequestsDocument, {
        org: session.organization.id,
      });
      const current = organization?.plan?.code;
      const chosen = select.value;
      select.replaceChildren(
        ...plans
          .filter((p) => p.currency === session.organization.currency && p.code !== current)
          .map((p) => h('option', { value: p.code, selected: p.code === chosen }, `${p.name} · ${p.code}`)),
      );
      byId('plan-request-rows').replaceChildren(
        ...planChangeRequests.map((r) =>
          h(
            'tr',
            { 'data-request-id': r.id },
            h('th', { scope: 'row' }, `${r.plan.name} · ${r.plan.code}`),
            h('td', {}, h('span', { class: 'status', 'data-status': r.status }, STATUS_LABEL[r.status])),
            h('td', {}, dateTime(r.requestedAt)),
            h('td', {}, r.decidedAt ? dateTime(r.decidedAt) : '—'),
            h('td', {}, r.reason ?? '—'),
          ),
        ),
      );
      if (planChangeRequests.length === 0) {
        byId('plan-request-rows').replaceChildren(h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No requests yet.')));
      }
    } catch (err) {
      showError(section, err);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button')!;
    button.disabled = true;
    request(session.key, RequestPlanChangeDocument, { org: session.organization.id, planCode: select.value })
      .then(async ({ requestPlanChange }) => {
        showError(section, null);
        announce(`Requested the ${requestPlanChange.plan.name} plan; the platform decides.`);
        await load();
      })
      .catch((err: unknown) => showError(section, err instanceof ApiError ? err.message : err))
      .finally(() => (button.disabled = false));
  });

  return { load };
}
