import { request, subscribe } from '../api';
import { AcknowledgeDocument, AlertsDocument, AlertTriggeredDocument, type AlertEntryFragment as Alert } from '../generated/graphql';
import { announce, byId, h, liveFailure, showError } from '../dom';
import { dateTime, quantity } from '../format';
import { mayManageAlerts, type Session, type View } from '../session';

const SEVERITY_LABEL: Record<Alert['severity'], string> = { CRITICAL: 'Critical', WARNING: 'Warning', INFO: 'Info' };

export interface AlertsView extends View {
  /** Fetches the list again: after a reconnect, alerts fired while the socket was down were not pushed. */
  reload(): Promise<void>;
}

/** The alert feed: the newest 50 from `alerts`, then each `alertTriggered` on top as it fires. */
export function createAlertsView(session: Session): AlertsView {
  const section = byId('view-alerts');
  const list = byId('alert-list');
  const badge = byId('alert-badge');
  const alerts = new Map<string, Alert>();
  let total = 0;

  const summarise = () => {
    const open = [...alerts.values()].filter((a) => !a.acknowledgedAt).length;
    byId('alerts-summary').textContent = total
      ? `${total} alert${total === 1 ? '' : 's'} so far, ${open} not acknowledged${total > alerts.size ? ` (showing the newest ${alerts.size})` : ''}.`
      : 'No alert has fired yet. Alerts appear here as soon as they fire.';
    badge.hidden = open === 0;
    badge.replaceChildren(String(open), h('span', { class: 'visually-hidden' }, ' not acknowledged'));
  };

  const item = (alert: Alert, fresh: boolean): HTMLLIElement => {
    const acknowledge = async (button: HTMLButtonElement, li: HTMLLIElement) => {
      button.disabled = true;
      try {
        const { acknowledgeAlert } = await request(session.key, AcknowledgeDocument, { id: alert.id });
        alerts.set(alert.id, acknowledgeAlert);
        const replacement = item(acknowledgeAlert, false);
        li.replaceWith(replacement);
        replacement.focus(); // the button is gone: keep keyboard focus where it was
        summarise();
        showError(section, null);
      } catch (err) {
        button.disabled = false;
        showError(section, err);
      }
    };
    const li = h(
      'li',
      { class: `alert${fresh ? ' fresh' : ''}`, 'data-alert-id': alert.id, 'data-severity': alert.severity, tabindex: -1 },
      h(
        'p',
        { class: 'alert-head' },
        h('span', { class: 'severity' }, SEVERITY_LABEL[alert.severity]),
        ' ',
        h('time', { datetime: alert.triggeredAt }, dateTime(alert.triggeredAt)),
      ),
      h('p', { class: 'alert-message' }, alert.message),
      h(
        'p',
        { class: 'alert-detail muted' },
        `${alert.kind}${alert.metric ? ` · ${alert.metric}` : ''} · value ${quantity(alert.value)}, threshold ${quantity(alert.threshold)}`,
      ),
    );
    if (alert.acknowledgedAt) li.append(h('p', { class: 'acknowledged' }, `Acknowledged ${dateTime(alert.acknowledgedAt)}`));
    else if (mayManageAlerts(session.role)) {
      const button = h('button', { type: 'button', 'aria-label': `Acknowledge alert: ${alert.message}` }, 'Acknowledge');
      button.addEventListener('click', () => void acknowledge(button, li));
      li.append(button);
    }
    return li;
  };

  // Alerts pushed while a reload is in flight: its snapshot may predate them.
  let pushedDuringReload: Alert[] | null = null;

  const reload = async () => {
    pushedDuringReload = [];
    try {
      const { alerts: page } = await request(session.key, AlertsDocument, {
        org: session.organization.id,
      });
      const fetched = page.edges.map((edge) => edge.node);
      const missed = pushedDuringReload.filter((pushed) => !fetched.some((a) => a.id === pushed.id));
      alerts.clear();
      for (const alert of [...missed, ...fetched]) alerts.set(alert.id, alert);
      total = page.totalCount + missed.length;
      list.replaceChildren(...missed.map((a) => item(a, true)), ...fetched.map((a) => item(a, false)));
      summarise();
      showError(section, null);
    } catch (err) {
      showError(section, err);
    } finally {
      pushedDuringReload = null;
    }
  };

  const arrived = (alert: Alert) => {
    pushedDuringReload?.unshift(alert);
    if (alerts.has(alert.id)) return;
    alerts.set(alert.id, alert);
    total += 1;
    list.prepend(item(alert, true));
    summarise();
    announce(`New ${SEVERITY_LABEL[alert.severity].toLowerCase()} alert: ${alert.message}`);
  };

  subscribe(
    session.live,
    AlertTriggeredDocument,
    { org: session.organization.id },
    {
      next: ({ data, errors }) => (errors?.length ? showError(section, errors[0]?.message) : data && arrived(data.alertTriggered)),
      error: (err) => showError(section, liveFailure(err)),
      complete: () => undefined,
    },
  );
  void reload();
  return { section, show: () => undefined, reload };
}
