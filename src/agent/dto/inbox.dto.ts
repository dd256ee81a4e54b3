import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page size, 1 to 200', minimum: 1, maximum: 200, default: 50, example: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(200, { message: 'limit must be at most 200' })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page', example: 'eyJ0IjoiMjAyNi0xMi0wMVQxMDowMDowMFoiLCJpIjoiLi4uIn0' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  cursor?: string;
}

export const TEXT_CHANNELS = ['sms', 'whatsapp'] as const;

export class ListConversationsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only threads of this channel', enum: TEXT_CHANNELS, example: 'whatsapp' })
  @IsOptional()
  @IsIn(TEXT_CHANNELS, { message: 'channel must be sms or whatsapp' })
  channel?: (typeof TEXT_CHANNELS)[number];
}

export class TakenMessageDto {
  @ApiProperty({ description: 'Message id', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Company id', format: 'uuid' })
  company_id: string;

  @ApiProperty({ description: 'Where the message was taken', enum: ['voice', 'sms', 'whatsapp'], example: 'voice' })
  channel: string;

  @ApiProperty({ description: "The caller's or texter's number (E.164)", nullable: true, type: String, example: '+525511112222' })
  contact: string | null;

  @ApiProperty({ description: 'The call it was taken on', nullable: true, type: String, example: 'CA0123456789abcdef0123456789abcdef' })
  call_sid: string | null;

  @ApiProperty({ description: 'The SMS/WhatsApp (or relay) conversation it came from', nullable: true, type: String, format: 'uuid' })
  conversation_id: string | null;

  @ApiProperty({ description: 'What the caller or texter asked to pass on', example: 'Soy Ana, por favor llámenme sobre mi cita' })
  text: string;

  @ApiProperty({ description: 'When it was taken', format: 'date-time' })
  created_at: string;
}

export class TakenMessageListResponseDto {
  @ApiProperty({ description: 'Newest first', type: [TakenMessageDto] })
  items: TakenMessageDto[];

  @ApiProperty({ description: 'Pass as cursor for the next page; null on the last page', nullable: true, type: String })
  next_cursor: string | null;
}

export class ConversationTurnDto {
  @ApiProperty({ description: 'Position in the conversation, from 1', example: 1 })
  seq: number;

  @ApiProperty({ description: 'Who wrote it', enum: ['user', 'agent'], example: 'user' })
  role: string;

  @ApiProperty({ description: 'The text', example: '¿A qué hora abren?' })
  text: string;

  @ApiProperty({
    description: 'What the agent did with its turn (answer, take_message, message_taken, handoff, ...)',
    nullable: true,
    type: String,
    example: 'answer',
  })
  action: string | null;

  @ApiProperty({ description: 'The brain that answered', nullable: true, type: String, enum: ['knowledge', 'openai'] })
  brain: string | null;

  @ApiProperty({ description: 'When it was written', format: 'date-time' })
  created_at: string;
}

export class ConversationDto {
  @ApiProperty({ description: 'Conversation id', format: 'uuid' })
  id: string;

  @ApiProperty({ description: 'Company id', format: 'uuid' })
  company_id: string;

  @ApiProperty({ description: 'The channel', enum: TEXT_CHANNELS, example: 'whatsapp' })
  channel: string;

  @ApiProperty({ description: "The texter's number (E.164)", example: '+525511112222' })
  contact: string;

  @ApiProperty({ description: 'The platform user the number belongs to', nullable: true, type: String, format: 'uuid' })
  user_id: string | null;

  @ApiProperty({ description: 'First message', format: 'date-time' })
  created_at: string;

  @ApiProperty({ description: 'Latest activity (the order of the list)', format: 'date-time' })
  updated_at: string;

  @ApiProperty({ description: 'Turns in the whole thread', example: 12 })
  turn_count: number;

  @ApiProperty({ description: 'The latest 50 turns, oldest first', type: [ConversationTurnDto] })
  turns: ConversationTurnDto[];
}

export class ConversationListResponseDto {
  @ApiProperty({ description: 'Most recently active first', type: [ConversationDto] })
  items: ConversationDto[];

  @ApiProperty({ description: 'Pass as cursor for the next page; null on the last page', nullable: true, type: String })
  next_cursor: string | null;
}
