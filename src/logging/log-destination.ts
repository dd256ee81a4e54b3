/**
 * Where log lines are written. The default (null) is standard output, or pino-pretty with LOG_FORMAT=pretty;
 * tests override this provider to read the lines the app writes.
 */
export abstract class LogDestination {
  abstract write(line: string): void;
}

/** Keeps every line in memory, parsed: for tests that check what the logs say (and do not say). */
export class MemoryLogDestination extends LogDestination {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  /** Everything written so far, as one text (to search for what must never appear). */
  text(): string {
    return this.lines.join('');
  }

  records(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}
