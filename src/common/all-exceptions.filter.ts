import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { DatabaseError, PUBLIC_DATABASE_MESSAGES } from '../database/database-error.js';
import { InputValidationException } from './validation.js';

const DATABASE_STATUS: Record<DatabaseError['kind'], number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  forbidden: HttpStatus.FORBIDDEN,
  unavailable: HttpStatus.SERVICE_UNAVAILABLE,
  internal: HttpStatus.INTERNAL_SERVER_ERROR,
};

/**
 * The one catch-all: known errors keep their status and message; anything else becomes a generic 500
 * with a correlation id, its stack logged once and never sent.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request & { id?: string | number }>();
    if (response.headersSent) return;

    let status = HttpStatus.INTERNAL_SERVER_ERROR;
    let message = 'An unexpected error occurred';
    let extra: Record<string, unknown> = {};

    const parserError = bodyParserErrorOf(exception);
    if (parserError) {
      status = parserError.status;
      message = parserError.type === 'entity.too.large' ? 'The request body is too large' : 'The request body is not valid JSON or form data';
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = messageOf(exception);
      if (exception instanceof InputValidationException) extra = { errors: exception.fieldErrors };
    } else if (exception instanceof DatabaseError && exception.kind !== 'internal') {
      status = DATABASE_STATUS[exception.kind];
      message = exception.forPeople && exception.kind !== 'unavailable' ? exception.message : PUBLIC_DATABASE_MESSAGES[exception.kind];
      if (!exception.forPeople && status < 500) {
        const correlationId = String(request.id ?? '');
        extra = { correlation_id: correlationId || undefined };
        message = `${message} (reference ${correlationId || 'unknown'})`;
        this.logger.warn(
          { event: 'request_refused_by_database', err: exception, code: exception.code, correlation_id: correlationId, route: request.route?.path },
          'The database refused the request',
        );
      }
    }

    if (status >= 500) {
      const correlationId = String(request.id ?? '');
      extra = { ...extra, correlation_id: correlationId || undefined };
      if (status === 500) message = `${message}. Quote reference ${correlationId || 'unknown'} to support`;
      this.logger.error({ event: 'request_failed', err: exception, correlation_id: correlationId, route: request.route?.path }, 'Request failed');
    }
    response.status(status).json({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...extra });
  }
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string') return message;
  return exception.message;
}

/** Express's body parser errors, as thrown or as wrapped by Nest. */
function bodyParserErrorOf(exception: unknown): { status: number; type: string } | undefined {
  if (isBodyParserError(exception)) return exception;
  const cause = (exception as { cause?: unknown } | undefined)?.cause;
  return isBodyParserError(cause) ? cause : undefined;
}

function isBodyParserError(e: unknown): e is { status: number; type: string } {
  const candidate = e as { status?: unknown; type?: unknown };
  return typeof candidate?.status === 'number' && typeof candidate?.type === 'string' && candidate.status >= 400 && candidate.status < 500;
}
