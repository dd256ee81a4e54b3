import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';
import { BundleRecord, PhoneNumberRecord, UnsentDocument } from './bundle.types.js';

/** Every SQL call of provisioning (functions in sql/0041 and sql/0042). Private to this module. */
@Injectable()
export class ProvisioningRepository {
  constructor(private readonly db: Database) {}

  createBundle(bundle: Record<string, unknown>): Promise<BundleRecord> {
    return this.db.call('create_regulatory_bundle', { p_bundle: bundle });
  }

  getBundle(bundleId: string): Promise<BundleRecord> {
    return this.db.call('get_regulatory_bundle', { p_bundle_id: bundleId });
  }

  bundleCompany(bundleId: string): Promise<string | null> {
    return this.db.call('get_regulatory_bundle_company', { p_bundle_id: bundleId });
  }

  findBundleBySid(sid: string): Promise<BundleRecord | null> {
    return this.db.call('find_regulatory_bundle_by_sid', { p_twilio_bundle_sid: sid });
  }

  listBundles(companyId: string): Promise<BundleRecord[]> {
    return this.db.call('list_regulatory_bundles', { p_company_id: companyId });
  }

  addDocument(
    bundleId: string,
    doc: { type: string; attributes: Record<string, unknown>; fileName: string; mimeType: string; content: Buffer },
  ): Promise<{ id: string }> {
    return this.db.call('add_regulatory_bundle_document', {
      p_bundle_id: bundleId,
      p_type: doc.type,
      p_attributes: doc.attributes,
      p_file_name: doc.fileName,
      p_mime_type: doc.mimeType,
      p_content_base64: doc.content.toString('base64'),
    });
  }

  unsentDocuments(bundleId: string): Promise<UnsentDocument[]> {
    return this.db.call('list_unsent_regulatory_bundle_documents', { p_bundle_id: bundleId });
  }

  recordDocumentStep(documentId: string, step: 'uploaded' | 'assigned' | 'failed', twilioSid?: string, error?: string): Promise<unknown> {
    return this.db.call('record_regulatory_bundle_document_step', {
      p_document_id: documentId,
      p_step: step,
      p_twilio_sid: twilioSid ?? null,
      p_error: error ?? null,
    });
  }

  recordEvaluation(bundleId: string, evaluation: Record<string, unknown>): Promise<BundleRecord> {
    return this.db.call('record_regulatory_bundle_evaluation', { p_bundle_id: bundleId, p_evaluation: evaluation });
  }

  recordSubmission(bundleId: string): Promise<BundleRecord> {
    return this.db.call('record_regulatory_bundle_submission', { p_bundle_id: bundleId });
  }

  claimDue(owner: string, limit: number, leaseSeconds: number): Promise<BundleRecord[]> {
    return this.db.call('claim_due_regulatory_bundles', { p_owner: owner, p_limit: limit, p_lease_seconds: leaseSeconds });
  }

  claim(bundleId: string, owner: string, leaseSeconds: number): Promise<BundleRecord | null> {
    return this.db.call('claim_regulatory_bundle', { p_bundle_id: bundleId, p_owner: owner, p_lease_seconds: leaseSeconds });
  }

  renewLease(bundleId: string, owner: string, leaseSeconds: number): Promise<boolean> {
    return this.db.call('renew_regulatory_bundle_lease', { p_bundle_id: bundleId, p_owner: owner, p_lease_seconds: leaseSeconds });
  }

  releaseLease(bundleId: string, owner: string, nextCheckSeconds: number): Promise<boolean> {
    return this.db.call('release_regulatory_bundle_lease', { p_bundle_id: bundleId, p_owner: owner, p_next_check_seconds: nextCheckSeconds });
  }

  applyStatus(bundleId: string, status: string, failureReason: string | null, source: string): Promise<BundleRecord> {
    return this.db.call('apply_regulatory_bundle_status', { p_bundle_id: bundleId, p_status: status, p_failure_reason: failureReason, p_source: source });
  }

  countByStatus(): Promise<Record<string, number>> {
    return this.db.call('count_regulatory_bundles_by_status');
  }

  async startPurchase(bundleId: string, owner: string): Promise<boolean> {
    return (
      await this.db.call<'start_regulatory_bundle_purchase', { started: boolean }>('start_regulatory_bundle_purchase', {
        p_bundle_id: bundleId,
        p_owner: owner,
      })
    ).started;
  }

  recordPurchase(
    bundleId: string,
    n: { phone_number: string; sid: string; voice_url: string | null; sms_url: string | null; status_callback: string | null },
  ): Promise<BundleRecord> {
    return this.db.call('record_regulatory_bundle_purchase', {
      p_bundle_id: bundleId,
      p_phone_number: n.phone_number,
      p_twilio_sid: n.sid,
      p_voice_url: n.voice_url,
      p_sms_url: n.sms_url,
      p_status_callback_url: n.status_callback,
    });
  }

  /** The number a purchase chose (sql/0090): bought, being bought, or refused so far `misses` times. */
  purchaseCandidate(bundleId: string): Promise<{ phone_number: string | null; misses: number }> {
    return this.db.call('get_regulatory_bundle_purchase_candidate', { p_bundle_id: bundleId });
  }

  /** False when the lease was lost: nothing may be bought then. */
  choosePurchaseCandidate(bundleId: string, owner: string, phoneNumber: string): Promise<boolean> {
    return this.db.call('choose_regulatory_bundle_number', { p_bundle_id: bundleId, p_owner: owner, p_phone_number: phoneNumber });
  }

  missPurchaseCandidate(bundleId: string, owner: string, maxMisses: number): Promise<{ phone_number: string | null; misses: number } | null> {
    return this.db.call('miss_regulatory_bundle_number', { p_bundle_id: bundleId, p_owner: owner, p_max_misses: maxMisses });
  }

  recordPurchaseFailure(bundleId: string, error: string, final: boolean): Promise<BundleRecord> {
    return this.db.call('record_regulatory_bundle_purchase_failure', { p_bundle_id: bundleId, p_error: error, p_final: final });
  }

  /** Refused (403) unless the company may configure the number; returns the owner seen, for the compare-and-set. */
  checkNumberConfiguration(phoneNumber: string, companyId: string, platformAdmin: boolean): Promise<{ expected_company_id: string | null; moves: boolean }> {
    return this.db.call('check_phone_number_configuration', { p_phone_number: phoneNumber, p_company_id: companyId, p_platform_admin: platformAdmin });
  }

  /** Writes only if the number's owner is still `expectedCompanyId` (409 otherwise). */
  recordNumberConfiguration(
    phoneNumber: string,
    companyId: string,
    expectedCompanyId: string | null,
    n: { sid: string; voice_url: string | null; sms_url: string | null; status_callback: string | null },
    platformAdmin: boolean,
  ): Promise<PhoneNumberRecord> {
    return this.db.call('record_phone_number_configuration_if_unchanged', {
      p_phone_number: phoneNumber,
      p_company_id: companyId,
      p_expected_company_id: expectedCompanyId,
      p_twilio_sid: n.sid,
      p_voice_url: n.voice_url,
      p_sms_url: n.sms_url,
      p_status_callback_url: n.status_callback,
      p_platform_admin: platformAdmin,
    });
  }

  listCompanyNumbers(companyId: string): Promise<PhoneNumberRecord[]> {
    return this.db.call('list_company_phone_numbers', { p_company_id: companyId });
  }

  setWebhookState(phoneNumber: string, state: 'configured' | 'drifted'): Promise<PhoneNumberRecord> {
    return this.db.call('set_phone_number_webhook_state', { p_phone_number: phoneNumber, p_state: state });
  }
}
