import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Keys whose values are personal data or message content. Logs keep the shape of an event
 * (which ticket, which step, how long) and never a phone number, an address or what someone wrote.
 */
const SENSITIVE_KEYS = [
  'phone',
  'email',
  'from',
  'to',
  'cc',
  'body',
  'text',
  'html',
  'description',
  'subject',
  'resolution',
  'transcript',
  'token',
  'password',
  'authorization',
  'Body',
  'From',
  'To',
  'Caller',
  'Called',
  'SpeechResult',
];

const REDACT_PATHS = SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface LogOptions {
  level?: string;
  /** Where lines go; tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LogOptions = {}): Logger {
  const config: LoggerOptions = {
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'helpdesk' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Free text can carry personal data even under an innocent key; scrub it in messages too.
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg) => (typeof arg === 'string' ? scrub(arg) : arg)) as typeof args;
        method.apply(this, scrubbed);
      },
    },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;
const PHONE = /\+?\d[\d\s().-]{7,}\d/g;

/** Masks addresses and phone numbers in free text. */
export function scrub(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

/** A logger that writes nothing, for tests and tools that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
