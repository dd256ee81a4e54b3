import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { AppConfig } from '../config/app-config.js';
import type { CompanyEvent } from './company-event.js';
import { hostOf, refuseAddress, refuseWebhookUrl } from './webhook-url.policy.js';

export interface SendResult {
  /** The receiver's status, when it answered. */
  statusCode: number | null;
  /** Why the attempt failed without a status (timeout, refused address, connection error). */
  error: string | null;
  durationMs: number;
  /** The URL refuses delivery for good (not https, private address): retrying cannot help until it is changed. */
  permanent: boolean;
}

/** Bodies of answers are not read beyond this; we only need the status. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one event to a company's endpoint, signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` with the secret's decoded bytes, by
 * the reference implementation). The host is resolved here, every address checked against the URL policy, and
 * the request connects to the address that was checked (no second resolution for a rebinding DNS to answer).
 * Redirects are not followed: a 3xx is a failed attempt.
 */
@Injectable()
export class WebhookSender {
  /** The system resolver; replaceable in tests to play a DNS answer that points inside. */
  resolveHost: (host: string) => Promise<{ address: string; family: number }[]> = (host) => dnsLookup(host, { all: true, verbatim: true });

  constructor(private readonly config: AppConfig) {}

  async send(url: string, secret: string, event: CompanyEvent, now: Date = new Date()): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    const policy = { allowLoopback: this.config.events.webhooks.allowLoopback };
    const refusal = refuseWebhookUrl(url, policy);
    if (refusal) return { statusCode: null, error: refusal, durationMs: elapsed(), permanent: true };
    const target = new URL(url);
    const host = hostOf(target);
    let address: { address: string; family: number };
    try {
      const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await this.resolveHost(host);
      const refused = addresses.map((a) => refuseAddress(a.address, policy)).find((reason) => reason !== null);
      if (refused) return { statusCode: null, error: `${host} resolves to a refused address: ${refused}`, durationMs: elapsed(), permanent: false };
      if (addresses.length === 0) throw new Error(`${host} has no address`);
      address = addresses[0];
    } catch (error) {
      return { statusCode: null, error: `could not resolve ${host}: ${(error as Error).message}`, durationMs: elapsed(), permanent: false };
    }

    const body = JSON.stringify(event);
    const signature = new Webhook(secret).sign(event.id, now, body);
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [address]);
      else callback(null, address.address, address.family);
    };
    const client = target.protocol === 'https:' ? https : http;
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<SendResult, 'durationMs' | 'permanent'>): void => {
        if (settled) return;
        settled = true;
        resolve({ ...result, durationMs: elapsed(), permanent: false });
      };
      const request = client.request(
        target,
        {
          method: 'POST',
          lookup: pinned,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'phone-agent-api-webhooks/1',
            'webhook-id': event.id,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': signature,
          },
          timeout: this.config.events.webhooks.timeoutMs,
        },
        (response) => {
          let read = 0;
          response.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) response.destroy();
          });
          response.on('error', () => undefined);
          response.on('close', () => finish({ statusCode: response.statusCode ?? null, error: null }));
        },
      );
      // A receiver that has not answered within the timeout has failed this attempt (DESIGN §4: 10 s).
      const deadline = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.config.events.webhooks.timeoutMs} ms`)),
        this.config.events.webhooks.timeoutMs,
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.config.events.webhooks.timeoutMs} ms`)));
      request.on('error', (error) => finish({ statusCode: null, error: error.message.slice(0, 300) }));
      request.on('close', () => clearTimeout(deadline));
      request.end(body);
    });
  }
}
