import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { maskPhoneNumber } from '../lookup/phone-number.js';
import { PhoneNumberResolver } from '../lookup/phone-number-resolver.js';
import { BundleRecord } from './bundle.types.js';
import { ProvisioningRepository } from './provisioning.repository.js';
import { IncomingNumber, TwilioProvisioningClient } from './twilio-provisioning.client.js';
import { TwilioFailure } from './twilio-failure.js';
import { assertLeaseOutlastsRequests } from './purchase-lease.js';
import { purchaseFriendlyName, webhookUrlsFor } from './webhook-urls.js';

/** After this many attempts that ended without an answer, the purchase is given up (purchase_state failed). */
const MAX_PURCHASE_ATTEMPTS = 20;
/** Numbers tried when the first one was sold to someone else between search and purchase. */
const CANDIDATES = 3;
/** Twilio: the number is no longer available. */
const NUMBER_UNAVAILABLE = 21422;
/**
 * Attempts that may find the chosen number neither in the account nor for sale before another one is chosen:
 * an earlier purchase of it that Twilio completes late has that long (attempts are a poll interval apart) to show.
 */
const MAX_CANDIDATE_MISSES = 3;

/**
 * Buys the number of an approved bundle, exactly once. The caller holds the bundle's lease. Order of steps:
 * durable `purchasing` mark → look in the account for a number bought with this bundle's FriendlyName or for the
 * exact number an earlier attempt chose (it may have bought it, or Twilio may have completed it after our timeout)
 * → choose a number and record the choice → renew the lease → buy with the webhooks → record. A crash or a
 * timeout at any point leaves `purchasing` and the choice, and the next attempt finds or buys that same number:
 * searching again could return other numbers and buy a second one.
 */
@Injectable()
export class NumberPurchaseService {
  private readonly logger = new Logger('NumberPurchase');

  constructor(
    private readonly repository: ProvisioningRepository,
    private readonly twilio: TwilioProvisioningClient,
    private readonly resolver: PhoneNumberResolver,
    private readonly config: AppConfig,
  ) {
    assertLeaseOutlastsRequests(config.provisioning.leaseSeconds, twilio.requestTimeoutMs);
  }

  async purchase(bundle: BundleRecord, owner: string): Promise<BundleRecord> {
    if (!(await this.repository.startPurchase(bundle.id, owner))) return this.repository.getBundle(bundle.id);
    const friendlyName = purchaseFriendlyName(bundle.id);
    try {
      if (!(await this.repository.renewLease(bundle.id, owner, this.config.provisioning.leaseSeconds))) return this.repository.getBundle(bundle.id);
      const existing = await this.findBought(bundle, owner, friendlyName);
      const number = existing ?? (await this.buy(bundle, owner, friendlyName));
      if (!number) return this.repository.getBundle(bundle.id);
      const recorded = await this.repository.recordPurchase(bundle.id, number);
      this.resolver.invalidate(number.phone_number);
      this.logger.log(
        { event: 'number_purchased', bundle_id: bundle.id, phone_number: maskPhoneNumber(number.phone_number), found_existing: Boolean(existing) },
        'Bundle number recorded',
      );
      return recorded;
    } catch (error) {
      if (error instanceof LeaseLost) return this.repository.getBundle(bundle.id);
      // Only Twilio refusing (or nothing to buy) is final; no answer, a 5xx or our own failure is retried.
      const known = error instanceof PurchaseRefused || error instanceof TwilioFailure || error instanceof CandidateNotSeen;
      const failure = known ? error : new Error(`Recording the purchase failed: ${(error as Error).message}`);
      const transient = failure instanceof TwilioFailure ? failure.transient : !(failure instanceof PurchaseRefused);
      const attempts = (await this.repository.getBundle(bundle.id)).purchase_attempts;
      const final = !transient || attempts >= MAX_PURCHASE_ATTEMPTS;
      this.logger.warn({ event: 'number_purchase_failed', bundle_id: bundle.id, final, error: failure.message }, 'Bundle number purchase failed');
      return this.repository.recordPurchaseFailure(bundle.id, failure.message, final);
    }
  }

