import { ApiProperty } from '@nestjs/swagger';

export class HealthResponseDto {
  @ApiProperty({ description: 'Always "ok" on a 200', example: 'ok' })
  status: string;

  @ApiProperty({ description: 'The database transport in use', enum: ['embedded', 'postgres', 'supabase'], example: 'embedded' })
  database: string;

  @ApiProperty({ description: 'Round trip to the database, in milliseconds', example: 0.4 })
  database_latency_ms: number;
}
