import { BadRequestException, Injectable, Logger, PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { BundleRecord } from './bundle.types.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { regulationNeeds } from './regulation-requirements.js';
import { TwilioProvisioningClient } from './twilio-provisioning.client.js';
import { TwilioFailure } from './twilio-failure.js';

export interface UploadedFile {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** The types Twilio accepts for supporting documents, with the bytes each file of that type starts with. */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  'image/jpeg': (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
};

/**
 * Supporting documents: checked, kept in the database first (so nothing is lost while Twilio is down), then
 * uploaded to Twilio's upload host and assigned to the bundle. A document Twilio did not get is retried on the
 * next upload, evaluation or submission of its bundle.
 */
@Injectable()
export class BundleDocumentsService {
  private readonly logger = new Logger('BundleDocuments');

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly twilio: TwilioProvisioningClient,
    private readonly config: AppConfig,
  ) {}

  async add(bundleId: string, type: string, attributesText: string | undefined, file: UploadedFile | undefined) {
    const bundle = await this.repository.getBundle(bundleId);
    const accepted = regulationNeeds(bundle.requirements).documentTypes.filter((d) => !d.fields.includes('address_sids'));
    if (!accepted.some((d) => d.type === type)) {
      throw new BadRequestException(
        `type "${type}" is not a document this bundle's regulation accepts; use one of: ${accepted.map((d) => d.type).join(', ') || '(none)'}`,
      );
    }
    const attributes = parseAttributes(attributesText);
    if (!file) throw new BadRequestException('file is required: send the document as the multipart part "file"');
    const max = this.config.provisioning.documentMaxBytes;
    if (file.size > max) throw new PayloadTooLargeException(`The document is ${file.size} bytes; the limit is ${max} bytes`);
    if (file.size === 0) throw new BadRequestException('The document is empty');
    const check = SIGNATURES[file.mimetype];
    if (!check) throw new UnsupportedMediaTypeException(`Documents must be PDF, JPEG or PNG; got ${file.mimetype}`);
    if (!check(file.buffer)) throw new UnsupportedMediaTypeException(`The file's content is not ${file.mimetype}; send a real PDF, JPEG or PNG`);

    const { id } = await this.repository.addDocument(bundleId, {
      type,
      attributes,
      fileName: safeName(file.originalname),
      mimeType: file.mimetype,
      content: file.buffer,
    });
    await this.sendUnsent(bundle);
    const stored = (await this.repository.getBundle(bundleId)).documents.find((d) => d.id === id)!;
    return { id, bundle_id: bundleId, upload_state: stored.upload_state, twilio_document_sid: stored.twilio_document_sid, last_error: stored.last_error };
  }

  /** Sends what Twilio does not have yet; returns how many documents are still not in the bundle. */
  async sendUnsent(bundle: BundleRecord): Promise<number> {
    if (!bundle.twilio_bundle_sid) return 0;
    let pending = 0;
    for (const doc of await this.repository.unsentDocuments(bundle.id)) {
      try {
        let documentSid = doc.twilio_document_sid;
        if (doc.upload_state === 'stored') {
          documentSid = await this.twilio.uploadDocument({
            friendlyName: `${doc.type} ${doc.file_name}`.slice(0, 64),
            type: doc.type,
            attributes: doc.attributes,
            fileName: doc.file_name,
            mimeType: doc.mime_type,
            content: Buffer.from(doc.content_base64, 'base64'),
          });
          await this.repository.recordDocumentStep(doc.id, 'uploaded', documentSid);
        }
        const assignment = await this.twilio.assignItem(bundle.twilio_bundle_sid, documentSid!);
        await this.repository.recordDocumentStep(doc.id, 'assigned', assignment);
      } catch (error) {
        pending += 1;
        const failure = TwilioFailure.from('send the document', error);
        const message = failure.message;
        this.logger.warn(
          { event: 'bundle_document_send_failed', bundle_id: bundle.id, document_id: doc.id, error: message, detail: failure.detail },
          'Document kept; Twilio will get it on the next attempt',
        );
        await this.repository.recordDocumentStep(doc.id, 'failed', undefined, message);
      }
    }
    return pending;
  }
}

function parseAttributes(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new BadRequestException('attributes must be a JSON object string, for example {"business_name":"Acme"}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BadRequestException('attributes must be a JSON object, not a list or a value');
  return parsed as Record<string, unknown>;
}

function safeName(name: string): string {
  const cleaned = name.replace(/[^\p{L}\p{N}._ -]/gu, '_').slice(0, 120);
  return cleaned || 'document';
}
