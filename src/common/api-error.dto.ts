import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ description: 'The input field, as a dotted path', example: 'company_id' })
  field: string;

  @ApiProperty({ description: 'What is wrong with it', example: 'company_id must be a UUID' })
  message: string;
}

/** The body of every error response. */
export class ApiErrorDto {
  @ApiProperty({ description: 'The HTTP status code', example: 400 })
  statusCode: number;

  @ApiProperty({ description: 'The HTTP status text', example: 'Bad Request' })
  error: string;

  @ApiProperty({ description: 'What went wrong and what to do about it', example: 'company_id must be a UUID' })
  message: string;

  @ApiPropertyOptional({ description: 'One entry per invalid field, for validation errors', type: [FieldErrorDto] })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ description: 'Reference for an unexpected server error, to quote to support', example: 'req-5' })
  correlation_id?: string;
}
