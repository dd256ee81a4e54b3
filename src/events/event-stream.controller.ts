import { BadRequestException, Controller, Get, Headers, Param, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CompanyAccess } from '../auth/auth.decorators.js';
import { CurrentTenant } from '../auth/tenant.js';
import type { Tenant } from '../auth/tenant.js';
import { ApiErrorDto } from '../common/api-error.dto.js';
import { CompanyIdParamDto } from '../telephony/dto/calls-query.dto.js';
import { EventStreamSession } from './event-stream.session.js';
import { EventStreamService } from './event-stream.service.js';
import { AppConfig } from '../config/app-config.js';

@ApiTags('events')
@Controller('api/companies/:company_id/events')
@CompanyAccess('path')
export class EventStreamController {
  constructor(
    private readonly streams: EventStreamService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The company's live events as Server-Sent Events",
    description:
      'text/event-stream: each event is `id: <seq>`, `event: <type>`, `data: { id, type, created_at, company_id, data }`. ' +
      'Types: call.started and call.transcript while calls run, then call.completed, call.cost_updated, message.taken, bundle.updated. ' +
      'A comment line every 15 s keeps the connection open. Send `Last-Event-ID` (the last `id:` received) to resume after a disconnect. ' +
      'Needs the Authorization header, so browsers use a fetch-based client rather than EventSource.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event (the `id:` of the last event received)', example: '1042' })
  @ApiOkResponse({
    description: 'The stream',
    content: {
      'text/event-stream': { schema: { type: 'string', example: 'id: 1042\nevent: message.taken\ndata: {"id":"evt_…","type":"message.taken",…}\n\n' } },
    },
  })
  @ApiBadRequestResponse({ description: 'Invalid company id or Last-Event-ID', type: ApiErrorDto })
  async streamCompanyEvents(
    @Param() _params: CompanyIdParamDto,
    @CurrentTenant() tenant: Tenant,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const resumeAfter = parseLastEventId(lastEventId);
    await new EventStreamSession(this.streams, tenant.companyId, resumeAfter, this.config.events.stream.heartbeatSeconds).run(request, response);
  }
}

function parseLastEventId(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null;
  if (!/^\d{1,18}$/.test(value.trim())) throw new BadRequestException('Last-Event-ID must be the id of an event this stream sent (a whole number)');
  return Number(value.trim());
}
