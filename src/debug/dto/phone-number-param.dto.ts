import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class PhoneNumberParamDto {
  @ApiProperty({ description: 'A phone number in any usual form: +525512345678, whatsapp:+5215512345678, tel:, URL-encoded', example: '+525512345678' })
  @IsString()
  @Length(1, 64)
  phone_number: string;
}
