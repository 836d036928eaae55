import './styles.css';
import { ApiError, openLiveClient, request, type Organization, type Role } from './api';
import { byId } from './dom';
import { OrganizationDocument, ViewerDocument } from './generated/graphql';
import {
  forgetAll,
  forgetOrganization,
  mayManagePayment,
  mayViewInvoices,
  storedKey,
  storedOrganization,
  storeKey,
  storeOrganization,
  type Session,
  type View,
} from './session';
import { createAlertsView } from './views/alerts';
import { createCostsView } from './views/costs';
import { createForecastView } from './views/forecast';
import { createInvoicesView } from './views/invoices';
import { createPaymentMethodsView } from './views/payment-methods';
import { createPlansView } from './views/plans';
import { createSpendControlsView } from './views/spend-controls';
import { createUsageView } from './views/usage';

const ROLE_LABEL: Record<Role, string> = {
  PLATFORM_ADMIN: 'Platform admin',
  TENANT_ADMIN: 'Tenant admin',
  BILLING_CONTACT: 'Billing contact',
  MEMBER: 'Member',
};

const signIn = byId('sign-in');
const pickOrg = byId('pick-org');

function showOnly(section: HTMLElement): void {
  for (const s of document.querySelectorAll<HTMLElement>('main > section')) s.hidden = s !== section;
}

function fail(form: HTMLFormElement, input: HTMLInputElement, errorId: string, message: string): void {
  byId(errorId).textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.focus();
  form.querySelector('button')!.disabled = false;
}

/**
 * Opens the pages for one organisation: the live socket first, then every view on it. Right after a
 * sign-in the form that had focus is gone, so focus goes to the page's heading; on a plain page load it
 * stays at the top of the document, where the skip link is.
 */
function startDashboard(key: string, role: Role, organization: Organization, signedIn: boolean): void {
  const live = openLiveClient(key, {
    onConnected: (reconnect) => {
      setStatus('live', 'Live');
      if (reconnect) void alerts.reload();
    },
    onClosed: (final) => setStatus(final ? 'failed' : 'connecting', final ? 'Live updates refused: sign in again' : 'Reconnecting…'),
  });
  const session: Session = { key, role, organization, live };
  byId('org-name').textContent = organization.name;
  byId('role').textContent = ROLE_LABEL[role];
  byId('account').hidden = false;
  byId('switch-org').hidden = role !== 'PLATFORM_ADMIN';
  byId('nav').hidden = false;
  document.title = `${organization.name} · Meterly dashboard`;

  const alerts = createAlertsView(session);
  const views: Record<string, View> = {
    usage: createUsageView(session),
    alerts,
    costs: createCostsView(session),
    forecast: createForecastView(session),
    spend: createSpendControlsView(session),
    plans: createPlansView(session),
  };
  if (mayViewInvoices(role)) views.invoices = createInvoicesView(session);
  else document.querySelector('a[href="#/invoices"]')!.parentElement!.hidden = true;
  if (mayManagePayment(role)) views.payments = createPaymentMethodsView(session);
  else document.querySelector('a[href="#/payments"]')!.parentElement!.hidden = true;

  let first = true;
  let moveFocus = signedIn;
  const route = () => {
    const name = /^#\/(\w+)$/.exec(location.hash)?.[1] ?? '';
    const view = views[name];
    if (!view) {
      // The skip link (#main) and unknown hashes keep the page shown; an empty hash opens the usage page.
      if (first || !location.hash) location.replace('#/usage');
      return;
    }
    showOnly(view.section);
    for (const link of document.querySelectorAll('#nav a')) {
      if (link.getAttribute('href') === `#/${name}`) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    view.show();
    // After a page change, focus goes to its heading so keyboard and screen-reader users start there.
    if (moveFocus) view.section.querySelector<HTMLElement>('h1')?.focus();
    first = false;
    moveFocus = true;
  };
  window.addEventListener('hashchange', route);
  route();
}

function setStatus(state: string, text: string): void {
  const status = byId('live-status');
  status.dataset.state = state;
  status.textContent = text;
}

/** Checks a key with `viewer`; tenant keys go straight to their organisation, a platform admin picks one. */
async function enter(key: string, signedIn: boolean): Promise<void> {
  const { viewer } = await request(key, ViewerDocument, {});
  storeKey(key);
  if (viewer.organization) return startDashboard(key, viewer.role, viewer.organization, signedIn);
  const chosen = storedOrganization();
  const organization = chosen ? await findOrganization(key, chosen) : null;
  if (organization) return startDashboard(key, viewer.role, organization, signedIn);
  showOnly(pickOrg);
  byId('org-id').focus();
  const form = byId<HTMLFormElement>('pick-org-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('org-id');
    const id = input.value.trim();
    if (!id) return fail(form, input, 'pick-org-error', 'Enter an organisation id.');
    form.querySelector('button')!.disabled = true;
    findOrganization(key, id).then(
      (found) => {
        if (!found) return fail(form, input, 'pick-org-error', `No organisation has the id ${id}.`);
        storeOrganization(found.id);
        startDashboard(key, viewer.role, found, true);
      },
      (err: unknown) => fail(form, input, 'pick-org-error', err instanceof Error ? err.message : String(err)),
    );
  });
}

async function findOrganization(key: string, id: string): Promise<Organization | null> {
  try {
    return (await request(key, OrganizationDocument, { org: id })).organization;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'BAD_USER_INPUT') return null; // not an id at all
    throw err;
  }
}

byId('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.currentTarget as HTMLFormElement;
  const input = byId<HTMLInputElement>('api-key');
  const key = input.value.trim();
  if (!key) return fail(form, input, 'sign-in-error', 'Enter an API key.');
  form.querySelector('button')!.disabled = true;
  enter(key, true).then(
    () => (input.value = ''),
    (err: unknown) =>
      fail(
        form,
        input,
        'sign-in-error',
        err instanceof ApiError && err.code === 'UNAUTHENTICATED' ? 'That API key was not accepted.' : String((err as Error).message),
      ),
  );
});

// Leaving starts from a clean page: no socket, chart or cached number of the last organisation survives.
byId('sign-out').addEventListener('click', () => {
  forgetAll();
  location.replace(location.pathname);
});
byId('switch-org').addEventListener('click', () => {
  forgetOrganization();
  location.replace(location.pathname);
});

const key = storedKey();
if (key) {
  enter(key, false).catch((err: unknown) => {
    if (err instanceof ApiError && err.code === 'UNAUTHENTICATED') forgetAll(); // revoked since; a network error keeps it
    showOnly(signIn);
    byId('sign-in-error').textContent = err instanceof Error ? err.message : String(err);
  });
} else showOnly(signIn);
