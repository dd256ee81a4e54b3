import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { WEBHOOK_EVENT_TYPES } from './company-event.js';
import { CompanyEventsRepository } from './company-events.repository.js';
import {
  ListDeliveriesQueryDto,
  PutWebhookDto,
  WebhookCreatedResponseDto,
  WebhookDeliveryDto,
  WebhookDeliveryListResponseDto,
  WebhookResponseDto,
} from './dto/webhook.dto.js';
import { refuseWebhookUrl } from './webhook-url.policy.js';

/** A company's webhook endpoint: set (with a new secret), read, removed, and its recent deliveries. */
@Injectable()
export class WebhookSettingsService {
  constructor(
    private readonly repository: CompanyEventsRepository,
    private readonly config: AppConfig,
  ) {}

  async put(companyId: string, body: PutWebhookDto): Promise<WebhookCreatedResponseDto> {
    const refusal = refuseWebhookUrl(body.url, { allowLoopback: this.config.events.webhooks.allowLoopback });
    if (refusal) throw new BadRequestException(refusal);
    // Standard Webhooks' secret form: whsec_ + base64 of the key bytes (24 bytes, as the reference's examples).
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const stored = await this.repository.putWebhook(companyId, body.url, body.events ?? [...WEBHOOK_EVENT_TYPES], secret);
    return { ...stored, secret };
  }

  async get(companyId: string): Promise<WebhookResponseDto> {
    const stored = await this.repository.getWebhook(companyId);
    if (!stored) throw new NotFoundException(`Company ${companyId} has no webhook`);
    return stored;
  }

  async remove(companyId: string): Promise<void> {
    const { deleted } = await this.repository.deleteWebhook(companyId);
    if (!deleted) throw new NotFoundException(`Company ${companyId} has no webhook`);
  }

  async deliveries(companyId: string, query: ListDeliveriesQueryDto): Promise<WebhookDeliveryListResponseDto> {
    return { items: await this.repository.listDeliveries<WebhookDeliveryDto>(companyId, query.limit ?? 50) };
  }
}
