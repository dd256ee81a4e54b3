import { Body, Controller, Get, Param, Patch, Put } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { AgentConfigService } from './agent-config.service.js';
import { AgentConfigResponseDto, PatchAgentConfigDto, PutAgentConfigDto } from './dto/agent-config.dto.js';
import { CompanyParamDto } from './dto/company.dto.js';

@ApiTags('agent')
@Controller('api/companies/:company_id/agent')
export class AgentConfigController {
  constructor(private readonly configs: AgentConfigService) {}

  @Get()
  @CompanyAccess('path')
  @ApiOperation({ summary: "The company's agent configuration, defaults filled in (members)" })
  @ApiOkResponse({ type: AgentConfigResponseDto })
  getAgentConfig(@Param() _params: CompanyParamDto, @CurrentTenant() tenant: Tenant): Promise<AgentConfigResponseDto> {
    return this.configs.get(tenant.companyId);
  }

  @Put()
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Replace the agent configuration; omitted optional fields are cleared (owners and admins)' })
  @ApiOkResponse({ type: AgentConfigResponseDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]', type: ApiErrorDto })
  replaceAgentConfig(@Param() _params: CompanyParamDto, @Body() body: PutAgentConfigDto, @CurrentTenant() tenant: Tenant): Promise<AgentConfigResponseDto> {
    return this.configs.replace(tenant, body);
  }

  @Patch()
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Change some fields of the agent configuration; null clears an optional field (owners and admins)' })
  @ApiOkResponse({ type: AgentConfigResponseDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]', type: ApiErrorDto })
  updateAgentConfig(@Param() _params: CompanyParamDto, @Body() body: PatchAgentConfigDto, @CurrentTenant() tenant: Tenant): Promise<AgentConfigResponseDto> {
    return this.configs.update(tenant, body);
  }
}
