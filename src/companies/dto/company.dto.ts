import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';
import { Trim } from './validators.js';

export class CompanyParamDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  @IsUUID(undefined, { message: 'company_id must be a UUID' })
  company_id: string;
}

export class MemberParamDto extends CompanyParamDto {
  @ApiProperty({ description: 'The member user id', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  @IsUUID(undefined, { message: 'user_id must be a UUID' })
  user_id: string;
}

export class CreateCompanyDto {
  @ApiProperty({ description: 'Company name (1 to 200 characters)', example: 'Clínica Dental Roma', maxLength: 200 })
  @Trim()
  @IsString({ message: 'name must be a string' })
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200, { message: 'name must be at most 200 characters' })
  name: string;
}

export class CompanyResponseDto {
  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  id: string;

  @ApiProperty({ description: 'Company name', example: 'Clínica Dental Roma' })
  name: string;

  @ApiProperty({ description: 'When the company was created', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ description: 'When the company last changed', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  updated_at: string;
}

export class CreatedCompanyResponseDto extends CompanyResponseDto {
  @ApiProperty({ description: "The creator's role: always owner", enum: ['owner'], example: 'owner' })
  role: string;
}

export class CompanyDetailsResponseDto extends CompanyResponseDto {
  @ApiProperty({ description: 'How many members the company has', example: 3 })
  member_count: number;
}

export const MEMBER_ROLES = ['owner', 'admin', 'member'] as const;

export class AddMemberDto {
  @ApiProperty({ description: 'The user to add (their Supabase user id)', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  @IsUUID(undefined, { message: 'user_id must be a UUID' })
  user_id: string;

  @ApiProperty({ description: 'Their role: members read, admins and owners write; only owners add or remove owners', enum: MEMBER_ROLES, example: 'member' })
  @IsIn(MEMBER_ROLES, { message: 'role must be owner, admin or member' })
  role: (typeof MEMBER_ROLES)[number];
}

export class RemoveMemberDto {
  @ApiProperty({ description: 'The member to remove (their Supabase user id)', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  @IsUUID(undefined, { message: 'user_id must be a UUID' })
  user_id: string;
}

export class MemberResponseDto {
  @ApiProperty({ description: 'The member user id', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  user_id: string;

  @ApiProperty({ description: 'Their role in the company', enum: MEMBER_ROLES, example: 'member' })
  role: string;

  @ApiProperty({ description: 'When they joined', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  created_at: string;
}

export class RemovedMemberResponseDto {
  @ApiProperty({ description: 'The removed user id', format: 'uuid', example: '00000000-0000-4000-8000-0000000000bb' })
  user_id: string;

  @ApiProperty({ description: 'The role they had', enum: MEMBER_ROLES, example: 'member' })
  role: string;

  @ApiProperty({ description: 'Always true', example: true })
  removed: boolean;
}
