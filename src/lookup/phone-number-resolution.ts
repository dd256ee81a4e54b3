export type MatchedTable = 'phone_numbers' | 'phone_number_users';
export type WebhookState = 'not_configured' | 'configured' | 'drifted';

/** What `resolve_phone_number` returns: the company owning a number and the user it belongs to. */
export interface PhoneNumberResolution {
  phone_number: string;
  company_id: string;
  company_name: string;
  user_id: string | null;
  matched_table: MatchedTable;
  twilio_sid: string | null;
  webhook_state: WebhookState | null;
  voice_url: string | null;
  sms_url: string | null;
  status_callback_url: string | null;
}
