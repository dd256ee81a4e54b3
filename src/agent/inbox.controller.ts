import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyIdParamDto } from '../telephony/dto/calls-query.dto.js';
import { ConversationListResponseDto, ListConversationsQueryDto, PageQueryDto, TakenMessageListResponseDto } from './dto/inbox.dto.js';
import { InboxService } from './inbox.service.js';

@ApiTags('messages')
@Controller('api/companies/:company_id')
@CompanyAccess('path')
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get('messages')
  @ApiOperation({ summary: 'Messages the agent took for the company (calls, SMS, WhatsApp), newest first' })
  @ApiOkResponse({ type: TakenMessageListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor', type: ApiErrorDto })
  listTakenMessages(@Param() _params: CompanyIdParamDto, @Query() query: PageQueryDto, @CurrentTenant() tenant: Tenant): Promise<TakenMessageListResponseDto> {
    return this.inbox.listMessages(tenant.companyId, query);
  }

  @Get('conversations')
  @ApiOperation({ summary: "The company's SMS and WhatsApp conversations with their turns, most recently active first" })
  @ApiOkResponse({ type: ConversationListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid channel, limit or cursor', type: ApiErrorDto })
  listConversations(
    @Param() _params: CompanyIdParamDto,
    @Query() query: ListConversationsQueryDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<ConversationListResponseDto> {
    return this.inbox.listConversations(tenant.companyId, query);
  }
}
