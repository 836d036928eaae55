import { request } from '../api';
import { announce, byId, h, showError } from '../dom';
import { PaymentMethodListDocument, RemovePaymentMethodDocument, type PaymentMethodListQuery } from '../generated/graphql';
import type { Session, View } from '../session';

type Method = PaymentMethodListQuery['paymentMethods'][number];

const BRAND: Record<string, string> = { amex: 'American Express', mastercard: 'Mastercard', visa: 'Visa', discover: 'Discover' };

/** "Visa ending 4242" or "STRIPE TEST BANK account ending 6789": what a person recognises a method by. */
export function describeMethod(m: Method): string {
  const ending = m.last4 ? ` ending ${m.last4}` : '';
  if (m.type === 'CARD') return `${m.brand ? (BRAND[m.brand] ?? m.brand) : 'Card'}${ending}`;
  return `${m.bankName ?? 'Bank'} account${ending}`;
}

const expiry = (m: Method): string => (m.expMonth && m.expYear ? `${String(m.expMonth).padStart(2, '0')}/${m.expYear}` : '—');

/**
 * The organisation's cards and US bank accounts, read from Stripe through the API (no details are kept by
 * Meterly), for platform admins, tenant admins and billing contacts; each may be detached.
 */
export function createPaymentMethodsView(session: Session): View {
  const section = byId('view-payments');
  const body = byId('payment-method-rows');

  const detach = async (method: Method, button: HTMLButtonElement) => {
    const name = describeMethod(method);
    if (!window.confirm(`Remove ${name}? Stripe forgets it for good; invoices are not charged to it again.`)) return;
    button.disabled = true;
    try {
      await request(session.key, RemovePaymentMethodDocument, { org: session.organization.id, id: method.id });
      announce(`${name} removed.`);
      await load();
    } catch (err) {
      button.disabled = false;
      showError(section, err);
    }
  };

  const row = (method: Method) => {
    const button = h('button', { type: 'button', 'aria-label': `Remove ${describeMethod(method)}` }, 'Remove');
    button.addEventListener('click', () => void detach(method, button));
    return h(
      'tr',
      { 'data-payment-method': method.id },
      h('th', { scope: 'row' }, describeMethod(method)),
      h('td', {}, method.type === 'CARD' ? 'Card' : 'US bank account (ACH)'),
      h('td', {}, expiry(method)),
      h('td', {}, method.isDefault ? 'Yes' : 'No'),
      h('td', {}, button),
    );
  };

  const load = async () => {
    try {
      const { paymentMethods } = await request(session.key, PaymentMethodListDocument, { org: session.organization.id });
      byId('payments-summary').textContent =
        paymentMethods.length === 0
          ? 'No payment method: invoices wait to be paid by hand or by bank transfer.'
          : `${paymentMethods.length} payment method${paymentMethods.length === 1 ? '' : 's'}; invoices are charged to the default.`;
      body.replaceChildren(...paymentMethods.map(row));
      body.closest('table')!.hidden = paymentMethods.length === 0;
      showError(section, null);
    } catch (err) {
      showError(section, err);
    }
  };

  section.querySelector('[data-refresh]')?.addEventListener('click', () => void load());
  return { section, show: () => void load() };
}
