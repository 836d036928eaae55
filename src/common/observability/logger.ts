import pino, { type Logger } from 'pino';

/** JSON logs on stdout; secrets never reach them. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'meterly' },
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.key'], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
