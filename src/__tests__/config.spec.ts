import { loadConfig } from '../config';

describe('loadConfig: SMS settings', () => {
  const complete = { SMS_ACCOUNT_SID: `AC${'1'.repeat(32)}`, SMS_AUTH_TOKEN: 'token', SMS_FROM: '+15005550006' };

  it('leaves SMS off when none is set, and reads all three with an optional base URL', () => {
    expect(loadConfig({}).sms).toBeUndefined();
    expect(loadConfig({ ...complete, SMS_API_BASE_URL: 'http://127.0.0.1:9000/' }).sms).toEqual({
      accountSid: complete.SMS_ACCOUNT_SID,
      authToken: 'token',
      from: '+15005550006',
      apiBaseUrl: 'http://127.0.0.1:9000',
    });
  });

  it('refuses to start with half a configuration or an account SID Twilio would refuse', () => {
    expect(() => loadConfig({ SMS_ACCOUNT_SID: complete.SMS_ACCOUNT_SID })).toThrow('SMS alerts need all of');
    expect(() => loadConfig({ ...complete, SMS_FROM: '' })).toThrow('SMS alerts need all of');
    expect(() => loadConfig({ ...complete, SMS_ACCOUNT_SID: 'SK123' })).toThrow('SMS_ACCOUNT_SID must be a Twilio account SID');
  });
});
