import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import { CALL_STATUSES } from '../call-session.types.js';

export class CompanyIdParamDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  @IsUUID('all', { message: 'company_id must be a UUID' })
  company_id: string;
}

export class CompanyCallParamDto extends CompanyIdParamDto {
  @ApiProperty({ description: 'Twilio call SID', example: 'CA0123456789abcdef0123456789abcdef' })
  @Matches(/^[A-Za-z0-9_-]{6,64}$/, { message: 'call_sid must be a Twilio call SID such as CA0123…' })
  call_sid: string;
}

export class ListCallsQueryDto {
  @ApiPropertyOptional({ description: 'Calls started at or after this instant', format: 'date-time', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'Calls started before this instant', format: 'date-time', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'Only calls in this status', enum: CALL_STATUSES, example: 'completed' })
  @IsOptional()
  @IsIn(CALL_STATUSES, { message: `status must be one of ${CALL_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ description: 'Page size, 1 to 200', minimum: 1, maximum: 200, default: 50, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(200, { message: 'limit must be at most 200' })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page', example: 'eyJzIjoiMjAyNi0xMS0yNlQxMjowMDowMFoiLCJpIjoiLi4uIn0' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  cursor?: string;
}

export const USAGE_GROUPS = ['user', 'day', 'kind'] as const;

export class UsageQueryDto {
  @ApiPropertyOptional({ description: 'Start (inclusive); defaults to 30 days before `to`', format: 'date-time', example: '2026-11-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ description: 'End (exclusive); defaults to now', format: 'date-time', example: '2026-12-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'How to group the costs (days are UTC)', enum: USAGE_GROUPS, default: 'kind', example: 'user' })
  @IsOptional()
  @IsIn(USAGE_GROUPS, { message: 'group_by must be one of user, day, kind' })
  group_by?: (typeof USAGE_GROUPS)[number];
}
