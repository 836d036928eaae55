import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port';

/** A message the local SMTP server accepted, as it came over the wire. */
export interface CapturedMail {
  to: string[];
  raw: string;
}

export interface MailCapture {
  url: string;
  mails: CapturedMail[];
  close(): Promise<void>;
}

/** An SMTP refusal: the reply code and its text. */
export interface Refusal {
  code: number;
  message: string;
}

/**
 * A local SMTP server that keeps what it accepts. `refuseRecipient` and `refuseData` may answer a
 * recipient or a whole message with an SMTP error (4xx: try later; 5xx: never), to test retries.
 */
export async function startMailCapture(
  options: { refuseRecipient?: (address: string) => Refusal | undefined; refuseData?: (to: string[]) => Refusal | undefined } = {},
): Promise<MailCapture> {
  const mails: CapturedMail[] = [];
  const refusal = ({ code, message }: Refusal) => Object.assign(new Error(message), { responseCode: code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refused = options.refuseRecipient?.(address.address);
      callback(refused ? refusal(refused) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const to = session.envelope.rcptTo.map((r) => r.address);
        const refused = options.refuseData?.(to);
        if (refused) return callback(refusal(refused));
        mails.push({ to, raw: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}

interface MimePart {
  headers: string;
  body: string;
}

const unfold = (headers: string) => headers.replace(/\r?\n[ \t]+/g, ' ');

/** A header of a message or part, unfolded; undefined when absent. */
export function mailHeader(raw: string, name: string): string | undefined {
  const headers = unfold(raw.split(/\r?\n\r?\n/, 1)[0] ?? '');
  const line = headers.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The parts of a multipart message (nodemailer's multipart/mixed), one level deep. */
function mimeParts(raw: string): MimePart[] {
  const boundary = /boundary="?([^";]+)"?/i.exec(mailHeader(raw, 'content-type') ?? '')?.[1];
  if (!boundary) throw new Error('not a multipart message');
  return raw
    .split(`--${boundary}`)
    .slice(1, -1)
    .map((part) => {
      const trimmed = part.replace(/^\r?\n/, '');
      const split = /\r?\n\r?\n/.exec(trimmed);
      if (!split) throw new Error('a MIME part without a body');
      return { headers: unfold(trimmed.slice(0, split.index)), body: trimmed.slice(split.index + split[0].length) };
    });
}

const partHeader = (part: MimePart, name: string) =>
  part.headers
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim() ?? '';

function decode(part: MimePart): Buffer {
  const encoding = partHeader(part, 'content-transfer-encoding').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') {
    const bytes = part.body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1');
  }
  return Buffer.from(part.body, 'utf8');
}

/** The plain-text body of a multipart message. */
export function mailText(raw: string): string {
  const part = mimeParts(raw).find((p) => partHeader(p, 'content-type').startsWith('text/plain'));
  if (!part) throw new Error('no text part');
  return decode(part).toString('utf8').replace(/\r\n/g, '\n').trimEnd();
}

/** The attachments of a multipart message: their file names and bytes. */
export function mailAttachments(raw: string): Array<{ contentType: string; filename: string; content: Buffer }> {
  return mimeParts(raw)
    .filter((p) => /attachment/i.test(partHeader(p, 'content-disposition')))
    .map((p) => ({
      contentType: partHeader(p, 'content-type').split(';')[0]!.trim(),
      filename: /filename="?([^";]+)"?/i.exec(partHeader(p, 'content-disposition'))?.[1] ?? '',
      content: decode(p),
    }));
}
