/**
 * The `log` channel: one line per event on a writable stream (standard error by default),
 * e.g. `2025-01-06T09:00:00.000Z notify [FIRING] critical cpu-high {pod="a"} = 0.93 (plan shop): scale out`.
 */
import { oneLine } from '../actuators/actuator.ts';
import { summary, type AlertEvent, type Notifier, type Severity } from './notifier.ts';

/** Anything lines can be written to (`process.stderr`, a file stream, a test buffer). */
export interface LineSink {
  write(chunk: string): unknown;
}

/** Options of the log channel. */
export interface LogNotifierOptions {
  name?: string;
  severities?: readonly Severity[];
  /** Where lines go (default process.stderr). */
  stream?: LineSink;
}

/** The log channel. */
export class LogNotifier implements Notifier {
  readonly kind = 'log';
  readonly name: string;
  readonly severities?: readonly Severity[];
  private readonly stream: LineSink;

  constructor(options: LogNotifierOptions = {}) {
    this.name = options.name ?? 'log';
    if (options.severities) this.severities = options.severities;
    this.stream = options.stream ?? process.stderr;
  }

  async send(event: AlertEvent): Promise<void> {
    this.stream.write(
      `${new Date(event.at).toISOString()} notify ${oneLine(summary(event), 2000)}\n`,
    );
  }
}
