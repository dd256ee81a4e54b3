import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import {
  ConfigurePhoneNumberDto,
  ConfigurePhoneNumberParamDto,
  ListPhoneNumbersQueryDto,
  PHONE_NUMBER_CONFIGURATION_EXAMPLE,
  PhoneNumberConfigurationDto,
  PhoneNumberStateDto,
} from './dto/phone-number.dto.js';
import { PhoneNumbersService } from './phone-numbers.service.js';

@ApiTags('phone-numbers')
@Controller('api/phone-numbers')
export class PhoneNumbersController {
  constructor(private readonly numbers: PhoneNumbersService) {}

  @Post(':phone_number/configure')
  @HttpCode(200)
  @CompanyAccess('body', 'owner', 'admin')
  @ApiOkResponse({ type: PhoneNumberConfigurationDto, example: PHONE_NUMBER_CONFIGURATION_EXAMPLE })
  @ApiOperation({
    summary: "Point a number of the Twilio account at a company's agent (voice, SMS and status webhooks) and record it",
    description:
      "A number no company has yet needs a platform admin; a company's owners and admins reconfigure the numbers recorded for their company. " +
      "Another company's number gets the same 403 as a number that does not exist.",
  })
  @ApiBadRequestResponse({ description: 'Not a phone number, company_id invalid, or a different company_id in the query', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'The number is not in the Twilio account', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'Someone else configured the number at the same moment; nothing was saved, try again', type: ApiErrorDto })
  @ApiBadGatewayResponse({ description: 'Twilio did not answer; nothing was saved', type: ApiErrorDto })
  configurePhoneNumber(
    @Param() params: ConfigurePhoneNumberParamDto,
    @Body() _dto: ConfigurePhoneNumberDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<PhoneNumberConfigurationDto> {
    return this.numbers.configure(tenant, params.phone_number);
  }

  @Get()
  @CompanyAccess('query', 'owner', 'admin')
  @ApiOperation({ summary: "A company's numbers, their webhook state and whether Twilio's URLs still match ours" })
  @ApiOkResponse({ type: [PhoneNumberStateDto] })
  @ApiBadRequestResponse({ description: 'company_id missing or not a UUID', type: ApiErrorDto })
  listPhoneNumbers(@Query() _query: ListPhoneNumbersQueryDto, @CurrentTenant() tenant: Tenant): Promise<PhoneNumberStateDto[]> {
    return this.numbers.list(tenant);
  }
}
