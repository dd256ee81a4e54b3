import { regulationNeeds } from './regulation-requirements.js';

describe('regulationNeeds', () => {
  it('reads end-user fields, accepted document types and the address document from a regulation', () => {
    const needs = regulationNeeds({
      end_user: [{ type: 'business', fields: ['business_name', 'business_registration_number'] }],
      supporting_document: [
        [{ requirement_name: 'proof_of_identity', accepted_documents: [{ type: 'business_registration', name: 'Registration', fields: ['business_name'] }] }],
        [
          {
            requirement_name: 'proof_of_address',
            accepted_documents: [
              { type: 'business_address', fields: ['address_sids'] },
              { type: 'utility_bill', fields: ['address_sids', 'issue_date'] },
            ],
          },
        ],
      ],
    });
    expect(needs.endUserFields).toEqual(['business_name', 'business_registration_number']);
    expect(needs.documentTypes.map((d) => d.type)).toEqual(['business_registration', 'business_address', 'utility_bill']);
    expect(needs.addressDocumentType).toBe('business_address');
  });

  it('survives a regulation without requirements', () => {
    expect(regulationNeeds({})).toEqual({ endUserFields: [], documentTypes: [], addressDocumentType: null });
    expect(regulationNeeds({ end_user: 'x', supporting_document: [null, [null]] }).documentTypes).toEqual([]);
  });
});
