import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../../common/auth/principal';
import { Role } from '../../../common/auth/role';
import { AuditService } from '../audit.service';

const admin: Principal = { apiKeyId: 'key-1', role: Role.PLATFORM_ADMIN, organizationId: null };

/** The service over a stub database; `query` answers the INSERT. */
function auditWith(query: jest.Mock) {
  const logger = { error: jest.fn() };
  const failures = new Counter({ name: 'audit_failures', help: 'test', labelNames: ['operation'] as const, registers: [] });
  const audit = new AuditService({ query } as unknown as DataSource, logger as unknown as Logger, failures);
  return { audit, logger, failures };
}

describe('AuditService.record', () => {
  it('redacts credentials by name and keeps fields that only look like one', async () => {
    const query = jest.fn().mockResolvedValue([]);
    await auditWith(query).audit.record(
      admin,
      'createMetric',
      {
        input: {
          code: 'sessions',
          sessionKey: 'conversation',
          uniqueBy: 'user',
          key: 'team-a',
          dimensions: { token_type: 'output' },
          password: 'hunter2',
          apiKey: 'mtr_123',
          hooks: [{ signing_secret: 'whsec_1', token: 'tok_1' }],
        },
      },
      { id: 'm1' },
    );
    const [, params] = query.mock.calls[0] as [string, unknown[]];
    expect(JSON.parse(params[4] as string)).toEqual({
      input: {
        code: 'sessions',
        sessionKey: 'conversation',
        uniqueBy: 'user',
        key: 'team-a',
        dimensions: { token_type: 'output' },
        password: '[redacted]',
        apiKey: '[redacted]',
        hooks: [{ signing_secret: '[redacted]', token: '[redacted]' }],
      },
    });
  });

  it('files the entry under the organisation the mutation reported', async () => {
    const query = jest.fn().mockResolvedValue([]);
    await auditWith(query).audit.record(admin, 'deleteAlertRule', { id: '7' }, true, 'org-1');
    const [, params] = query.mock.calls[0] as [string, unknown[]];
    expect(params.slice(2, 4)).toEqual(['org-1', 'deleteAlertRule']);
  });

  it('logs and counts an entry it could not write instead of failing the committed mutation', async () => {
    const { audit, logger, failures } = auditWith(jest.fn().mockRejectedValue(new Error('connection lost')));
    await expect(audit.record(admin, 'grantCredits', { input: { organizationId: 'org-1', amount: '10' } }, null)).resolves.toBeUndefined();
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({
        err: expect.objectContaining({ message: 'connection lost' }),
        operation: 'grantCredits',
        organizationId: 'org-1',
      }),
      'audit entry not written',
    );
    expect((await failures.get()).values).toEqual([{ labels: { operation: 'grantCredits' }, value: 1 }]);
  });
});