  /** A number an earlier attempt bought: by this bundle's FriendlyName, or the exact number it chose. */
  private async findBought(bundle: BundleRecord, owner: string, friendlyName: string): Promise<IncomingNumber | null> {
    const ours = (n: IncomingNumber | null | undefined): n is IncomingNumber => Boolean(n) && n!.bundle_sid === bundle.twilio_bundle_sid;
    const byName = (await this.twilio.findIncomingByFriendlyName(friendlyName)).find(ours);
    if (byName) return byName;
    const { phone_number: candidate } = await this.repository.purchaseCandidate(bundle.id);
    if (!candidate) return null;
    if (!(await this.repository.renewLease(bundle.id, owner, this.config.provisioning.leaseSeconds))) throw new LeaseLost();
    const exact = await this.twilio.findIncomingByNumber(candidate);
    return ours(exact) ? exact : null;
  }

  /** Null when the lease was lost before buying: another worker owns the bundle now, and buying could double. */
  private async buy(bundle: BundleRecord, owner: string, friendlyName: string): Promise<IncomingNumber | null> {
    if (!bundle.twilio_bundle_sid || !bundle.address_sid) throw new PurchaseRefused('The bundle has no Twilio bundle or address to buy with');
    const { leaseSeconds } = this.config.provisioning;
    const urls = webhookUrlsFor(this.config, bundle.company_id);
    const order = { bundleSid: bundle.twilio_bundle_sid, addressSid: bundle.address_sid, friendlyName, urls };

    // An earlier attempt chose a number and did not see it bought: that number again, never a new search.
    const { phone_number: chosen } = await this.repository.purchaseCandidate(bundle.id);
    if (chosen) {
      if (!(await this.repository.renewLease(bundle.id, owner, leaseSeconds))) return null;
      try {
        return await this.twilio.buyNumber({ phoneNumber: chosen, ...order });
      } catch (error) {
        if (!(error instanceof TwilioFailure) || error.code !== NUMBER_UNAVAILABLE) throw error;
        const missed = await this.repository.missPurchaseCandidate(bundle.id, owner, MAX_CANDIDATE_MISSES);
        throw new CandidateNotSeen(Boolean(missed?.phone_number));
      }
    }

    if (!(await this.repository.renewLease(bundle.id, owner, leaseSeconds))) return null;
    const contains = bundle.number_preferences?.contains;
    let candidates = await this.twilio.searchAvailable(bundle.iso_country, bundle.number_type, contains, CANDIDATES);
    if (candidates.length === 0 && contains) candidates = await this.twilio.searchAvailable(bundle.iso_country, bundle.number_type, undefined, CANDIDATES);
    if (candidates.length === 0) throw new PurchaseRefused(`Twilio has no ${bundle.number_type} numbers for sale in ${bundle.iso_country}`);
    for (const [i, phoneNumber] of candidates.entries()) {
      // The choice is durable before the request goes out (and renews nothing: the lease is renewed just below).
      if (!(await this.repository.choosePurchaseCandidate(bundle.id, owner, phoneNumber))) return null;
      if (!(await this.repository.renewLease(bundle.id, owner, leaseSeconds))) return null;
      try {
        return await this.twilio.buyNumber({ phoneNumber, ...order });
      } catch (error) {
        // Refused at once as unavailable: this attempt did not buy it, so the next candidate is safe to try.
        const last = i === candidates.length - 1;
        if (!(error instanceof TwilioFailure) || error.code !== NUMBER_UNAVAILABLE || last) throw error;
      }
    }
    return null;
  }
}

/** A purchase that cannot succeed by retrying (no numbers, no bundle). */
class PurchaseRefused extends Error {}

/** The chosen number is neither in the account nor for sale: an earlier purchase may still complete (retried). */
class CandidateNotSeen extends Error {
  constructor(kept: boolean) {
    super(
      kept
        ? 'The chosen number is neither in the account nor for sale yet; an earlier purchase of it may still complete'
        : 'The chosen number was not bought and is no longer for sale; another number is chosen next time',
    );
  }
}

/** The lease expired mid-purchase: another worker may own the bundle now. */
class LeaseLost extends Error {
  constructor() {
    super('The bundle lease expired during the purchase');
  }
}
