import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { TwilioRestClient } from '../twilio/twilio-rest-client.js';
import { requestTimeoutOf, twilioBaseUrl } from '../twilio/twilio-rest-client.js';
import { TWILIO_REST_CLIENT } from '../twilio/twilio.tokens.js';
import { TwilioFailure } from './twilio-failure.js';

export type NumberType = 'local' | 'mobile' | 'national' | 'toll-free';
export type EndUserType = 'individual' | 'business';

export interface Regulation {
  sid: string;
  requirements: Record<string, unknown>;
}

export interface AddressInput {
  customer_name: string;
  street: string;
  city: string;
  region: string;
  postal_code: string;
  iso_country: string;
}

export interface Evaluation {
  sid: string;
  status: 'compliant' | 'noncompliant';
  results: Record<string, unknown>[];
}

export interface IncomingNumber {
  sid: string;
  phone_number: string;
  friendly_name: string;
  bundle_sid: string | null;
  voice_url: string | null;
  voice_method: string | null;
  sms_url: string | null;
  sms_method: string | null;
  status_callback: string | null;
}

export interface WebhookUrls {
  voiceUrl: string;
  smsUrl: string;
  statusCallback: string;
}

export interface UploadDocument {
  friendlyName: string;
  type: string;
  attributes: Record<string, unknown>;
  fileName: string;
  mimeType: string;
  content: Buffer;
}

const UPLOAD_TIMEOUT_MS = 30_000;

/**
 * Every Twilio request of provisioning, through the official SDK where it covers them; document uploads go
 * multipart to the upload host, which the SDK has no method for. Failures become TwilioFailure.
 */
@Injectable()
export class TwilioProvisioningClient {
  constructor(
    @Inject(TWILIO_REST_CLIENT) private readonly client: TwilioRestClient,
    private readonly config: AppConfig,
  ) {}

  /** How long one request may go unanswered (Twilio may still complete it after that). */
  get requestTimeoutMs(): number {
    return requestTimeoutOf(this.client);
  }

  private get rc() {
    return this.client.numbers.v2.regulatoryCompliance;
  }

  findRegulation(isoCountry: string, numberType: NumberType, endUserType: EndUserType): Promise<Regulation | null> {
    return call('look up the regulation', async () => {
      const found = await this.rc.regulations.list({ isoCountry, numberType, endUserType, includeConstraints: true, limit: 1 });
      return found[0] ? { sid: found[0].sid, requirements: (found[0].requirements ?? {}) as Record<string, unknown> } : null;
    });
  }

  createAddress(address: AddressInput, friendlyName: string): Promise<string> {
    return call('create the address', async () => {
      const created = await this.client.addresses.create({
        customerName: address.customer_name,
        street: address.street,
        city: address.city,
        region: address.region,
        postalCode: address.postal_code,
        isoCountry: address.iso_country,
        friendlyName: friendlyName.slice(0, 64),
      });
      return created.sid;
    });
  }

  createEndUser(friendlyName: string, type: EndUserType, attributes: Record<string, unknown>): Promise<string> {
    return call('create the end user', async () => (await this.rc.endUsers.create({ friendlyName, type, attributes })).sid);
  }

  /** A supporting document without a file (the address document: its attributes name the address). */
  createDocument(friendlyName: string, type: string, attributes: Record<string, unknown>): Promise<string> {
    return call('create the supporting document', async () => (await this.rc.supportingDocuments.create({ friendlyName, type, attributes })).sid);
  }

  createBundle(params: { friendlyName: string; email: string; statusCallback: string; regulationSid: string }): Promise<string> {
    return call('create the bundle', async () => (await this.rc.bundles.create(params)).sid);
  }

  assignItem(bundleSid: string, objectSid: string): Promise<string> {
    return call('assign an item to the bundle', async () => (await this.rc.bundles(bundleSid).itemAssignments.create({ objectSid })).sid);
  }

  evaluate(bundleSid: string): Promise<Evaluation> {
    return call('evaluate the bundle', async () => {
      const e = await this.rc.bundles(bundleSid).evaluations.create();
      return { sid: e.sid, status: e.status as Evaluation['status'], results: (e.results ?? []) as Record<string, unknown>[] };
    });
  }

  latestEvaluation(bundleSid: string): Promise<Evaluation | null> {
    return call('read the evaluations', async () => {
      const [e] = await this.rc.bundles(bundleSid).evaluations.list({ limit: 1 });
      return e ? { sid: e.sid, status: e.status as Evaluation['status'], results: (e.results ?? []) as Record<string, unknown>[] } : null;
    });
  }

  /** Submits for review: `Status` alone (Twilio refuses status and properties in one request, error 22204). */
  submit(bundleSid: string): Promise<string> {
    return call('submit the bundle', async () => (await this.rc.bundles(bundleSid).update({ status: 'pending-review' })).status);
  }

