import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { LiveCallRegistry } from '../agent-session/live-calls.registry.js';
import { Database } from '../database/database.js';
import { HealthResponseDto } from './health-response.dto.js';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly db: Database,
    private readonly calls: LiveCallRegistry,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({ summary: 'Liveness and readiness: 200 when the database answers' })
  @ApiOkResponse({ type: HealthResponseDto })
  @ApiServiceUnavailableResponse({ description: 'The database does not answer', type: ApiErrorDto })
  async checkHealth(): Promise<HealthResponseDto> {
    // Draining (DESIGN §10): not ready from the first moment, so the load balancer stops sending calls here.
    if (!this.calls.isReady()) throw new ServiceUnavailableException('This instance is draining');
    const started = performance.now();
    try {
      await this.db.ping();
    } catch {
      throw new ServiceUnavailableException('The database does not answer');
    }
    return { status: 'ok', database: this.db.kind, database_latency_ms: Math.round((performance.now() - started) * 100) / 100 };
  }
}
