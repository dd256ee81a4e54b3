import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CallHistoryService } from './call-history.service.js';
import { CallDetailResponseDto, CallListResponseDto, UsageSummaryResponseDto } from './dto/call-response.dto.js';
import { CompanyCallParamDto, CompanyIdParamDto, ListCallsQueryDto, UsageQueryDto } from './dto/calls-query.dto.js';

@ApiTags('calls')
@Controller('api/companies/:company_id')
@CompanyAccess('path')
export class CallsController {
  constructor(private readonly history: CallHistoryService) {}

  @Get('calls')
  @ApiOperation({ summary: "A page of the company's calls, newest first, by date and status" })
  @ApiOkResponse({ type: CallListResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid filter or cursor', type: ApiErrorDto })
  listCalls(@Param() _params: CompanyIdParamDto, @Query() query: ListCallsQueryDto, @CurrentTenant() tenant: Tenant): Promise<CallListResponseDto> {
    return this.history.listCalls(tenant, query);
  }

  @Get('calls/:call_sid')
  @ApiOperation({ summary: 'One call with its status timeline, transcript and usage' })
  @ApiOkResponse({ type: CallDetailResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid company id or call SID', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'The company has no such call', type: ApiErrorDto })
  getCall(@Param() params: CompanyCallParamDto, @CurrentTenant() tenant: Tenant): Promise<CallDetailResponseDto> {
    return this.history.getCall(tenant, params.call_sid);
  }

  @Get('usage')
  @ApiOperation({ summary: "The company's costs in USD over a period, grouped by user, day or kind" })
  @ApiOkResponse({ type: UsageSummaryResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid period or grouping', type: ApiErrorDto })
  getUsage(@Param() _params: CompanyIdParamDto, @Query() query: UsageQueryDto, @CurrentTenant() tenant: Tenant): Promise<UsageSummaryResponseDto> {
    return this.history.usage(tenant, query);
  }
}
