import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CompanyAccess, CurrentUser, SignedIn } from '../auth/auth.decorators.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompaniesService } from './companies.service.js';
import { CompanyRoleOf } from './company-role.decorator.js';
import type { ActingRole } from './company-role.decorator.js';
import {
  AddMemberDto,
  CompanyDetailsResponseDto,
  CompanyParamDto,
  CreateCompanyDto,
  CreatedCompanyResponseDto,
  MemberParamDto,
  MemberResponseDto,
  RemovedMemberResponseDto,
  RemoveMemberDto,
} from './dto/company.dto.js';

@ApiTags('companies')
@Controller('api/companies')
export class CompaniesController {
  constructor(private readonly companies: CompaniesService) {}

  @Post()
  @SignedIn()
  @ApiOperation({ summary: 'Create a company; the caller becomes its owner' })
  @ApiCreatedResponse({ type: CreatedCompanyResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid name', type: ApiErrorDto })
  createCompany(@CurrentUser() user: AuthenticatedUser, @Body() body: CreateCompanyDto): Promise<CreatedCompanyResponseDto> {
    return this.companies.create(body.name, user.id);
  }

  @Get(':company_id')
  @CompanyAccess()
  @ApiOperation({ summary: 'A company (members)' })
  @ApiOkResponse({ type: CompanyDetailsResponseDto })
  @ApiNotFoundResponse({ description: 'No such company (platform admins)', type: ApiErrorDto })
  getCompany(@Param() params: CompanyParamDto): Promise<CompanyDetailsResponseDto> {
    return this.companies.get(params.company_id);
  }

  @Get(':company_id/members')
  @CompanyAccess()
  @ApiOperation({ summary: "The company's members and their roles (members)" })
  @ApiOkResponse({ type: [MemberResponseDto] })
  listCompanyMembers(@Param() params: CompanyParamDto): Promise<MemberResponseDto[]> {
    return this.companies.listMembers(params.company_id);
  }

  @Post(':company_id/members')
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Add a member (owners and admins; only owners add owners)' })
  @ApiCreatedResponse({ type: MemberResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid user_id or role', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'Already a member', type: ApiErrorDto })
  addCompanyMember(@Param() params: CompanyParamDto, @Body() body: AddMemberDto, @CompanyRoleOf() actor: ActingRole): Promise<MemberResponseDto> {
    return this.companies.addMember(params.company_id, body.user_id, body.role, actor);
  }

  @Delete(':company_id/members')
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Remove the member named in the body (same rules as DELETE .../members/{user_id})' })
  @ApiOkResponse({ type: RemovedMemberResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid user_id', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'Not a member', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The last owner cannot be removed', type: ApiErrorDto })
  removeCompanyMemberByBody(@Param() params: CompanyParamDto, @Body() body: RemoveMemberDto, @CompanyRoleOf() actor: ActingRole): Promise<RemovedMemberResponseDto> {
    return this.companies.removeMember(params.company_id, body.user_id, actor);
  }

  @Delete(':company_id/members/:user_id')
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Remove a member (owners and admins; only owners remove owners; the last owner stays)' })
  @ApiOkResponse({ type: RemovedMemberResponseDto })
  @ApiNotFoundResponse({ description: 'Not a member', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The last owner cannot be removed', type: ApiErrorDto })
  removeCompanyMember(@Param() params: MemberParamDto, @CompanyRoleOf() actor: ActingRole): Promise<RemovedMemberResponseDto> {
    return this.companies.removeMember(params.company_id, params.user_id, actor);
  }
}
