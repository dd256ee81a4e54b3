import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CompanyParamDto } from './company.dto.js';
import { IsAbsentWith, Trim } from './validators.js';

/** Limits, stated in the messages so that people know what fits. The content limit is also a table check (sql/0001). */
export const KNOWLEDGE_LIMITS = { title: 500, content: 20_000, tags: 20, tag: 50, importEntries: 2_000, importText: 900_000 } as const;

export class KnowledgeEntryParamDto extends CompanyParamDto {
  @ApiProperty({ description: 'Knowledge entry id', format: 'uuid', example: '00000000-0000-4000-8000-00000000e001' })
  @IsUUID(undefined, { message: 'entry_id must be a UUID' })
  entry_id: string;
}

export class KnowledgeEntryFieldsDto {
  @ApiPropertyOptional({
    description: `Title, or the question the entry answers (up to ${KNOWLEDGE_LIMITS.title} characters); weighs more than content in search`,
    example: '¿Cuál es el horario?',
    maxLength: KNOWLEDGE_LIMITS.title,
  })
  @IsOptional()
  @Trim()
  @IsString({ message: 'title must be a string' })
  @MaxLength(KNOWLEDGE_LIMITS.title, { message: `title must be at most ${KNOWLEDGE_LIMITS.title} characters` })
  title?: string;

  @ApiPropertyOptional({
    description: 'Another name for title, for question-and-answer data; send one of the two, not both',
    example: '¿Cuál es el horario?',
    maxLength: KNOWLEDGE_LIMITS.title,
  })
  @IsOptional()
  @IsAbsentWith('title', { message: 'send title or question, not both: they are the same field' })
  @Trim()
  @IsString({ message: 'question must be a string' })
  @MaxLength(KNOWLEDGE_LIMITS.title, { message: `question must be at most ${KNOWLEDGE_LIMITS.title} characters` })
  question?: string;

  @ApiPropertyOptional({ description: `Up to ${KNOWLEDGE_LIMITS.tags} tags of up to ${KNOWLEDGE_LIMITS.tag} characters`, type: [String], example: ['horario'] })
  @IsOptional()
  @IsArray({ message: 'tags must be a list of strings' })
  @ArrayMaxSize(KNOWLEDGE_LIMITS.tags, { message: `tags must have at most ${KNOWLEDGE_LIMITS.tags} entries` })
  @IsString({ each: true, message: 'each tag must be a string' })
  @IsNotEmpty({ each: true, message: 'tags must not contain empty strings' })
  @MaxLength(KNOWLEDGE_LIMITS.tag, { each: true, message: `each tag must be at most ${KNOWLEDGE_LIMITS.tag} characters` })
  tags?: string[];
}

export class CreateKnowledgeEntryDto extends KnowledgeEntryFieldsDto {
  @ApiProperty({
    description: `The passage the agent answers from (1 to ${KNOWLEDGE_LIMITS.content} characters)`,
    example: 'Abrimos de lunes a viernes de 9:00 a 19:00.',
    maxLength: KNOWLEDGE_LIMITS.content,
  })
  @Trim()
  @IsString({ message: 'content must be a string' })
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(KNOWLEDGE_LIMITS.content, {
    message: `content must be at most ${KNOWLEDGE_LIMITS.content} characters; split longer text into several entries or use the import`,
  })
  content: string;
}

export class UpdateKnowledgeEntryDto extends KnowledgeEntryFieldsDto {
  @ApiPropertyOptional({
    description: `New content (1 to ${KNOWLEDGE_LIMITS.content} characters)`,
    example: 'Abrimos de lunes a sábado de 9:00 a 19:00.',
    maxLength: KNOWLEDGE_LIMITS.content,
  })
  @IsOptional()
  @Trim()
  @IsString({ message: 'content must be a string' })
  @IsNotEmpty({ message: 'content must not be empty' })
  @MaxLength(KNOWLEDGE_LIMITS.content, { message: `content must be at most ${KNOWLEDGE_LIMITS.content} characters; split longer text into several entries` })
  content?: string;
}

export const IMPORT_FORMATS = ['json', 'markdown', 'text'] as const;

export class ImportKnowledgeDto {
  @ApiProperty({
    description: 'json: entries is a list of entries; markdown: text is split at headings; text: text is split at blank lines',
    enum: IMPORT_FORMATS,
    example: 'markdown',
  })
  @IsIn(IMPORT_FORMATS, { message: 'format must be json, markdown or text' })
  format: (typeof IMPORT_FORMATS)[number];

  @ApiPropertyOptional({ description: `For format json: up to ${KNOWLEDGE_LIMITS.importEntries} entries`, type: [CreateKnowledgeEntryDto] })
  @ValidateIf((o: ImportKnowledgeDto) => o.format === 'json' || o.entries !== undefined)
  @IsArray({ message: 'entries must be a list of entries (needed for format json)' })
  @ArrayNotEmpty({ message: 'entries must not be empty' })
  @ArrayMaxSize(KNOWLEDGE_LIMITS.importEntries, { message: `entries must have at most ${KNOWLEDGE_LIMITS.importEntries} items; import in batches` })
  @ValidateNested({ each: true })
  @Type(() => CreateKnowledgeEntryDto)
  entries?: CreateKnowledgeEntryDto[];

