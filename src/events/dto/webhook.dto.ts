import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../company-event.js';

export class PutWebhookDto {
  @ApiProperty({
    description: 'Where events are POSTed: https (http only to a loopback address outside production); never a private address',
    example: 'https://hooks.example.com/phone-agent',
    maxLength: 2048,
  })
  @IsString({ message: 'url must be a string' })
  @MaxLength(2048, { message: 'url must be at most 2048 characters' })
  url: string;

  @ApiPropertyOptional({
    description: 'Event types to receive; all of them when left out',
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['call.completed', 'message.taken'],
  })
  @IsOptional()
  @IsArray({ message: 'events must be an array of event types' })
  @ArrayMinSize(1, { message: 'events must name at least one event type; leave it out for all of them' })
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique({ message: 'events must not repeat a type' })
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true, message: `events must be among ${WEBHOOK_EVENT_TYPES.join(', ')}` })
  events?: WebhookEventType[];
}

export class WebhookResponseDto {
  @ApiProperty({ description: 'Where events are POSTed', example: 'https://hooks.example.com/phone-agent' })
  url: string;

  @ApiProperty({
    description: 'The event types sent to the endpoint',
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    example: ['call.completed', 'message.taken', 'bundle.updated'],
  })
  events: WebhookEventType[];

  @ApiProperty({ description: 'The end of the signing secret, to tell which one a receiver holds', example: 'whsec_…k3Qw' })
  secret_hint: string;

  @ApiProperty({ description: 'When the endpoint was first set', format: 'date-time' })
  created_at: string;

  @ApiProperty({ description: 'When the endpoint (and its secret) last changed', format: 'date-time' })
  updated_at: string;
}

export class WebhookCreatedResponseDto extends WebhookResponseDto {
  @ApiProperty({
    description: 'The signing secret (Standard Webhooks, base64 after `whsec_`): shown only in this answer',
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  })
  secret: string;
}

export class DeliveryAttemptDto {
  @ApiProperty({ description: 'The attempt number, from 1', example: 1 })
  attempt: number;

  @ApiProperty({ nullable: true, type: Number, description: "The receiver's HTTP status; null when it did not answer", example: 503 })
  status_code: number | null;

  @ApiProperty({ description: 'Why the attempt failed; null when it succeeded', nullable: true, type: String, example: 'the receiver answered 503' })
  error: string | null;

  @ApiProperty({ description: 'How long the receiver took', nullable: true, type: Number, example: 42 })
  duration_ms: number | null;

  @ApiProperty({ description: 'When the attempt was made', format: 'date-time' })
  attempted_at: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ description: 'Delivery id', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'The event id: the same `webhook-id` on every attempt', example: 'evt_3f6c2b1e9a8d4c7b8e5f1a2b3c4d5e6f' })
  event_id: string;

  @ApiProperty({ description: 'The event type', enum: WEBHOOK_EVENT_TYPES, example: 'call.completed' })
  event_type: string;

  @ApiProperty({
    description: 'pending: waiting for its next attempt; delivered: a 2xx came back; failed: every attempt failed; canceled: the webhook was removed',
    enum: ['pending', 'delivered', 'failed', 'canceled'],
    example: 'delivered',
  })
  state: string;

  @ApiProperty({ description: 'Attempts made so far', example: 3 })
  attempts: number;

  @ApiProperty({ nullable: true, type: String, format: 'date-time', description: 'When the next attempt is due (pending only)' })
  next_attempt_at: string | null;

  @ApiProperty({ description: "The last attempt's HTTP status; null when the receiver did not answer", nullable: true, type: Number, example: 200 })
  last_status_code: number | null;

  @ApiProperty({ description: 'Why the last attempt failed', nullable: true, type: String })
  last_error: string | null;

  @ApiProperty({ description: 'When a 2xx came back', nullable: true, type: String, format: 'date-time' })
  delivered_at: string | null;

  @ApiProperty({ description: 'When the event was written', format: 'date-time' })
  created_at: string;

  @ApiProperty({ description: 'Every attempt, oldest first', type: [DeliveryAttemptDto] })
  attempt_log: DeliveryAttemptDto[];
}

export class WebhookDeliveryListResponseDto {
  @ApiProperty({ description: 'Newest first', type: [WebhookDeliveryDto] })
  items: WebhookDeliveryDto[];
}

export class ListDeliveriesQueryDto {
  @ApiPropertyOptional({ description: 'How many recent deliveries, 1 to 200', minimum: 1, maximum: 200, default: 50, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(200, { message: 'limit must be at most 200' })
  limit?: number;
}
