import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CallHistoryService } from './call-history.service.js';
import { CallDetailResponseDto, CallListResponseDto, UsageSummaryResponseDto } from './dto/call-response.dto.js';
import { CompanyCallParamDto, CompanyIdParamDto, ListCallsQueryDto, UsageQueryDto } from './dto/calls-query.dto.js';

@ApiTags('calls')
@Controller('api/companies/:company_id')
@CompanyAccess()
export class CallsController {
  constructor(private readonly history: CallHistoryService) {}

  @Get('calls')
  @ApiOperation({ summary: "A page of the company's calls, newest first, by date and status" })
  @ApiOkResponse({ type: CallListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid filter or cursor', type: ApiErrorDto })
  listCalls(@Param() params: CompanyIdParamDto, @Query() query: ListCallsQueryDto): Promise<CallListResponseDto> {
    return this.history.listCalls(params.company_id, query);
  }

  @Get('calls/:call_sid')
  @ApiOperation({ summary: 'One call with its status timeline, transcript and usage' })
  @ApiOkResponse({ type: CallDetailResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid company id or call SID', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'The company has no such call', type: ApiErrorDto })
  getCall(@Param() params: CompanyCallParamDto): Promise<CallDetailResponseDto> {
    return this.history.getCall(params.company_id, params.call_sid);
  }

  @Get('usage')
  @ApiOperation({ summary: "The company's costs in USD over a period, grouped by user, day or kind" })
  @ApiOkResponse({ type: UsageSummaryResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid period or grouping', type: ApiErrorDto })
  getUsage(@Param() params: CompanyIdParamDto, @Query() query: UsageQueryDto): Promise<UsageSummaryResponseDto> {
    return this.history.usage(params.company_id, query);
  }
}
