import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyIdParamDto } from '../telephony/dto/calls-query.dto.js';
import { ListDeliveriesQueryDto, PutWebhookDto, WebhookCreatedResponseDto, WebhookDeliveryListResponseDto, WebhookResponseDto } from './dto/webhook.dto.js';
import { WebhookSettingsService } from './webhook-settings.service.js';

@ApiTags('webhooks')
@Controller('api/companies/:company_id/webhook')
export class WebhookController {
  constructor(private readonly webhooks: WebhookSettingsService) {}

  @Put()
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: "Sets the company's webhook endpoint with a new signing secret, shown only in this answer (Standard Webhooks)" })
  @ApiOkResponse({ type: WebhookCreatedResponseDto })
  @ApiBadRequestResponse({ description: 'Not https, a private address, or unknown event types', type: ApiErrorDto })
  putWebhook(@Param() params: CompanyIdParamDto, @Body() body: PutWebhookDto): Promise<WebhookCreatedResponseDto> {
    return this.webhooks.put(params.company_id, body);
  }

  @Get()
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: "The company's webhook endpoint, with a hint of its secret" })
  @ApiOkResponse({ type: WebhookResponseDto })
  @ApiNotFoundResponse({ description: 'No webhook is set', type: ApiErrorDto })
  getWebhook(@Param() params: CompanyIdParamDto): Promise<WebhookResponseDto> {
    return this.webhooks.get(params.company_id);
  }

  @Delete()
  @HttpCode(204)
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: "Removes the company's webhook endpoint; deliveries still waiting are canceled" })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ description: 'No webhook is set', type: ApiErrorDto })
  deleteWebhook(@Param() params: CompanyIdParamDto): Promise<void> {
    return this.webhooks.remove(params.company_id);
  }

  @Get('deliveries')
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Recent webhook deliveries, newest first, with every attempt and its result' })
  @ApiOkResponse({ type: WebhookDeliveryListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit', type: ApiErrorDto })
  listWebhookDeliveries(@Param() params: CompanyIdParamDto, @Query() query: ListDeliveriesQueryDto): Promise<WebhookDeliveryListResponseDto> {
    return this.webhooks.deliveries(params.company_id, query);
  }
}
