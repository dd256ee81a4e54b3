import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyIdParamDto } from '../telephony/dto/calls-query.dto.js';
import { ListDeliveriesQueryDto, PutWebhookDto, WebhookCreatedResponseDto, WebhookDeliveryListResponseDto, WebhookResponseDto } from './dto/webhook.dto.js';
import { WebhookSettingsService } from './webhook-settings.service.js';

@ApiTags('webhooks')
@Controller('api/companies/:company_id/webhook')
export class WebhookController {
  constructor(private readonly webhooks: WebhookSettingsService) {}

  @Put()
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: "Sets the company's webhook endpoint with a new signing secret, shown only in this answer (Standard Webhooks)" })
  @ApiOkResponse({ type: WebhookCreatedResponseDto })
  @ApiBadRequestResponse({ description: 'Not https, a private address, or unknown event types', type: ApiErrorDto })
  putWebhook(@Param() _params: CompanyIdParamDto, @Body() body: PutWebhookDto, @CurrentTenant() tenant: Tenant): Promise<WebhookCreatedResponseDto> {
    return this.webhooks.put(tenant.companyId, body);
  }

  @Get()
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: "The company's webhook endpoint, with a hint of its secret" })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiNotFoundResponse({ description: 'No webhook is set', type: ApiErrorDto })
  getWebhook(@Param() _params: CompanyIdParamDto, @CurrentTenant() tenant: Tenant): Promise<WebhookResponseDto> {
    return this.webhooks.get(tenant.companyId);
  }

  @Delete()
  @HttpCode(204)
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: "Removes the company's webhook endpoint; deliveries still waiting are canceled" })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'No webhook is set', type: ApiErrorDto })
  deleteWebhook(@Param() _params: CompanyIdParamDto, @CurrentTenant() tenant: Tenant): Promise<void> {
    return this.webhooks.remove(tenant.companyId);
  }

  @Get('deliveries')
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Recent webhook deliveries, newest first, with every attempt and its result' })
  @ApiOkResponse({ type: WebhookDeliveryListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit', type: ApiErrorDto })
  listWebhookDeliveries(
    @Param() _params: CompanyIdParamDto,
    @Query() query: ListDeliveriesQueryDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<WebhookDeliveryListResponseDto> {
    return this.webhooks.deliveries(tenant.companyId, query);
  }
}
