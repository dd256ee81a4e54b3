import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiConflictResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess, CurrentUser, SignedIn } from '../auth/auth.decorators.js';
import type { AuthenticatedUser } from '../auth/authenticated-user.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompaniesService } from './companies.service.js';
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
  @CompanyAccess('path')
  @ApiOperation({ summary: 'A company (members)' })
  @ApiOkResponse({ type: CompanyDetailsResponseDto })
  @ApiNotFoundResponse({ description: 'No such company (platform admins)', type: ApiErrorDto })
  getCompany(@Param() _params: CompanyParamDto, @CurrentTenant() tenant: Tenant): Promise<CompanyDetailsResponseDto> {
    return this.companies.get(tenant);
  }

  @Get(':company_id/members')
  @CompanyAccess('path')
  @ApiOperation({ summary: "The company's members and their roles (members)" })
  @ApiOkResponse({ type: [MemberResponseDto] })
  listCompanyMembers(@Param() _params: CompanyParamDto, @CurrentTenant() tenant: Tenant): Promise<MemberResponseDto[]> {
    return this.companies.listMembers(tenant);
  }

  @Post(':company_id/members')
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Add a member (owners and admins; only owners add owners)' })
  @ApiCreatedResponse({ type: MemberResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid user_id or role', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'Already a member', type: ApiErrorDto })
  addCompanyMember(@Param() _params: CompanyParamDto, @Body() body: AddMemberDto, @CurrentTenant() tenant: Tenant): Promise<MemberResponseDto> {
    return this.companies.addMember(tenant, body.user_id, body.role);
  }

  @Delete(':company_id/members')
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Remove the member named in the body (same rules as DELETE .../members/{user_id})' })
  @ApiOkResponse({ type: RemovedMemberResponseDto })
  @ApiBadRequestResponse({ description: 'Invalid user_id', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'Not a member', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The last owner cannot be removed', type: ApiErrorDto })
  removeCompanyMemberByBody(
    @Param() _params: CompanyParamDto,
    @Body() body: RemoveMemberDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<RemovedMemberResponseDto> {
    return this.companies.removeMember(tenant, body.user_id);
  }

  @Delete(':company_id/members/:user_id')
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Remove a member (owners and admins; only owners remove owners; the last owner stays)' })
  @ApiOkResponse({ type: RemovedMemberResponseDto })
  @ApiNotFoundResponse({ description: 'Not a member', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'The last owner cannot be removed', type: ApiErrorDto })
  removeCompanyMember(@Param() params: MemberParamDto, @CurrentTenant() tenant: Tenant): Promise<RemovedMemberResponseDto> {
    return this.companies.removeMember(tenant, params.user_id);
  }
}
