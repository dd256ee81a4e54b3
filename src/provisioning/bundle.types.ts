/** The bundle as `regulatory_bundle_json` returns it (the public contract plus what the services need). */
export interface BundleRecord {
  id: string;
  company_id: string;
  twilio_bundle_sid: string | null;
  status: BundleStatus;
  purchase_state: PurchaseState;
  phone_number: string | null;
  failure_reason: string | null;
  iso_country: string;
  number_type: 'local' | 'mobile' | 'national' | 'toll-free';
  end_user_type: 'individual' | 'business';
  email: string;
  created_by: string | null;
  regulation_sid: string;
  end_user_sid: string | null;
  address_sid: string | null;
  phone_number_sid: string | null;
  purchase_error: string | null;
  purchase_attempts: number;
  number_preferences: { contains?: string };
  requirements: Record<string, unknown>;
  last_evaluation: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  documents: BundleDocumentRecord[];
  timeline: BundleTimelineEntry[];
}

export type BundleStatus = 'draft' | 'pending-review' | 'in-review' | 'twilio-rejected' | 'twilio-approved' | 'provisionally-approved';
export type PurchaseState = 'none' | 'purchasing' | 'purchased' | 'failed';

export const REVIEW_STATUSES: readonly BundleStatus[] = ['pending-review', 'in-review'];
export const APPROVED_STATUSES: readonly BundleStatus[] = ['twilio-approved', 'provisionally-approved'];

export interface BundleDocumentRecord {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  upload_state: 'stored' | 'uploaded' | 'assigned';
  twilio_document_sid: string | null;
  attempts: number;
  last_error: string | null;
  created_at: string;
}

export interface UnsentDocument {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  file_name: string;
  mime_type: string;
  content_base64: string;
  upload_state: 'stored' | 'uploaded';
  twilio_document_sid: string | null;
}

export interface BundleTimelineEntry {
  at: string;
  event: string;
  status: BundleStatus | null;
  purchase_state: PurchaseState | null;
  detail: Record<string, unknown>;
}

export interface PhoneNumberRecord {
  phone_number: string;
  company_id: string;
  twilio_sid: string | null;
  bundle_id: string | null;
  voice_url: string | null;
  sms_url: string | null;
  status_callback_url: string | null;
  webhook_state: 'not_configured' | 'configured' | 'drifted';
  webhooks_configured_at: string | null;
  user_ids: string[];
}
