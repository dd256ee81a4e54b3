import { CanActivate, ExecutionContext, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import type { Request } from 'express';
import { TwilioParams, TwilioRequestValidator } from './twilio-request-validator.js';
import { TwilioWebhookMetrics } from './twilio-webhook-metrics.js';

/**
 * Guards run before pipes and handlers: a request without a valid Twilio signature is refused with 403
 * before anything reads or writes data.
 */
@Injectable()
export class TwilioSignatureGuard implements CanActivate {
  private readonly logger = new Logger('TwilioSignature');

  constructor(
    private readonly validator: TwilioRequestValidator,
    private readonly metrics: TwilioWebhookMetrics,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request & { rawBody?: Buffer }>();
    const signature = request.header('x-twilio-signature');
    const url = this.validator.publicUrl(request.originalUrl);
    const isJson = (request.header('content-type') ?? '').includes('application/json');
    const valid = isJson
      ? this.validator.isValidJson(url, signature, request.rawBody?.toString('utf8') ?? '')
      : this.validator.isValidForm(url, signature, formParams(request.body));
    if (!valid) {
      this.metrics.signatureFailure(request.route?.path ?? request.path);
      this.logger.warn(
        { event: 'twilio_signature_rejected', path: request.path, has_signature: Boolean(signature) },
        'Rejected a request without a valid Twilio signature',
      );
      throw new ForbiddenException('Invalid or missing X-Twilio-Signature');
    }
    return true;
  }
}

function formParams(body: unknown): TwilioParams {
  if (!body || typeof body !== 'object') return {};
  const out: TwilioParams = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (typeof value === 'string') out[key] = value;
    else if (Array.isArray(value)) out[key] = value.map(String);
  }
  return out;
}
