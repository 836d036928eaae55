import { request } from '../api';
import { announce, byId, showError } from '../dom';
import { money } from '../format';
import {
  SetSpendControlsDocument,
  SpendControlsDocument,
  type SpendControlsEntryFragment as Controls,
  type SpendControlsInput,
} from '../generated/graphql';
import { mayManageSpendControls, type Session, type View } from '../session';

type AmountField = 'monthlyBudget' | 'perEventLimit' | 'perHourLimit' | 'perDayLimit';
const AMOUNTS: Record<AmountField, string> = {
  monthlyBudget: 'spend-budget',
  perEventLimit: 'spend-per-event',
  perHourLimit: 'spend-per-hour',
  perDayLimit: 'spend-per-day',
};

const thresholdsText = (thresholds: readonly number[]) => thresholds.join(', ');

/**
 * The organisation's spend controls: the period's spend against its budget, and a form for the budget,
 * auto-pause, alert thresholds and limits. Only the fields changed are sent, so a budget left as the
 * plan's stays the plan's; an emptied field goes back to its default. Read-only for roles that may not set them.
 */
export function createSpendControlsView(session: Session): View {
  const section = byId('view-spend');
  const form = byId<HTMLFormElement>('spend-form');
  const fields = byId<HTMLFieldSetElement>('spend-fields');
  const autoPause = byId<HTMLInputElement>('spend-auto-pause');
  const thresholds = byId<HTMLInputElement>('spend-thresholds');
  const save = byId<HTMLButtonElement>('spend-save');
  const editable = mayManageSpendControls(session.role);
  fields.disabled = !editable;
  save.hidden = !editable;
  byId('spend-read-only').hidden = editable;
  let shown: Controls | null = null;

  const fill = (controls: Controls) => {
    shown = controls;
    const { spentThisPeriod: spent, monthlyBudget: budget, remainingBudget: remaining } = controls;
    byId('spend-summary').textContent = budget
      ? `Spent ${money(spent)} of ${money(budget)} this period; ${money(remaining ?? spent)} left.${controls.autoPause ? ' Usage pauses at the budget.' : ''}`
      : `Spent ${money(spent)} this period; no budget is set.`;
    for (const [field, id] of Object.entries(AMOUNTS) as Array<[AmountField, string]>) {
      byId<HTMLInputElement>(id).value = controls[field]?.amount ?? '';
    }
    autoPause.checked = controls.autoPause;
    thresholds.value = thresholdsText(controls.alertThresholds);
  };

  /** What the form changed, as the mutation's input; null when a threshold is no whole number. */
  const changes = (before: Controls): SpendControlsInput | null => {
    const input: SpendControlsInput = { organizationId: session.organization.id };
    for (const [field, id] of Object.entries(AMOUNTS) as Array<[AmountField, string]>) {
      const value = byId<HTMLInputElement>(id).value.trim();
      if (value !== (before[field]?.amount ?? '')) input[field] = value === '' ? null : value;
    }
    if (autoPause.checked !== before.autoPause) input.autoPause = autoPause.checked;
    if (thresholds.value.trim() !== thresholdsText(before.alertThresholds)) {
      const parts = thresholds.value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      if (parts.some((p) => !/^\d+$/.test(p))) return null;
      input.alertThresholds = parts.map(Number);
    }
    return input;
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!shown) return;
    const input = changes(shown);
    thresholds.removeAttribute('aria-invalid');
    if (!input) {
      thresholds.setAttribute('aria-invalid', 'true');
      showError(section, 'Alert thresholds are whole percentages separated by commas, e.g. 50, 80, 95.');
      thresholds.focus();
      return;
    }
    save.disabled = true;
    void request(session.key, SetSpendControlsDocument, { input })
      .then(({ setSpendControls }) => {
        fill(setSpendControls);
        showError(section, null);
        announce('Spend controls saved.');
      })
      .catch((err: unknown) => showError(section, err))
      .finally(() => (save.disabled = false));
  });

  const load = async () => {
    try {
      fill((await request(session.key, SpendControlsDocument, { org: session.organization.id })).spendControls);
      showError(section, null);
    } catch (err) {
      showError(section, err);
    }
  };
  return { section, show: () => void load() };
}
