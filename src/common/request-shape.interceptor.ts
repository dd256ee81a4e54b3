import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Type, UnsupportedMediaTypeException } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { TwilioSignatureGuard } from '../twilio/twilio-signature.guard.js';
import { FieldError, InputValidationException } from './validation.js';

/** What @ApiConsumes() stores (@nestjs/swagger's DECORATORS.API_CONSUMES): the route's declared body types. */
const API_CONSUMES = 'swagger/apiConsumes';
const JSON_ONLY = ['application/json'];
/** Keys that name the prototype machinery, not data: class-transformer skips them, so the unknown-field check never sees them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** A UTF-16 surrogate without its pair: JSON allows the escape, PostgreSQL's json and text types refuse it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_DEPTH = 32;

/**
 * The shape of a request before its DTO is validated (interceptors run after the guards, before the pipes):
 * - a body only in a type the route declares (`@ApiConsumes`, JSON by default): 415 otherwise, so a form or
 *   text body never reaches a JSON route as an empty object;
 * - no NUL characters nor unpaired surrogates in any string of the body, query or path (PostgreSQL text cannot
 *   hold them): 400 naming the field. Twilio-facing routes get theirs stripped instead, after the signature was checked over the original,
 *   because a caller's message must still be answered;
 * - no prototype keys (`__proto__`, `constructor`, `prototype`), refused like any unknown field;
 * - no nil UUID anywhere: it names nothing;
 * - a PATCH changes at least one field.
 */
@Injectable()
export class RequestShapeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request>();
    const targets = [context.getHandler(), context.getClass()];
    const guards = this.reflector.getAllAndMerge<Type[]>(GUARDS_METADATA, targets) ?? [];
    if (guards.includes(TwilioSignatureGuard)) {
      request.body = withoutNul(request.body);
      return next.handle();
    }
    const consumes = this.reflector.getAllAndOverride<string[] | undefined>(API_CONSUMES, targets) ?? JSON_ONLY;
    if (hasBody(request) && !request.is(consumes)) {
      throw new UnsupportedMediaTypeException(`Send the body as ${consumes.join(' or ')} (Content-Type: ${consumes[0]})`);
    }
    const problems: FieldError[] = [];
    for (const [source, value] of [
      ['params', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      inspect(value, '', source === 'body', problems, 0);
    }
    if (problems.length > 0) throw new InputValidationException(problems);
    if (request.method === 'PATCH' && consumes.includes('application/json') && isEmptyObject(request.body)) {
      throw new InputValidationException([{ field: '', message: 'Send at least one field to change' }]);
    }
    return next.handle();
  }
}

function hasBody(request: Request): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(request.headers['content-length'] ?? 0);
  return Number.isFinite(length) && length > 0;
}

function isEmptyObject(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
}

function inspect(value: unknown, path: string, isBody: boolean, problems: FieldError[], depth: number): void {
  if (typeof value === 'string') {
    const field = path || 'value';
    if (value.includes('\u0000')) problems.push({ field, message: `${field} must not contain NUL characters (\\u0000)` });
    else if (LONE_SURROGATE.test(value)) problems.push({ field, message: `${field} must be valid Unicode text (it holds half of a surrogate pair)` });
    else if (value.toLowerCase() === NIL_UUID) problems.push({ field, message: `${field} must not be the nil UUID` });
    return;
  }
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return;
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (isBody && PROTOTYPE_KEYS.has(key)) {
      problems.push({ field, message: `property ${key} should not exist` });
      continue;
    }
    inspect((value as Record<string, unknown>)[key], field, isBody, problems, depth + 1);
  }
}

function withoutNul(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (value === null || typeof value !== 'object' || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => withoutNul(item, depth + 1));
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) (value as Record<string, unknown>)[key] = withoutNul(item, depth + 1);
  return value;
}
