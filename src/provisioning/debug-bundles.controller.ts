import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { BundlesService } from './bundles.service.js';
import { BundleResponseDto } from './dto/bundle-response.dto.js';
import { BundleIdParamDto } from './dto/create-bundle.dto.js';

@ApiTags('debug')
@Controller('api/debug/bundles')
export class DebugBundlesController {
  constructor(private readonly bundles: BundlesService) {}

  @Post(':bundle_id/simulate-approval')
  @HttpCode(200)
  @AdminOnly()
  @ApiOperation({ summary: "Mark a bundle approved without Twilio's review and run the purchase (refused in production)" })
  @ApiOkResponse({ type: BundleResponseDto })
  @ApiNotFoundResponse({ description: 'No such bundle', type: ApiErrorDto })
  @ApiConflictResponse({ description: 'Rejected, or another worker holds the bundle', type: ApiErrorDto })
  simulateBundleApproval(@Param() params: BundleIdParamDto): Promise<BundleResponseDto> {
    return this.bundles.simulateApproval(params.bundle_id);
  }
}
