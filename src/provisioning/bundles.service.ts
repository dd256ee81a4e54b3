import { BadRequestException, ConflictException, ForbiddenException, Injectable, Logger } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { AppConfig } from '../config/app-config.js';
import { BundleRecord } from './bundle.types.js';
import { BundleDocumentsService } from './bundle-documents.service.js';
import { BundleSyncService } from './bundle-sync.service.js';
import { CreateBundleDto } from './dto/create-bundle.dto.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { regulationNeeds } from './regulation-requirements.js';
import { TwilioProvisioningClient } from './twilio-provisioning.client.js';
import { TwilioFailure } from './twilio-failure.js';
import { bundleStatusCallbackUrl } from './webhook-urls.js';

const BUNDLE_SID = /^BU[0-9a-fA-F]{32}$/;

/** Creating, evaluating and submitting bundles, and the triggers (status callback, simulated approval) of their sync. */
@Injectable()
export class BundlesService {
  private readonly logger = new Logger('Bundles');

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly twilio: TwilioProvisioningClient,
    private readonly documents: BundleDocumentsService,
    private readonly sync: BundleSyncService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Everything is checked before anything is written: the regulation (found through Twilio's Regulations
   * resource), the end-user fields it asks for, the address. Then the Twilio objects, then our row. When Twilio
   * fails half way nothing is saved here (the Twilio drafts left behind are unused and harmless).
   */
  async create(tenant: Tenant, dto: CreateBundleDto): Promise<BundleRecord> {
    const regulation = await this.twilio.findRegulation(dto.iso_country, dto.number_type, dto.end_user_type).catch((e: unknown) => {
      throw TwilioFailure.from('look up the regulation', e).toHttp();
    });
    if (!regulation) {
      throw new BadRequestException(
        `Twilio has no regulation for ${dto.number_type} numbers in ${dto.iso_country} for ${dto.end_user_type} end users: check iso_country and number_type`,
      );
    }
    const needs = regulationNeeds(regulation.requirements);
    const endUser = dto.end_user ?? {};
    const notStrings = Object.entries(endUser)
      .filter(([, v]) => typeof v !== 'string')
      .map(([k]) => k);
    if (notStrings.length > 0) throw new BadRequestException(`end_user fields must be text: ${notStrings.join(', ')}`);
    const missing = needs.endUserFields.filter((f) => !endUser[f]?.trim());
    if (missing.length > 0) {
      throw new BadRequestException(`end_user is missing what the ${dto.iso_country} ${dto.number_type} regulation asks for: ${missing.join(', ')}`);
    }
    if (dto.number_type === 'local' && dto.address.iso_country !== dto.iso_country) {
      throw new BadRequestException(`address.iso_country must be ${dto.iso_country}: local numbers need an address in their country`);
    }

    const label = `${dto.iso_country} ${dto.number_type} ${tenant.companyId.slice(0, 8)}`;
    const sids = await this.createAtTwilio(dto, endUser, needs.addressDocumentType, regulation.sid, label).catch((e: unknown) => {
      throw TwilioFailure.from('create the bundle', e).toHttp();
    });
    const bundle = await this.repository.createBundle({
      company_id: tenant.companyId,
      created_by: tenant.user.id,
      iso_country: dto.iso_country,
      number_type: dto.number_type,
      end_user_type: dto.end_user_type,
      email: dto.email,
      friendly_name: `Bundle ${label}`,
      regulation_sid: regulation.sid,
      requirements: regulation.requirements,
      number_preferences: dto.number_preferences ?? {},
      ...sids,
    });
    this.logger.log({ event: 'bundle_created', bundle_id: bundle.id, company_id: bundle.company_id }, 'Bundle created');
    return bundle;
  }

  private async createAtTwilio(
    dto: CreateBundleDto,
    endUser: Record<string, string>,
    addressDocumentType: string | null,
    regulationSid: string,
    label: string,
  ) {
    const addressSid = await this.twilio.createAddress(dto.address, `Address ${label}`);
    const endUserName = endUser.business_name ?? ([endUser.first_name, endUser.last_name].filter(Boolean).join(' ') || dto.email);
    const endUserSid = await this.twilio.createEndUser(endUserName.slice(0, 64), dto.end_user_type, endUser);
    const addressDocumentSid = addressDocumentType
      ? await this.twilio.createDocument(`Address ${label}`, addressDocumentType, { address_sids: [addressSid] })
      : null;
    const bundleSid = await this.twilio.createBundle({
      friendlyName: `Bundle ${label}`,
      email: dto.email,
      statusCallback: bundleStatusCallbackUrl(this.config),
      regulationSid,
    });
    await this.twilio.assignItem(bundleSid, endUserSid);
    if (addressDocumentSid) await this.twilio.assignItem(bundleSid, addressDocumentSid);
    return { twilio_bundle_sid: bundleSid, end_user_sid: endUserSid, address_sid: addressSid, address_document_sid: addressDocumentSid };
  }