  fetchBundleStatus(bundleSid: string): Promise<string> {
    return call('fetch the bundle', async () => (await this.rc.bundles(bundleSid).fetch()).status);
  }

  /** Multipart to the upload host: parts FriendlyName, Type, Attributes (a JSON string) and File. */
  async uploadDocument(doc: UploadDocument): Promise<string> {
    const form = new FormData();
    form.append('FriendlyName', doc.friendlyName);
    form.append('Type', doc.type);
    form.append('Attributes', JSON.stringify(doc.attributes));
    form.append('File', new Blob([new Uint8Array(doc.content)], { type: doc.mimeType }), doc.fileName);
    const { accountSid, authToken } = this.config.twilio;
    let response: Response;
    try {
      response = await fetch(`${twilioBaseUrl(this.config, 'numbersUpload')}/v2/RegulatoryCompliance/SupportingDocuments`, {
        method: 'POST',
        headers: { Authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, Accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      throw new TwilioFailure('upload the document', undefined, undefined, (error as Error).message);
    }
    const body = (await response.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string };
    if (!response.ok || !body.sid) throw new TwilioFailure('upload the document', response.status, body.code, body.message);
    return body.sid;
  }

  searchAvailable(isoCountry: string, numberType: NumberType, contains: string | undefined, limit: number): Promise<string[]> {
    return call('search available numbers', async () => {
      const country = this.client.availablePhoneNumbers(isoCountry);
      const options = { voiceEnabled: true, ...(contains ? { contains } : {}), limit };
      const found =
        numberType === 'local'
          ? await country.local.list(options)
          : numberType === 'mobile'
            ? await country.mobile.list(options)
            : numberType === 'national'
              ? await country.national.list(options)
              : await country.tollFree.list(options);
      return found.map((n) => n.phoneNumber);
    });
  }

  findIncomingByFriendlyName(friendlyName: string): Promise<IncomingNumber[]> {
    return call('list the account numbers', async () => (await this.client.incomingPhoneNumbers.list({ friendlyName, limit: 20 })).map(toIncoming));
  }

  findIncomingByNumber(phoneNumber: string): Promise<IncomingNumber | null> {
    return call('find the number in the account', async () => {
      const found = await this.client.incomingPhoneNumbers.list({ phoneNumber, limit: 20 });
      const exact = found.find((n) => n.phoneNumber === phoneNumber);
      return exact ? toIncoming(exact) : null;
    });
  }

  fetchIncoming(sid: string): Promise<IncomingNumber> {
    return call('fetch the number', async () => toIncoming(await this.client.incomingPhoneNumbers(sid).fetch()));
  }

  /** Buys with the bundle, the address and our webhooks in the same request: the number is never unconfigured. */
  buyNumber(params: { phoneNumber: string; bundleSid: string; addressSid: string; friendlyName: string; urls: WebhookUrls }): Promise<IncomingNumber> {
    return call('buy the number', async () =>
      toIncoming(
        await this.client.incomingPhoneNumbers.create({
          phoneNumber: params.phoneNumber,
          bundleSid: params.bundleSid,
          addressSid: params.addressSid,
          friendlyName: params.friendlyName,
          voiceUrl: params.urls.voiceUrl,
          voiceMethod: 'POST',
          smsUrl: params.urls.smsUrl,
          smsMethod: 'POST',
          statusCallback: params.urls.statusCallback,
          statusCallbackMethod: 'POST',
        }),
      ),
    );
  }

  updateWebhooks(sid: string, urls: WebhookUrls): Promise<IncomingNumber> {
    return call('update the number', async () =>
      toIncoming(
        await this.client.incomingPhoneNumbers(sid).update({
          voiceUrl: urls.voiceUrl,
          voiceMethod: 'POST',
          smsUrl: urls.smsUrl,
          smsMethod: 'POST',
          statusCallback: urls.statusCallback,
          statusCallbackMethod: 'POST',
        }),
      ),
    );
  }
}

interface SdkIncomingNumber {
  sid: string;
  phoneNumber: string;
  friendlyName: string;
  bundleSid: string;
  voiceUrl: string;
  voiceMethod: string;
  smsUrl: string;
  smsMethod: string;
  statusCallback: string;
}

function toIncoming(n: SdkIncomingNumber): IncomingNumber {
  return {
    sid: n.sid,
    phone_number: n.phoneNumber,
    friendly_name: n.friendlyName,
    bundle_sid: n.bundleSid ?? null,
    voice_url: n.voiceUrl ?? null,
    voice_method: n.voiceMethod ?? null,
    sms_url: n.smsUrl ?? null,
    sms_method: n.smsMethod ?? null,
    status_callback: n.statusCallback ?? null,
  };
}

async function call<T>(action: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw TwilioFailure.from(action, error);
  }
}
