// Structured JSON logs (pino). Nothing logged carries key material: certificates reach logs only as names.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env['PORTICO_LOG_LEVEL'] ?? 'info',
      base: { component: 'portico' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // A second wall: should an object with PEM text ever be logged, these fields are blanked.
      redact: { paths: ['*.keyPem', '*.certificatePem', '*.data', '*.material'], censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}
