import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import type { SmsConfig } from '../../config';

const TWILIO_API = 'https://api.twilio.com';

/** Sends one text message; throws when the provider did not accept it. */
export interface SmsSender {
  send(to: string, body: string): Promise<void>;
}

/**
 * Twilio's SDK addresses api.twilio.com; its documented way to reach another
 * host is a custom HTTP client, which this is: the same requests, sent to the
 * stand-in's base URL instead.
 */
class RebasedRequestClient extends RequestClient {
  constructor(
    private readonly baseUrl: string,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    const uri = opts.uri.startsWith(TWILIO_API) ? this.baseUrl + opts.uri.slice(TWILIO_API.length) : opts.uri;
    return super.request({ ...opts, uri });
  }
}

/** A Messaging Service SID sends from its pool of numbers; anything else is the sending number. */
const MESSAGING_SERVICE = /^MG[0-9a-f]{32}$/i;

/**
 * SMS through Twilio's Messages resource with the official SDK: a form-encoded
 * POST to /2010-04-01/Accounts/{sid}/Messages.json, authenticated with HTTP
 * Basic auth (account SID and auth token).
 */
export class TwilioSmsSender implements SmsSender {
  private readonly client: twilio.Twilio;

  constructor(
    private readonly config: SmsConfig,
    timeoutMs = 10_000,
  ) {
    const httpClient = config.apiBaseUrl
      ? new RebasedRequestClient(config.apiBaseUrl, timeoutMs)
      : new RequestClient({ timeout: timeoutMs });
    // Retries are the outbox's (backoff, delivery log), not the SDK's.
    this.client = twilio(config.accountSid, config.authToken, { httpClient, autoRetry: false });
  }

  async send(to: string, body: string): Promise<void> {
    const sender = MESSAGING_SERVICE.test(this.config.from) ? { messagingServiceSid: this.config.from } : { from: this.config.from };
    await this.client.messages.create({ to, body, ...sender });
  }
}
