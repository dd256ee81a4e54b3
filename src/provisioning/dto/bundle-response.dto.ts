import { ApiProperty } from '@nestjs/swagger';

const BUNDLE_STATUSES = ['draft', 'pending-review', 'in-review', 'twilio-rejected', 'twilio-approved', 'provisionally-approved'];
const PURCHASE_STATES = ['none', 'purchasing', 'purchased', 'failed'];

export class BundleTimelineEntryDto {
  @ApiProperty({ description: 'When it happened', format: 'date-time', example: '2026-11-26T10:00:00Z' })
  at: string;

  @ApiProperty({ description: 'What happened', example: 'status_changed' })
  event: string;

  @ApiProperty({ description: 'The bundle status after it', enum: BUNDLE_STATUSES, nullable: true, example: 'twilio-approved' })
  status: string | null;

  @ApiProperty({ description: 'The purchase state after it', enum: PURCHASE_STATES, nullable: true, example: 'none' })
  purchase_state: string | null;

  @ApiProperty({
    description: 'Details of the event',
    type: 'object',
    additionalProperties: true,
    example: { from: 'in-review', to: 'twilio-approved', source: 'callback' },
  })
  detail: Record<string, unknown>;
}

export class BundleDocumentDto {
  @ApiProperty({ description: 'Document id', format: 'uuid', example: '0b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' })
  id: string;

  @ApiProperty({ description: 'Supporting document type', example: 'business_registration' })
  type: string;

  @ApiProperty({
    description: 'Attributes sent with it',
    type: 'object',
    additionalProperties: true,
    example: { business_name: 'Clínica Dental Sonrisa SA de CV' },
  })
  attributes: Record<string, unknown>;

  @ApiProperty({ description: 'File name as uploaded', example: 'acta-constitutiva.pdf' })
  file_name: string;

  @ApiProperty({ description: 'MIME type', example: 'application/pdf' })
  mime_type: string;

  @ApiProperty({ description: 'Size in bytes', example: 182044 })
  size_bytes: number;

  @ApiProperty({
    description: 'stored: kept here, Twilio not reached yet (retried); uploaded: Twilio has it; assigned: part of the bundle',
    enum: ['stored', 'uploaded', 'assigned'],
    example: 'assigned',
  })
  upload_state: string;

  @ApiProperty({ description: 'Twilio SupportingDocument SID', nullable: true, example: 'RD0123456789abcdef0123456789abcdef' })
  twilio_document_sid: string | null;

  @ApiProperty({ description: 'Failed attempts to send it to Twilio', example: 0 })
  attempts: number;

  @ApiProperty({ description: 'The last error sending it', nullable: true, example: null })
  last_error: string | null;

  @ApiProperty({ description: 'When it was received', format: 'date-time', example: '2026-11-26T10:00:00Z' })
  created_at: string;
}

export class BundleResponseDto {
  @ApiProperty({ description: 'Bundle id', format: 'uuid', example: '6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5' })
  id: string;

  @ApiProperty({ description: 'The company it is for', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({ description: 'Twilio Bundle SID', nullable: true, example: 'BU0123456789abcdef0123456789abcdef' })
  twilio_bundle_sid: string | null;

  @ApiProperty({ description: "Twilio's status of the bundle", enum: BUNDLE_STATUSES, example: 'draft' })
  status: string;

  @ApiProperty({ description: 'Purchase of the number on approval', enum: PURCHASE_STATES, example: 'none' })
  purchase_state: string;

  @ApiProperty({ description: 'The number bought with the bundle', nullable: true, example: '+525512345678' })
  phone_number: string | null;

  @ApiProperty({ description: 'Why Twilio rejected the bundle', nullable: true, example: null })
  failure_reason: string | null;

  @ApiProperty({ description: 'Every change of state, oldest first', type: [BundleTimelineEntryDto] })
  timeline: BundleTimelineEntryDto[];

  @ApiProperty({ description: 'Country of the numbers', example: 'MX' })
  iso_country: string;

  @ApiProperty({ description: 'Type of number', example: 'local' })
  number_type: string;

  @ApiProperty({ description: 'End-user type', example: 'business' })
  end_user_type: string;

  @ApiProperty({ description: 'Email Twilio informs', example: 'compliance@example.com' })
  email: string;

  @ApiProperty({ description: 'Twilio Regulation SID the bundle follows', example: 'RN0123456789abcdef0123456789abcdef' })
  regulation_sid: string;

  @ApiProperty({ description: 'Why the last purchase attempt failed', nullable: true, example: null })
  purchase_error: string | null;

  @ApiProperty({ description: 'Purchase attempts so far', example: 0 })
  purchase_attempts: number;

  @ApiProperty({ description: 'Supporting documents uploaded through the API', type: [BundleDocumentDto] })
  documents: BundleDocumentDto[];

  @ApiProperty({
    description: 'The latest evaluation by Twilio',
    type: 'object',
    nullable: true,
    additionalProperties: true,
    example: { status: 'compliant', results: [] },
  })
  last_evaluation: Record<string, unknown> | null;

  @ApiProperty({ description: 'Created', format: 'date-time', example: '2026-11-26T10:00:00Z' })
  created_at: string;

  @ApiProperty({ description: 'Last changed', format: 'date-time', example: '2026-11-26T10:00:00Z' })
  updated_at: string;
}

export class EvaluationResponseDto {
  @ApiProperty({ description: "Twilio's verdict", enum: ['compliant', 'noncompliant'], example: 'noncompliant' })
  status: string;

  @ApiProperty({
    description: "Twilio's results per requirement: what is missing, with failure_reason and error_code",
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [{ friendly_name: 'Proof of Identity', passed: false, failure_reason: 'A Proof of Identity document is missing.', error_code: 22216 }],
  })
  results: Record<string, unknown>[];

  @ApiProperty({ description: 'Documents still waiting to reach Twilio (Twilio was unreachable); they are retried', example: 0 })
  documents_pending: number;
}

export class BundleDocumentCreatedDto {
  @ApiProperty({ description: 'Document id', format: 'uuid', example: '0b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e' })
  id: string;

  @ApiProperty({ description: 'The bundle', format: 'uuid', example: '6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5' })
  bundle_id: string;

  @ApiProperty({
    description: 'stored: kept, Twilio will get it on the next attempt; assigned: at Twilio and in the bundle',
    enum: ['stored', 'uploaded', 'assigned'],
    example: 'assigned',
  })
  upload_state: string;

  @ApiProperty({ description: 'Twilio SupportingDocument SID once uploaded', nullable: true, example: 'RD0123456789abcdef0123456789abcdef' })
  twilio_document_sid: string | null;

  @ApiProperty({ description: 'Why Twilio did not get it yet', nullable: true, example: null })
  last_error: string | null;
}
