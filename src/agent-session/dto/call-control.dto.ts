import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { IsDialOutNumber } from '../../companies/dto/validators.js';

export class TransferCallDto {
  @ApiProperty({
    description: 'Where to transfer the caller: E.164, a fixed-line, mobile or toll-free number (premium, shared-cost and satellite ranges are refused)',
    example: '+525512345678',
  })
  @IsString({ message: 'to must be a phone number in E.164 form' })
  @IsDialOutNumber()
  to: string;
}

export const CALL_CONTROL_ACTIONS = ['hangup', 'transfer'] as const;
export type CallControlAction = (typeof CALL_CONTROL_ACTIONS)[number];

export class CallControlResponseDto {
  @ApiProperty({ description: 'Twilio call SID', example: 'CA0123456789abcdef0123456789abcdef' })
  call_sid: string;

  @ApiProperty({ description: 'What Twilio was asked to do with the live call', enum: CALL_CONTROL_ACTIONS, example: 'hangup' })
  action: CallControlAction;

  @ApiProperty({ description: 'The number the caller is transferred to (transfer only)', nullable: true, type: String, example: null })
  to: string | null;
}