  @ApiPropertyOptional({
    description: `For formats markdown and text: the document (up to ${KNOWLEDGE_LIMITS.importText} characters)`,
    example: '# Horario\nAbrimos de lunes a viernes de 9:00 a 19:00.\n\n# Ubicación\nAvenida Insurgentes Sur 1234.',
  })
  @ValidateIf((o: ImportKnowledgeDto) => o.format !== 'json' || o.text !== undefined)
  @IsString({ message: 'text must be a string (needed for formats markdown and text)' })
  @IsNotEmpty({ message: 'text must not be empty' })
  @MaxLength(KNOWLEDGE_LIMITS.importText, { message: `text must be at most ${KNOWLEDGE_LIMITS.importText} characters; import in parts` })
  text?: string;

  @ApiPropertyOptional({ description: 'Tags added to every imported entry', type: [String], example: ['faq'] })
  @IsOptional()
  @IsArray({ message: 'tags must be a list of strings' })
  @ArrayMaxSize(KNOWLEDGE_LIMITS.tags, { message: `tags must have at most ${KNOWLEDGE_LIMITS.tags} entries` })
  @IsString({ each: true, message: 'each tag must be a string' })
  @IsNotEmpty({ each: true, message: 'tags must not contain empty strings' })
  @MaxLength(KNOWLEDGE_LIMITS.tag, { each: true, message: `each tag must be at most ${KNOWLEDGE_LIMITS.tag} characters` })
  tags?: string[];
}

export class ListKnowledgeQueryDto {
  @ApiPropertyOptional({ description: 'Page number, from 1', example: 1, default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1, { message: 'page must be at least 1' })
  page?: number;

  @ApiPropertyOptional({ description: 'Entries per page (1 to 100)', example: 20, default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page_size must be a whole number' })
  @Min(1, { message: 'page_size must be at least 1' })
  @Max(100, { message: 'page_size must be at most 100' })
  page_size?: number;

  @ApiPropertyOptional({ description: 'Only entries with this tag', example: 'horario' })
  @IsOptional()
  @IsString({ message: 'tag must be a string' })
  @MaxLength(KNOWLEDGE_LIMITS.tag, { message: `tag must be at most ${KNOWLEDGE_LIMITS.tag} characters` })
  tag?: string;
}

export class SearchKnowledgeQueryDto {
  @ApiProperty({ description: 'The question, in the words of a caller (1 to 500 characters)', example: '¿a qué hora abren el sábado?' })
  @Trim()
  @IsString({ message: 'q must be a string' })
  @IsNotEmpty({ message: 'q must not be empty' })
  @MaxLength(500, { message: 'q must be at most 500 characters' })
  q: string;

  @ApiPropertyOptional({ description: 'How many passages (1 to 20)', example: 5, default: 5, minimum: 1, maximum: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1, { message: 'limit must be at least 1' })
  @Max(20, { message: 'limit must be at most 20' })
  limit?: number;
}

export class KnowledgeEntryDto {
  @ApiProperty({ description: 'Entry id', format: 'uuid', example: '00000000-0000-4000-8000-00000000e001' })
  id: string;

  @ApiProperty({ description: 'Company id', format: 'uuid', example: '00000000-0000-4000-8000-000000000001' })
  company_id: string;

  @ApiProperty({ description: 'Title or question (may be empty)', example: '¿Cuál es el horario?' })
  title: string;

  @ApiProperty({ description: 'The passage', example: 'Abrimos de lunes a viernes de 9:00 a 19:00.' })
  content: string;

  @ApiProperty({ description: 'Tags', type: [String], example: ['horario'] })
  tags: string[];

  @ApiProperty({ description: 'Created', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  created_at: string;

  @ApiProperty({ description: 'Last changed', format: 'date-time', example: '2026-11-26T12:00:00.000Z' })
  updated_at: string;
}

export class KnowledgeEntryListDto {
  @ApiProperty({ description: 'The entries of this page, oldest first', type: [KnowledgeEntryDto] })
  items: KnowledgeEntryDto[];

  @ApiProperty({ description: 'Entries in total (with the tag filter)', example: 42 })
  total: number;

  @ApiProperty({ description: 'This page number', example: 1 })
  page: number;

  @ApiProperty({ description: 'Entries per page', example: 20 })
  page_size: number;
}

export class KnowledgeImportResponseDto {
  @ApiProperty({ description: 'How many entries were created', example: 2 })
  imported: number;

  @ApiProperty({ description: 'The created entries', type: [KnowledgeEntryDto] })
  entries: KnowledgeEntryDto[];
}

export class KnowledgeSearchResultDto {
  @ApiProperty({ description: 'Entry id', format: 'uuid', example: '00000000-0000-4000-8000-00000000e001' })
  id: string;

  @ApiProperty({ description: 'Title or question', example: '¿Cuál es el horario?' })
  title: string;

  @ApiProperty({ description: 'The passage', example: 'Abrimos de lunes a viernes de 9:00 a 19:00.' })
  content: string;

  @ApiProperty({ description: 'Tags', type: [String], example: ['horario'] })
  tags: string[];

  @ApiProperty({
    description: 'Relevance: the rarity (idf) of each question word the passage holds, summed, a title match weighing more (higher is better)',
    example: 4.2,
  })
  score: number;

  @ApiProperty({ description: "How many of the question's words the passage contains", example: 2 })
  matched_terms: number;

  @ApiProperty({ description: "Share of the question's words the passage contains (0 to 1)", example: 0.67 })
  coverage: number;
}

export class KnowledgeSearchResponseDto {
  @ApiProperty({ description: 'The question as received', example: '¿a qué hora abren el sábado?' })
  query: string;

  @ApiProperty({ description: "The text-search configuration of the company's language", example: 'spanish' })
  ts_config: string;

  @ApiProperty({ description: 'Best passages first', type: [KnowledgeSearchResultDto] })
  results: KnowledgeSearchResultDto[];
}
