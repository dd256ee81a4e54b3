import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { maskPhoneNumber } from '../lookup/phone-number.js';
import { PhoneNumberResolver } from '../lookup/phone-number-resolver.js';
import { BundleRecord } from './bundle.types.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { IncomingNumber, TwilioProvisioningClient } from './twilio-provisioning.client.js';
import { TwilioFailure } from './twilio-failure.js';
import { purchaseFriendlyName, webhookUrlsFor } from './webhook-urls.js';

/** After this many attempts that ended without an answer, the purchase is given up (purchase_state failed). */
const MAX_PURCHASE_ATTEMPTS = 20;
/** Numbers tried when the first one was sold to someone else between search and purchase. */
const CANDIDATES = 3;
/** Twilio: the number is no longer available. */
const NUMBER_UNAVAILABLE = 21422;

/**
 * Buys the number of an approved bundle, exactly once. The caller holds the bundle's lease. Order of steps:
 * durable `purchasing` mark → look in the account for a number bought with this bundle's FriendlyName (an
 * earlier attempt may have bought it and crashed before recording) → renew the lease → buy with the webhooks →
 * record. A crash at any point leaves `purchasing`, and the next attempt finds what was bought.
 */
@Injectable()
export class NumberPurchaseService {
  private readonly logger = new Logger('NumberPurchase');

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly twilio: TwilioProvisioningClient,
    private readonly resolver: PhoneNumberResolver,
    private readonly config: AppConfig,
  ) {}

  async purchase(bundle: BundleRecord, owner: string): Promise<BundleRecord> {
    if (!(await this.repository.startPurchase(bundle.id, owner))) return this.repository.getBundle(bundle.id);
    const friendlyName = purchaseFriendlyName(bundle.id);
    try {
      const existing = (await this.twilio.findIncomingByFriendlyName(friendlyName)).find((n) => n.bundle_sid === bundle.twilio_bundle_sid);
      const number = existing ?? (await this.buy(bundle, owner, friendlyName));
      if (!number) return this.repository.getBundle(bundle.id);
      const recorded = await this.repository.recordPurchase(bundle.id, number);
      this.resolver.invalidate(number.phone_number);
      this.logger.log({ event: 'number_purchased', bundle_id: bundle.id, phone_number: maskPhoneNumber(number.phone_number), found_existing: Boolean(existing) }, 'Bundle number recorded');
      return recorded;
    } catch (error) {
      // Only Twilio refusing (or nothing to buy) is final; no answer, a 5xx or our own failure is retried.
      const failure = error instanceof PurchaseRefused || error instanceof TwilioFailure ? error : new Error(`Recording the purchase failed: ${(error as Error).message}`);
      const transient = failure instanceof TwilioFailure ? failure.transient : !(failure instanceof PurchaseRefused);
      const attempts = (await this.repository.getBundle(bundle.id)).purchase_attempts;
      const final = !transient || attempts >= MAX_PURCHASE_ATTEMPTS;
      this.logger.warn({ event: 'number_purchase_failed', bundle_id: bundle.id, final, error: failure.message }, 'Bundle number purchase failed');
      return this.repository.recordPurchaseFailure(bundle.id, failure.message, final);
    }
  }

  /** Null when the lease was lost before buying: another worker owns the bundle now, and buying could double. */
  private async buy(bundle: BundleRecord, owner: string, friendlyName: string): Promise<IncomingNumber | null> {
    if (!bundle.twilio_bundle_sid || !bundle.address_sid) throw new PurchaseRefused('The bundle has no Twilio bundle or address to buy with');
    const contains = bundle.number_preferences?.contains;
    let candidates = await this.twilio.searchAvailable(bundle.iso_country, bundle.number_type, contains, CANDIDATES);
    if (candidates.length === 0 && contains) candidates = await this.twilio.searchAvailable(bundle.iso_country, bundle.number_type, undefined, CANDIDATES);
    if (candidates.length === 0) throw new PurchaseRefused(`Twilio has no ${bundle.number_type} numbers for sale in ${bundle.iso_country}`);
    const urls = webhookUrlsFor(this.config, bundle.company_id);
    for (const [i, phoneNumber] of candidates.entries()) {
      if (!(await this.repository.renewLease(bundle.id, owner, this.config.provisioning.leaseSeconds))) return null;
      try {
        return await this.twilio.buyNumber({ phoneNumber, bundleSid: bundle.twilio_bundle_sid, addressSid: bundle.address_sid, friendlyName, urls });
      } catch (error) {
        const last = i === candidates.length - 1;
        if (!(error instanceof TwilioFailure) || error.code !== NUMBER_UNAVAILABLE || last) throw error;
      }
    }
    return null;
  }
}

/** A purchase that cannot succeed by retrying (no numbers, no bundle). */
class PurchaseRefused extends Error {}