  get(bundleId: string): Promise<BundleRecord> {
    return this.repository.getBundle(bundleId);
  }

  list(tenant: Tenant): Promise<BundleRecord[]> {
    return this.repository.listBundles(tenant.companyId);
  }

  /** Sends documents Twilio lacks, then asks Twilio what is still missing. */
  async evaluate(bundleId: string) {
    const bundle = await this.repository.getBundle(bundleId);
    if (!bundle.twilio_bundle_sid) throw new ConflictException('The bundle has no Twilio bundle yet');
    const pending = await this.documents.sendUnsent(bundle);
    const evaluation = await this.twilio.evaluate(bundle.twilio_bundle_sid).catch((e: unknown) => {
      throw TwilioFailure.from('evaluate the bundle', e).toHttp(false);
    });
    await this.repository.recordEvaluation(bundle.id, { ...evaluation });
    return { status: evaluation.status, results: evaluation.results, documents_pending: pending };
  }

  /** Submits for review only when every document is at Twilio and Twilio finds the bundle compliant. */
  async submit(bundleId: string): Promise<BundleRecord> {
    const bundle = await this.repository.getBundle(bundleId);
    if (bundle.status !== 'draft') throw new ConflictException(`Only a draft bundle can be submitted; this one is ${bundle.status}`);
    const { status, results, documents_pending } = await this.evaluate(bundleId);
    if (documents_pending > 0) {
      throw new ConflictException(`${documents_pending} document(s) have not reached Twilio yet (it did not answer); they are kept. Submit again shortly`);
    }
    if (status !== 'compliant') {
      const reasons = results.filter((r) => r.passed === false).map((r) => String(r.failure_reason ?? r.friendly_name));
      throw new ConflictException(`Twilio finds the bundle incomplete: ${reasons.join('; ')}`);
    }
    await this.twilio.submit(bundle.twilio_bundle_sid!).catch((e: unknown) => {
      throw TwilioFailure.from('submit the bundle', e).toHttp(false);
    });
    return this.repository.recordSubmission(bundle.id);
  }

  /** Twilio's status callback is a trigger only: the bundle is re-read from Twilio under its lease. */
  async handleStatusCallback(body: Record<string, unknown>): Promise<void> {
    const bundleSid = typeof body.BundleSid === 'string' ? body.BundleSid : '';
    if (!BUNDLE_SID.test(bundleSid)) {
      this.logger.warn({ event: 'bundle_callback_ignored', reason: 'no valid BundleSid' }, 'Bundle status callback without a BundleSid');
      return;
    }
    const bundle = await this.repository.findBundleBySid(bundleSid);
    if (!bundle) {
      this.logger.warn(
        { event: 'bundle_callback_ignored', reason: 'unknown bundle', bundle_sid: bundleSid },
        'Bundle status callback for a bundle we do not have',
      );
      return;
    }
    // Twilio waits for our answer (and retries a slow one): the slow part (re-reading the bundle, buying its number)
    // runs in the background under the claim taken here.
    await this.sync.claimForBackground(bundle.id, 'callback').catch((error: unknown) => {
      this.logger.warn(
        { event: 'bundle_callback_claim_failed', bundle_id: bundle.id, error: (error as Error).message },
        'Could not claim the bundle; the poll retries',
      );
    });
  }

  /** Drives the approval path without Twilio's review (development and staging only). */
  async simulateApproval(bundleId: string): Promise<BundleRecord> {
    if (this.config.env === 'production') throw new ForbiddenException('Simulated approval is refused in production');
    const bundle = await this.repository.getBundle(bundleId);
    if (bundle.status === 'twilio-rejected') throw new ConflictException('The bundle was rejected; it cannot be approved');
    const owner = this.sync.newOwner();
    const claimed = await this.repository.claim(bundle.id, owner, this.config.provisioning.leaseSeconds);
    if (!claimed) throw new ConflictException('Another worker is processing this bundle; try again in a moment');
    return this.sync.processClaimed(claimed, owner, 'simulated', 'twilio-approved');
  }
}
