// The one logger of the tests that read what was logged (silentLogger.ts is the one that drops it).
import type { Logger } from '../../src/shared/logger';

/** One logged line: its level and its text. */
export interface LogLine {
  level: keyof Logger;
  message: string;
}

/** A Logger that keeps every line, in order, and hands each on to the `also` loggers (e.g. one log of a whole file). */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];

  constructor(private readonly also: readonly RecordingLogger[] = []) {}

  readonly trace = (message: string): void => this.record('trace', message);
  readonly debug = (message: string): void => this.record('debug', message);
  readonly info = (message: string): void => this.record('info', message);
  readonly warn = (message: string): void => this.record('warn', message);
  readonly error = (message: string): void => this.record('error', message);

  /** The text of every line, in order. */
  messages(): string[] {
    return this.lines.map((line) => line.message);
  }

  /** Forgets the lines kept so far (between tests). */
  clear(): void {
    this.lines.length = 0;
  }

  private record(level: keyof Logger, message: string): void {
    this.lines.push({ level, message });
    this.also.forEach((logger) => logger.record(level, message));
  }
}
