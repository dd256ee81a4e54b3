import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators.js';
import { MetricsService } from './metrics.service.js';

@ApiTags('health')
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get('metrics')
  @Public()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Prometheus metrics: requests, signature failures, live calls and streams, agent latency, provider errors, bundles, jobs, process',
    description: 'Public like /health: restrict it at the proxy or network if the numbers are sensitive (docs/deploy.md).',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'The Prometheus text exposition format (version 0.0.4)',
    content: { 'text/plain': { schema: { type: 'string' }, example: 'calls_active{voice_path="media_stream"} 1\n' } },
  })
  async renderMetrics(@Res() res: Response): Promise<void> {
    res.type(this.metrics.contentType).send(await this.metrics.render());
  }
}
