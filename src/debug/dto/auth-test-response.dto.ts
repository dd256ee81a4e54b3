import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class AuthTestResponseDto {
  @ApiProperty({ description: 'Always true: reaching this route means the token was accepted', example: true })
  authenticated: boolean;

  @ApiProperty({ description: 'The user id (the token subject)', format: 'uuid', example: '00000000-0000-4000-8000-0000000000aa' })
  user_id: string;

  @ApiPropertyOptional({ description: 'The email in the token', example: 'owner@example.com' })
  email?: string;

  @ApiProperty({ description: 'The Postgres role claim', example: 'authenticated' })
  role: string;

  @ApiProperty({ description: 'Whether app_metadata.role is "admin"', example: false })
  is_admin: boolean;

  @ApiProperty({ description: 'When the token expires', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  expires_at: string;

  @ApiProperty({ description: 'Seconds until the token expires', example: 3540 })
  expires_in_seconds: number;

  @ApiPropertyOptional({ description: 'The token issuer', example: 'https://project.supabase.co/auth/v1' })
  issuer?: string;
}

/** A whole answer, shown in the docs (typed, so it follows the DTO). */
export const AUTH_TEST_EXAMPLE: AuthTestResponseDto = {
  authenticated: true,
  user_id: '00000000-0000-4000-8000-0000000000aa',
  email: 'owner@example.com',
  role: 'authenticated',
  is_admin: false,
  expires_at: '2026-11-26T12:00:00.000Z',
  expires_in_seconds: 3540,
  issuer: 'https://project.supabase.co/auth/v1',
};
