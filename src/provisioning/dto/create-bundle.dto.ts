import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, ValidateNested } from 'class-validator';

export const NUMBER_TYPES = ['local', 'mobile', 'national', 'toll-free'] as const;
export const END_USER_TYPES = ['individual', 'business'] as const;

export class BundleAddressDto {
  @ApiProperty({ description: 'Name of the customer at the address (the business or the person)', example: 'Clínica Dental Sonrisa SA de CV' })
  @IsString()
  @Length(1, 200)
  customer_name: string;

  @ApiProperty({ description: 'Street and number; within the locality of the numbers wanted (no PO boxes)', example: 'Av. Insurgentes Sur 1234' })
  @IsString()
  @Length(1, 200)
  street: string;

  @ApiProperty({ description: 'City', example: 'Ciudad de México' })
  @IsString()
  @Length(1, 100)
  city: string;

  @ApiProperty({ description: 'State or region', example: 'CDMX' })
  @IsString()
  @Length(1, 100)
  region: string;

  @ApiProperty({ description: 'Postal code', example: '03100' })
  @IsString()
  @Length(1, 20)
  postal_code: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 country of the address (the bundle country for local numbers)', example: 'MX' })
  @Matches(/^[A-Z]{2}$/, { message: 'address.iso_country must be a two-letter ISO country code in capitals, for example MX' })
  iso_country: string;
}

export class NumberPreferencesDto {
  @ApiPropertyOptional({ description: "Digits (or Twilio's * % + $ pattern) the number should contain; any number when none matches", example: '55' })
  @IsOptional()
  @Matches(/^[0-9A-Za-z*%+$]{2,16}$/, { message: 'number_preferences.contains must be 2 to 16 digits, letters or * % + $' })
  contains?: string;
}

export class CreateBundleDto {
  @ApiProperty({ description: 'The company the bundle (and its number) is for', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  @IsUUID('all', { message: 'company_id must be a UUID' })
  company_id: string;

  @ApiProperty({ description: 'ISO 3166-1 alpha-2 country of the numbers', example: 'MX' })
  @Matches(/^[A-Z]{2}$/, { message: 'iso_country must be a two-letter ISO country code in capitals, for example MX' })
  iso_country: string;

  @ApiProperty({ description: 'Type of number', enum: NUMBER_TYPES, example: 'local' })
  @IsIn(NUMBER_TYPES, { message: `number_type must be one of ${NUMBER_TYPES.join(', ')}` })
  number_type: (typeof NUMBER_TYPES)[number];

  @ApiProperty({ description: 'Who the end user is', enum: END_USER_TYPES, example: 'business' })
  @IsIn(END_USER_TYPES, { message: `end_user_type must be one of ${END_USER_TYPES.join(', ')}` })
  end_user_type: (typeof END_USER_TYPES)[number];

  @ApiProperty({ description: 'Email that Twilio informs of status changes', example: 'compliance@example.com' })
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({
    description: "The end user's details: the fields the country's regulation asks for (e.g. business_name, business_registration_number)",
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { business_name: 'Clínica Dental Sonrisa SA de CV', business_registration_number: 'CDS123456AB1' },
  })
  @IsObject({ message: 'end_user must be an object of the fields the regulation asks for' })
  end_user: Record<string, string>;

  @ApiProperty({ description: "The end user's address in the country", type: BundleAddressDto })
  @IsObject({ message: 'address must be an object with customer_name, street, city, region, postal_code and iso_country' })
  @ValidateNested()
  @Type(() => BundleAddressDto)
  address: BundleAddressDto;

  @ApiPropertyOptional({ description: 'Preferences for the number bought on approval', type: NumberPreferencesDto })
  @IsOptional()
  @IsObject({ message: 'number_preferences must be an object, for example { "contains": "55" }' })
  @ValidateNested()
  @Type(() => NumberPreferencesDto)
  number_preferences?: NumberPreferencesDto;
}

export class ListBundlesQueryDto {
  @ApiProperty({ description: 'The company whose bundles to list', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  @IsUUID('all', { message: 'company_id must be a UUID' })
  company_id: string;
}

export class BundleIdParamDto {
  @ApiProperty({ description: 'Bundle id', format: 'uuid', example: '6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5' })
  @IsUUID('all', { message: 'bundle_id must be a UUID' })
  bundle_id: string;
}

export class UploadBundleDocumentDto {
  @ApiProperty({ description: "The supporting document type, one the bundle's regulation accepts", example: 'business_registration' })
  @IsString()
  @Length(1, 100)
  type: string;

  @ApiPropertyOptional({
    description: 'The document attributes as a JSON object string',
    example: '{"business_name":"Clínica Dental Sonrisa SA de CV","registration_number":"CDS123456AB1"}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  attributes?: string;
}
