import { Injectable } from '@nestjs/common';
import type { Tenant } from '../auth/tenant.js';
import { InputValidationException } from '../common/validation.js';
import { relayVoiceProblems } from './voices.js';
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
    refuseVoiceProblems(config.voice, config.tts_provider);
    return this.repository.saveAgentConfig(tenant.companyId, { ...config }, true);
  }

  /** Only the fields present change; null clears an optional one. */
  async update(tenant: Tenant, changes: PatchAgentConfigDto): Promise<AgentConfig> {
    // PATCH makes every field optional, but the required ones cannot be cleared.
    const cleared = REQUIRED.filter((key) => changes[key] === null);
    if (cleared.length > 0)
      throw new InputValidationException(cleared.map((field) => ({ field, message: `${field} cannot be null; leave it out to keep it` })));
    const present = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    // voice and tts_provider are checked as the pair they will be after the change.
    if (changes.voice !== undefined || changes.tts_provider !== undefined) {
      const current = await this.repository.getAgentConfig(tenant.companyId);
      refuseVoiceProblems(
        changes.voice === undefined ? current.voice : changes.voice,
        changes.tts_provider === undefined ? current.tts_provider : changes.tts_provider,
      );
    }
    return this.repository.saveAgentConfig(tenant.companyId, present, false);
  }
}

function refuseVoiceProblems(voice: string | null | undefined, provider: string | null | undefined): void {
  const problems = relayVoiceProblems(voice, provider);
  if (problems.length > 0) throw new InputValidationException(problems);
}
