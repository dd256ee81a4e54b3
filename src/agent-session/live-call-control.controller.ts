import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyCallParamDto } from '../telephony/dto/calls-query.dto.js';
import { CallControlResponseDto, TransferCallDto } from './dto/call-control.dto.js';
import { LiveCallControlService } from './live-call-control.service.js';

@ApiTags('calls')
@Controller('api/companies/:company_id/calls/:call_sid')
@CompanyAccess('path', 'owner', 'admin')
@ApiNotFoundResponse({ description: 'The company has no such call', type: ApiErrorDto })
@ApiConflictResponse({ description: 'The call has already ended', type: ApiErrorDto })
@ApiBadGatewayResponse({ description: 'Twilio did not take the update; nothing was changed', type: ApiErrorDto })
export class LiveCallControlController {
  constructor(private readonly control: LiveCallControlService) {}

  @Post('hangup')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ends a live call, whichever instance holds its stream (owners and admins)' })
  @ApiOkResponse({ type: CallControlResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid company id or call SID', type: ApiErrorDto })
  hangupCall(@Param() params: CompanyCallParamDto, @CurrentTenant() tenant: Tenant): Promise<CallControlResponseDto> {
    return this.control.hangup(tenant, params.call_sid);
  }

  @Post('transfer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Transfers a live call to a number (the dial-out rules of agent transfers), whichever instance holds its stream' })
  @ApiOkResponse({ type: CallControlResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid ids, or a number the platform does not dial', type: ApiErrorDto })
  transferCall(@Param() params: CompanyCallParamDto, @Body() body: TransferCallDto, @CurrentTenant() tenant: Tenant): Promise<CallControlResponseDto> {
    return this.control.transfer(tenant, params.call_sid, body.to);
  }
}
