import { Body, Controller, Get, HttpCode, Param, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import {
  ApiBadRequestResponse,
  ApiBadGatewayResponse,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant, TenantSource } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { BundleDocumentsService } from './bundle-documents.service.js';
import type { UploadedFile as UploadedDocument } from './bundle-documents.service.js';
import { BundlesService } from './bundles.service.js';
import { BundleDocumentCreatedDto, BundleResponseDto, EvaluationResponseDto } from './dto/bundle-response.dto.js';
import { BundleIdParamDto, CreateBundleDto, ListBundlesQueryDto, UploadBundleDocumentDto } from './dto/create-bundle.dto.js';

/** The hard cap multer enforces while reading; the configured (smaller) limit is checked with a clear message. */
const UPLOAD_HARD_LIMIT = 20 * 1024 * 1024 + 1;

/** Routes by bundle id act on the company that owns the bundle. */
const BUNDLE: TenantSource = { resource: 'bundle', param: 'bundle_id' };

@ApiTags('bundles')
@Controller('api/bundles')
export class BundlesController {
  constructor(
    private readonly bundles: BundlesService,
    private readonly documents: BundleDocumentsService,
  ) {}

  @Post()
  @CompanyAccess('body', 'owner', 'admin')
  @ApiOperation({ summary: 'Create a regulatory bundle for a company (the regulation is looked up at Twilio)' })
  @ApiCreatedResponse({ type: BundleResponseDto })
  @ApiBadRequestResponse({
    description: 'Invalid input, no regulation for the country and type, end-user fields missing, or a different company_id in the query',
    type: ApiErrorDto,
  })
  @ApiBadGatewayResponse({ description: 'Twilio did not answer; nothing was saved', type: ApiErrorDto })
  createBundle(@Body() dto: CreateBundleDto, @CurrentTenant() tenant: Tenant): Promise<BundleResponseDto> {
    return this.bundles.create(tenant, dto);
  }

  @Get()
  @CompanyAccess('query', 'owner', 'admin')
  @ApiOperation({ summary: "List a company's bundles, newest first" })
  @ApiOkResponse({ type: [BundleResponseDto] })
  @ApiBadRequestResponse({ description: 'company_id missing or not a UUID, or a different company_id in the body', type: ApiErrorDto })
  listBundles(@Query() _query: ListBundlesQueryDto, @CurrentTenant() tenant: Tenant): Promise<BundleResponseDto[]> {
    return this.bundles.list(tenant);
  }

  @Get(':bundle_id')
  @CompanyAccess(BUNDLE, 'owner', 'admin')
  @ApiOperation({ summary: 'A bundle with its documents and timeline' })
  @ApiOkResponse({ type: BundleResponseDto })
  @ApiNotFoundResponse({ description: 'No such bundle (platform admins; others get 403)', type: ApiErrorDto })
  getBundle(@Param() params: BundleIdParamDto): Promise<BundleResponseDto> {
    return this.bundles.get(params.bundle_id);
  }

  @Post(':bundle_id/documents')
  // The guard runs before the interceptor: a non-member's upload is refused before its file is read.
  @CompanyAccess(BUNDLE, 'owner', 'admin')
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: UPLOAD_HARD_LIMIT, files: 1, fields: 10 } }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: 'The document: its type, attributes (a JSON object string) and the file (PDF, JPEG or PNG)',
    schema: {
      type: 'object',
      required: ['type', 'file'],
      properties: {
        type: { type: 'string', description: "A document type the bundle's regulation accepts", example: 'business_registration' },
        attributes: { type: 'string', description: 'JSON object string of the document attributes', example: '{"business_name":"Acme"}' },
        file: { type: 'string', format: 'binary', description: 'The document file' },
      },
    },
  })
  @ApiOperation({ summary: 'Upload a supporting document (kept first, then sent to Twilio; retried if Twilio is down)' })
  @ApiCreatedResponse({ type: BundleDocumentCreatedDto })
  @ApiBadRequestResponse({ description: 'Unknown document type, bad attributes, no file, or the bundle is no longer a draft', type: ApiErrorDto })
  @ApiPayloadTooLargeResponse({ description: 'The file is over the size limit', type: ApiErrorDto })
  @ApiUnsupportedMediaTypeResponse({ description: 'Not a PDF, JPEG or PNG', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'No such bundle (platform admins; others get 403)', type: ApiErrorDto })
  async uploadBundleDocument(
    @Param() params: BundleIdParamDto,
    @Body() dto: UploadBundleDocumentDto,
    @UploadedFile() file: UploadedDocument | undefined,
  ): Promise<BundleDocumentCreatedDto> {
    return this.documents.add(params.bundle_id, dto.type, dto.attributes, file);
  }

  @Post(':bundle_id/evaluate')
  @HttpCode(200)
  @CompanyAccess(BUNDLE, 'owner', 'admin')
  @ApiOperation({ summary: 'Ask Twilio what the bundle still lacks' })
  @ApiOkResponse({ type: EvaluationResponseDto })
  @ApiNotFoundResponse({ description: 'No such bundle (platform admins; others get 403)', type: ApiErrorDto })
  @ApiBadGatewayResponse({ description: 'Twilio did not answer', type: ApiErrorDto })
  evaluateBundle(@Param() params: BundleIdParamDto): Promise<EvaluationResponseDto> {
    return this.bundles.evaluate(params.bundle_id);
  }

  @Post(':bundle_id/submit')
  @HttpCode(200)
  @CompanyAccess(BUNDLE, 'owner', 'admin')
  @ApiOperation({ summary: "Submit the bundle for Twilio's review (pending-review) once Twilio finds it compliant" })
  @ApiOkResponse({ type: BundleResponseDto })
  @ApiConflictResponse({ description: 'Not a draft, incomplete, or documents not at Twilio yet', type: ApiErrorDto })
  @ApiNotFoundResponse({ description: 'No such bundle (platform admins; others get 403)', type: ApiErrorDto })
  submitBundle(@Param() params: BundleIdParamDto): Promise<BundleResponseDto> {
    return this.bundles.submit(params.bundle_id);
  }
}
