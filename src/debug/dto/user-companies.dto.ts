import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';

export class UserCompaniesQueryDto {
  @ApiPropertyOptional({ description: 'Platform admins only: look at another user', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  @IsOptional()
  @IsUUID(undefined, { message: 'user_id must be a UUID' })
  user_id?: string;
}

export class UserCompanyDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({ description: 'Company name', example: 'Demo Clínica Dental' })
  name: string;

  @ApiProperty({ description: "The user's role in the company", enum: ['owner', 'admin', 'member'], example: 'owner' })
  role: string;
}

export class UserCompaniesResponseDto {
  @ApiProperty({ description: 'The user whose companies these are', format: 'uuid', example: '00000000-0000-4000-8000-0000000000aa' })
  user_id: string;

  @ApiProperty({ description: 'Companies the user belongs to, with the role', type: [UserCompanyDto] })
  companies: UserCompanyDto[];
}

/** A whole answer, shown in the docs (typed, so it follows the DTO). */
export const USER_COMPANIES_EXAMPLE: UserCompaniesResponseDto = {
  user_id: '00000000-0000-4000-8000-0000000000aa',
  companies: [
    { company_id: '00000000-0000-4000-8000-000000000001', name: 'Demo Clínica Dental', role: 'owner' },
    { company_id: '00000000-0000-4000-8000-000000000002', name: 'Taller Mecánico Norte', role: 'member' },
  ],
};
