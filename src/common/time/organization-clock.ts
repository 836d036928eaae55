/** What an organisation's clock is read from: its entity, or a row that selects `test_clock_at AS "testClockAt"`. */
export interface OrganizationClock {
  testClockAt: Date | null;
}

/**
 * The organisation's "now": a simulated organisation's test clock, else real
 * time. SQL has the same rule as organization_now(o).
 */
export const organizationNow = (organization: OrganizationClock): Date => organization.testClockAt ?? new Date();
