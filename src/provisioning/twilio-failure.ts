import { BadGatewayException, BadRequestException, HttpException } from '@nestjs/common';

/**
 * A Twilio request that did not succeed. `transient` (no answer, a timeout or a 5xx) may succeed when retried;
 * any other answer is Twilio refusing the request and is final.
 */
export class TwilioFailure extends Error {
  readonly transient: boolean;

  constructor(
    readonly action: string,
    readonly status: number | undefined,
    readonly code: number | undefined,
    /** Twilio's own explanation when it answered; without an answer, the network error, for logs only. */
    readonly detail: string | undefined,
  ) {
    // Twilio's reasons ("Invalid address") help the person fix the request; a socket error (ECONNREFUSED host:port) does not.
    const reason = status
      ? `HTTP ${status}${code ? ` (error ${code})` : ''}${detail ? `: ${detail}` : ''}`
      : 'no answer (Twilio could not be reached or did not answer in time)';
    super(`Twilio could not ${action}: ${reason}`);
    this.name = 'TwilioFailure';
    this.transient = status === undefined || status >= 500 || status === 429;
  }

  static from(action: string, error: unknown): TwilioFailure {
    if (error instanceof TwilioFailure) return error;
    const e = error as { status?: unknown; code?: unknown; message?: unknown };
    const status = typeof e?.status === 'number' ? e.status : undefined;
    const code = typeof e?.code === 'number' ? e.code : undefined;
    return new TwilioFailure(action, status, code, typeof e?.message === 'string' && e.message ? e.message : undefined);
  }

  /** For a user's request: Twilio refusing is a 400 with its reason; Twilio unreachable is a 502. */
  toHttp(nothingSaved = true): HttpException {
    const suffix = nothingSaved ? ' Nothing was saved; try again.' : '';
    const message = `${this.message}.${suffix}`;
    return this.transient ? new BadGatewayException(message, { cause: this }) : new BadRequestException(message, { cause: this });
  }
}
