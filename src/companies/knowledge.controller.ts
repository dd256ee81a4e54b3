import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyParamDto } from './dto/company.dto.js';
import {
  CreateKnowledgeEntryDto,
  ImportKnowledgeDto,
  KnowledgeEntryDto,
  KnowledgeEntryListDto,
  KnowledgeEntryParamDto,
  KnowledgeImportResponseDto,
  KnowledgeSearchResponseDto,
  ListKnowledgeQueryDto,
  SearchKnowledgeQueryDto,
  UpdateKnowledgeEntryDto,
} from './dto/knowledge.dto.js';
import { KnowledgeService } from './knowledge.service.js';

@ApiTags('knowledge')
@Controller('api/companies/:company_id/knowledge')
export class KnowledgeController {
  constructor(private readonly knowledge: KnowledgeService) {}

  @Post()
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Add a knowledge entry (owners and admins)' })
  @ApiCreatedResponse({ type: KnowledgeEntryDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]', type: ApiErrorDto })
  createKnowledgeEntry(@Param() _params: CompanyParamDto, @Body() body: CreateKnowledgeEntryDto, @CurrentTenant() tenant: Tenant): Promise<KnowledgeEntryDto> {
    return this.knowledge.create(tenant, body);
  }

  @Post('import')
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Import many entries at once: a JSON list, or Markdown / plain text split into passages; all or nothing (owners and admins)' })
  @ApiCreatedResponse({ type: KnowledgeImportResponseDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]; nothing is imported', type: ApiErrorDto })
  importKnowledge(@Param() _params: CompanyParamDto, @Body() body: ImportKnowledgeDto, @CurrentTenant() tenant: Tenant): Promise<KnowledgeImportResponseDto> {
    return this.knowledge.import(tenant, body);
  }

  @Get()
  @CompanyAccess('path')
  @ApiOperation({ summary: 'List knowledge entries, oldest first, a page at a time (members)' })
  @ApiOkResponse({ type: KnowledgeEntryListDto })
  @ApiBadRequestResponse({ description: 'Invalid paging', type: ApiErrorDto })
  listKnowledgeEntries(
    @Param() _params: CompanyParamDto,
    @Query() query: ListKnowledgeQueryDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<KnowledgeEntryListDto> {
    return this.knowledge.list(tenant, query.page, query.page_size, query.tag);
  }

  // Declared before ':entry_id' so that "search" is not taken for an entry id.
  @Get('search')
  @CompanyAccess('path')
  @ApiOperation({ summary: "Ranked passages for a question: full-text search in the company language's configuration (members)" })
  @ApiOkResponse({ type: KnowledgeSearchResponseDto })
  @ApiBadRequestResponse({ description: 'Missing or too long q', type: ApiErrorDto })
  searchKnowledge(
    @Param() _params: CompanyParamDto,
    @Query() query: SearchKnowledgeQueryDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<KnowledgeSearchResponseDto> {
    return this.knowledge.search(tenant.companyId, query.q, query.limit);
  }

  @Get(':entry_id')
  @CompanyAccess('path')
  @ApiOperation({ summary: 'A knowledge entry (members)' })
  @ApiOkResponse({ type: KnowledgeEntryDto })
  @ApiNotFoundResponse({ description: 'No such entry in this company', type: ApiErrorDto })
  getKnowledgeEntry(@Param() params: KnowledgeEntryParamDto, @CurrentTenant() tenant: Tenant): Promise<KnowledgeEntryDto> {
    return this.knowledge.get(tenant, params.entry_id);
  }

  @Patch(':entry_id')
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Change a knowledge entry; only the fields sent change (owners and admins)' })
  @ApiOkResponse({ type: KnowledgeEntryDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'No such entry in this company', type: ApiErrorDto })
  updateKnowledgeEntry(
    @Param() params: KnowledgeEntryParamDto,
    @Body() body: UpdateKnowledgeEntryDto,
    @CurrentTenant() tenant: Tenant,
  ): Promise<KnowledgeEntryDto> {
    return this.knowledge.update(tenant, params.entry_id, body);
  }

  @Delete(':entry_id')
  @HttpCode(204)
  @CompanyAccess('path', 'owner', 'admin')
  @ApiOperation({ summary: 'Delete a knowledge entry (owners and admins)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such entry in this company', type: ApiErrorDto })
  deleteKnowledgeEntry(@Param() params: KnowledgeEntryParamDto, @CurrentTenant() tenant: Tenant): Promise<void> {
    return this.knowledge.remove(tenant, params.entry_id);
  }
}
