import { AppConfig } from '../config/app-config.js';
import { WebhookUrls } from './twilio-provisioning.client.js';

/** Our webhook URLs for a company's number (DESIGN §4). */
export function webhookUrlsFor(config: AppConfig, companyId: string): WebhookUrls {
  return {
    voiceUrl: `${config.publicBaseUrl}/voice/incoming/${companyId}`,
    smsUrl: `${config.publicBaseUrl}/whatsapp/webhook`,
    statusCallback: `${config.publicBaseUrl}/voice/status`,
  };
}

export function bundleStatusCallbackUrl(config: AppConfig): string {
  return `${config.publicBaseUrl}/provisioning/bundles/status`;
}

/** The FriendlyName a bundle's number is bought with: how a retry finds a number an earlier attempt bought. */
export function purchaseFriendlyName(bundleId: string): string {
  return `bundle ${bundleId}`;
}
