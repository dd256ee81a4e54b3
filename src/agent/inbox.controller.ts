import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyIdParamDto } from '../telephony/dto/calls-query.dto.js';
import { ConversationListResponseDto, ListConversationsQueryDto, PageQueryDto, TakenMessageListResponseDto } from './dto/inbox.dto.js';
import { InboxService } from './inbox.service.js';

@ApiTags('messages')
@Controller('api/companies/:company_id')
@CompanyAccess()
export class InboxController {
  constructor(private readonly inbox: InboxService) {}

  @Get('messages')
  @ApiOperation({ summary: 'Messages the agent took for the company (calls, SMS, WhatsApp), newest first' })
  @ApiOkResponse({ type: TakenMessageListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid limit or cursor', type: ApiErrorDto })
  listTakenMessages(@Param() params: CompanyIdParamDto, @Query() query: PageQueryDto): Promise<TakenMessageListResponseDto> {
    return this.inbox.listMessages(params.company_id, query);
  }

  @Get('conversations')
  @ApiOperation({ summary: "The company's SMS and WhatsApp conversations with their turns, most recently active first" })
  @ApiOkResponse({ type: ConversationListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid channel, limit or cursor', type: ApiErrorDto })
  listConversations(@Param() params: CompanyIdParamDto, @Query() query: ListConversationsQueryDto): Promise<ConversationListResponseDto> {
    return this.inbox.listConversations(params.company_id, query);
  }
}
