/**
 * What a Twilio Regulation asks for, read from its `requirements` (never hard-coded: regulations change).
 * `supporting_document` is an array of arrays of requirements, each listing the document types it accepts.
 */
export interface RegulationNeeds {
  endUserFields: string[];
  documentTypes: { type: string; name: string; fields: string[]; requirement: string }[];
  /** The document type that carries `address_sids` (how an address enters a bundle), when the regulation has one. */
  addressDocumentType: string | null;
}

interface RawAccepted {
  type?: unknown;
  name?: unknown;
  fields?: unknown;
}

export function regulationNeeds(requirements: Record<string, unknown>): RegulationNeeds {
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const endUsers = Array.isArray(requirements.end_user) ? (requirements.end_user as { fields?: unknown }[]) : [];
  const endUserFields = [...new Set(endUsers.flatMap((e) => strings(e?.fields)))];
  const groups = Array.isArray(requirements.supporting_document) ? (requirements.supporting_document as unknown[]) : [];
  const documentTypes: RegulationNeeds['documentTypes'] = [];
  for (const group of groups) {
    for (const requirement of Array.isArray(group) ? (group as { requirement_name?: unknown; name?: unknown; accepted_documents?: unknown }[]) : []) {
      const accepted = Array.isArray(requirement?.accepted_documents) ? (requirement.accepted_documents as RawAccepted[]) : [];
      for (const doc of accepted) {
        if (typeof doc?.type !== 'string') continue;
        documentTypes.push({
          type: doc.type,
          name: typeof doc.name === 'string' ? doc.name : doc.type,
          fields: strings(doc.fields),
          requirement: String(requirement.requirement_name ?? requirement.name ?? ''),
        });
      }
    }
  }
  const addressDocumentType = documentTypes.find((d) => d.fields.includes('address_sids'))?.type ?? null;
  return { endUserFields, documentTypes, addressDocumentType };
}
