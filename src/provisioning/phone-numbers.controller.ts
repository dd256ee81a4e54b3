import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess, CurrentUser } from '../auth/auth.decorators.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
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
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: "Point a number of the Twilio account at a company's agent (voice, SMS and status webhooks) and record it" })
  @ApiOkResponse({ type: PhoneNumberConfigurationDto, example: PHONE_NUMBER_CONFIGURATION_EXAMPLE })
  @ApiBadRequestResponse({ description: 'Not a phone number, or company_id invalid', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'The number is not in the Twilio account', type: ApiErrorDto })
  @ApiBadGatewayResponse({ description: 'Twilio did not answer; nothing was saved', type: ApiErrorDto })
  configurePhoneNumber(
    @Param() params: ConfigurePhoneNumberParamDto,
    @Body() dto: ConfigurePhoneNumberDto,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<PhoneNumberConfigurationDto> {
    return this.numbers.configure(params.phone_number, dto.company_id, user);
  }

  @Get()
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: "A company's numbers, their webhook state and whether Twilio's URLs still match ours" })
  @ApiOkResponse({ type: [PhoneNumberStateDto] })
  @ApiBadRequestResponse({ description: 'company_id missing or not a UUID', type: ApiErrorDto })
  listPhoneNumbers(@Query() query: ListPhoneNumbersQueryDto): Promise<PhoneNumberStateDto[]> {
    return this.numbers.list(query.company_id);
  }
}
