import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiConsumes, ApiForbiddenResponse, ApiHeader, ApiSecurity, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { TwilioSignatureGuard } from './twilio-signature.guard.js';

/** A route Twilio calls: no access token, a valid X-Twilio-Signature instead (403 otherwise, before anything runs). */
export const TwilioWebhook = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    Public(),
    UseGuards(TwilioSignatureGuard),
    ApiTags('twilio'),
    ApiConsumes('application/x-www-form-urlencoded'),
    ApiHeader({ name: 'X-Twilio-Signature', required: true, description: 'HMAC-SHA1 of PUBLIC_BASE_URL + path + sorted parameters with the auth token' }),
    ApiForbiddenResponse({ description: 'Missing or invalid Twilio signature', type: ApiErrorDto }),
    // The security scheme is declared in app.setup.ts (createOpenApiDocument); the limit in src/limits.
    ApiSecurity('twilio_signature'),
    ApiTooManyRequestsResponse({ description: 'Too many requests from this source address (RATE_LIMIT_TWILIO); see Retry-After', type: ApiErrorDto }),
  );
