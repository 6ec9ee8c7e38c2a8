import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Keys that could carry a parent's address or a secret; pino replaces them wherever they
 * appear, as a second line of defence behind never logging them in the first place.
 */
const REDACT = [
  'address',
  'email',
  'to',
  'from',
  'envelope',
  'password',
  'token',
  'authorization',
  'cookie',
  '*.address',
  '*.email',
  '*.to',
  '*.envelope',
  '*.password',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
];

export type { DestinationStream, Logger };

/** One logger per process, named after it; tests pass a destination to read what was logged. */
export function createLogger(name: string, level: string, destination?: DestinationStream): Logger {
  return pino({ name, level, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}
