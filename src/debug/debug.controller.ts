import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly, CurrentUser, SignedIn } from '../auth/auth.decorators.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { AUTH_TEST_EXAMPLE, AuthTestResponseDto } from './dto/auth-test-response.dto.js';
import { PHONE_LOOKUP_EXAMPLE, PhoneLookupResponseDto } from './dto/phone-lookup-response.dto.js';
import { PhoneNumberParamDto } from './dto/phone-number-param.dto.js';
import { USER_COMPANIES_EXAMPLE, UserCompaniesQueryDto, UserCompaniesResponseDto } from './dto/user-companies.dto.js';
import { DebugService } from './debug.service.js';

@ApiTags('debug')
@Controller('api/debug')
export class DebugController {
  constructor(private readonly debug: DebugService) {}

  @Get('phone-lookup/:phone_number')
  @AdminOnly()
  @ApiOperation({ summary: 'Which company and user a phone number resolves to, and why calls might not reach it' })
  @ApiOkResponse({ type: PhoneLookupResponseDto, example: PHONE_LOOKUP_EXAMPLE })
  @ApiBadRequestResponse({ description: 'Not a phone number', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'No company has this number', type: ApiErrorDto })
  lookupPhoneNumber(@Param() params: PhoneNumberParamDto): Promise<PhoneLookupResponseDto> {
    return this.debug.lookupPhoneNumber(params.phone_number);
  }

  @Get('auth-test')
  @SignedIn()
  @ApiOperation({ summary: 'Who the access token says you are (the token itself is never echoed)' })
  @ApiOkResponse({ type: AuthTestResponseDto, example: AUTH_TEST_EXAMPLE })
  testAuth(@CurrentUser() user: AuthenticatedUser): AuthTestResponseDto {
    return this.debug.authTest(user);
  }

  @Get('user-companies')
  @SignedIn()
  @ApiOperation({ summary: "The signed-in user's companies with their role; admins may pass user_id" })
  @ApiOkResponse({ type: UserCompaniesResponseDto, example: USER_COMPANIES_EXAMPLE })
  @ApiBadRequestResponse({ description: 'user_id is not a UUID', type: ApiErrorDto })
  listUserCompanies(@CurrentUser() user: AuthenticatedUser, @Query() query: UserCompaniesQueryDto): Promise<UserCompaniesResponseDto> {
    return this.debug.userCompanies(user, query.user_id);
  }
}
