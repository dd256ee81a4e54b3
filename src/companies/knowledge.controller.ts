import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
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
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Add a knowledge entry (owners and admins)' })
  @ApiCreatedResponse({ type: KnowledgeEntryDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]', type: ApiErrorDto })
  createKnowledgeEntry(@Param() params: CompanyParamDto, @Body() body: CreateKnowledgeEntryDto): Promise<KnowledgeEntryDto> {
    return this.knowledge.create(params.company_id, body);
  }

  @Post('import')
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Import many entries at once: a JSON list, or Markdown / plain text split into passages; all or nothing (owners and admins)' })
  @ApiCreatedResponse({ type: KnowledgeImportResponseDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]; nothing is imported', type: ApiErrorDto })
  importKnowledge(@Param() params: CompanyParamDto, @Body() body: ImportKnowledgeDto): Promise<KnowledgeImportResponseDto> {
    return this.knowledge.import(params.company_id, body);
  }

  @Get()
  @CompanyAccess()
  @ApiOperation({ summary: 'List knowledge entries, oldest first, a page at a time (members)' })
  @ApiOkResponse({ type: KnowledgeEntryListDto })
  @ApiBadRequestResponse({ description: 'Invalid paging', type: ApiErrorDto })
  listKnowledgeEntries(@Param() params: CompanyParamDto, @Query() query: ListKnowledgeQueryDto): Promise<KnowledgeEntryListDto> {
    return this.knowledge.list(params.company_id, query.page, query.page_size, query.tag);
  }

  // Declared before ':entry_id' so that "search" is not taken for an entry id.
  @Get('search')
  @CompanyAccess()
  @ApiOperation({ summary: "Ranked passages for a question: full-text search in the company language's configuration (members)" })
  @ApiOkResponse({ type: KnowledgeSearchResponseDto })
  @ApiBadRequestResponse({ description: 'Missing or too long q', type: ApiErrorDto })
  searchKnowledge(@Param() params: CompanyParamDto, @Query() query: SearchKnowledgeQueryDto): Promise<KnowledgeSearchResponseDto> {
    return this.knowledge.search(params.company_id, query.q, query.limit);
  }

  @Get(':entry_id')
  @CompanyAccess()
  @ApiOperation({ summary: 'A knowledge entry (members)' })
  @ApiOkResponse({ type: KnowledgeEntryDto })
  @ApiNotFoundResponse({ description: 'No such entry in this company', type: ApiErrorDto })
  getKnowledgeEntry(@Param() params: KnowledgeEntryParamDto): Promise<KnowledgeEntryDto> {
    return this.knowledge.get(params.company_id, params.entry_id);
  }

  @Patch(':entry_id')
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Change a knowledge entry; only the fields sent change (owners and admins)' })
  @ApiOkResponse({ type: KnowledgeEntryDto })
  @ApiBadRequestResponse({ description: 'One message per invalid field in errors[]', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'No such entry in this company', type: ApiErrorDto })
  updateKnowledgeEntry(@Param() params: KnowledgeEntryParamDto, @Body() body: UpdateKnowledgeEntryDto): Promise<KnowledgeEntryDto> {
    return this.knowledge.update(params.company_id, params.entry_id, body);
  }

  @Delete(':entry_id')
  @HttpCode(204)
  @CompanyAccess('owner', 'admin')
  @ApiOperation({ summary: 'Delete a knowledge entry (owners and admins)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ description: 'No such entry in this company', type: ApiErrorDto })
  deleteKnowledgeEntry(@Param() params: KnowledgeEntryParamDto): Promise<void> {
    return this.knowledge.remove(params.company_id, params.entry_id);
  }
}
