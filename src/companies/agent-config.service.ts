import { Injectable } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { InputValidationException } from '../common/validation.js';
import { AgentConfig } from './agent-config.js';
import { CompaniesRepository } from './companies.repository.js';
import type { PatchAgentConfigDto, PutAgentConfigDto } from './dto/agent-config.dto.js';

const REQUIRED = ['name', 'language', 'voice_path', 'brain'] as const;

/**
 * A company's agent configuration. Exported: telephony reads voice_path, language, voice, transfer_number,
 * fallback_number, business_hours and max_concurrent_calls through `get`.
 */
@Injectable()
export class AgentConfigService {
  constructor(private readonly repository: CompaniesRepository) {}

  /** The configuration with defaults filled in; throws a 404 DatabaseError when the company does not exist. */
  get(companyId: string): Promise<AgentConfig> {
    return this.repository.getAgentConfig(companyId);
  }

  replace(tenant: Tenant, config: PutAgentConfigDto): Promise<AgentConfig> {
    return this.repository.saveAgentConfig(tenant.companyId, { ...config }, true);
  }

  /** Only the fields present change; null clears an optional one. */
  update(tenant: Tenant, changes: PatchAgentConfigDto): Promise<AgentConfig> {
    // PATCH makes every field optional, but the required ones cannot be cleared.
    const cleared = REQUIRED.filter((key) => changes[key] === null);
    if (cleared.length > 0) throw new InputValidationException(cleared.map((field) => ({ field, message: `${field} cannot be null; leave it out to keep it` })));
    const present = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    return this.repository.saveAgentConfig(tenant.companyId, present, false);
  }
}
