import twilio from 'twilio';
import { AppConfig } from '../config/app-config.js';

type SdkRequestClient = InstanceType<typeof twilio.RequestClient>;
type RequestOptions<TData> = Parameters<SdkRequestClient['request']>[0] & { data?: TData };
type SdkResponse<TData> = Awaited<ReturnType<SdkRequestClient['request']>> & { body: TData };

/** Twilio's three REST hosts, which TWILIO_*_BASE_URL replace for staging and tests. */
export const TWILIO_HOSTS = {
  api: 'api.twilio.com',
  numbers: 'numbers.twilio.com',
  numbersUpload: 'numbers-upload.twilio.com',
} as const;

/** The SDK's HTTP client, sending each request to the configured base URL of its host. */
class HostRewritingRequestClient extends twilio.RequestClient {
  constructor(
    private readonly bases: Map<string, string>,
    readonly timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, keepAlive: true });
  }

  override request<TData>(opts: RequestOptions<TData>): Promise<SdkResponse<TData>> {
    const uri = new URL(opts.uri);
    const base = this.bases.get(uri.hostname);
    return super.request(base ? { ...opts, uri: `${base}${uri.pathname}${uri.search}` } : opts) as Promise<SdkResponse<TData>>;
  }
}

export type TwilioRestClient = twilio.Twilio;

/** How long one REST request may take before the client gives up (Twilio may still complete it later). */
export const TWILIO_REQUEST_TIMEOUT_MS = 10_000;

/** The request timeout of a client made by createTwilioRestClient (the default for any other). */
export function requestTimeoutOf(client: TwilioRestClient): number {
  const http = client.httpClient as unknown;
  return http instanceof HostRewritingRequestClient ? http.timeoutMs : TWILIO_REQUEST_TIMEOUT_MS;
}

/** The official SDK client, with the account from config and the hosts replaced where configured. */
export function createTwilioRestClient(config: AppConfig, timeoutMs = TWILIO_REQUEST_TIMEOUT_MS): TwilioRestClient {
  const { accountSid, authToken, apiBaseUrl, numbersBaseUrl, numbersUploadBaseUrl } = config.twilio;
  const bases = new Map<string, string>();
  if (apiBaseUrl) bases.set(TWILIO_HOSTS.api, apiBaseUrl);
  if (numbersBaseUrl) bases.set(TWILIO_HOSTS.numbers, numbersBaseUrl);
  if (numbersUploadBaseUrl) bases.set(TWILIO_HOSTS.numbersUpload, numbersUploadBaseUrl);
  return twilio(accountSid, authToken, { httpClient: new HostRewritingRequestClient(bases, timeoutMs), autoRetry: false });
}

/** Base URL of a Twilio host after configuration (for requests the SDK does not cover, like document uploads). */
export function twilioBaseUrl(config: AppConfig, host: keyof typeof TWILIO_HOSTS): string {
  const configured = { api: config.twilio.apiBaseUrl, numbers: config.twilio.numbersBaseUrl, numbersUpload: config.twilio.numbersUploadBaseUrl }[host];
  return configured ?? `https://${TWILIO_HOSTS[host]}`;
}
