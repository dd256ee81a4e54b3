-- Agent configuration (issue 3): one row per company, created on first save; until then the table defaults apply.

-- The text-search configuration for a BCP 47 language: Spanish and English stem, anything else is split only.
create or replace function public.knowledge_ts_config(p_language text)
returns regconfig
language sql
immutable
as $$
  select case split_part(lower(coalesce(p_language, '')), '-', 1)
           when 'es' then 'spanish'::regconfig
           when 'en' then 'english'::regconfig
           else 'simple'::regconfig
         end
$$;

create or replace function public.agent_config_json(p_company_id uuid)
returns jsonb
language plpgsql
stable
as $$
declare
  v_result jsonb;
begin
  -- Defaults mirror the column defaults of agent_configs (sql/0001) for companies that never saved one.
  select jsonb_build_object(
           'company_id', c.id,
           'name', coalesce(a.name, 'Assistant'),
           'language', coalesce(a.language, 'es-MX'),
           'greeting', a.greeting,
           'instructions', a.instructions,
           'voice', a.voice,
           'voice_path', coalesce(a.voice_path, 'conversation_relay'),
           'brain', coalesce(a.brain, 'knowledge'),
           'model', a.model,
           'transfer_number', a.transfer_number,
           'fallback_number', a.fallback_number,
           'business_hours', a.business_hours,
           'max_concurrent_calls', a.max_concurrent_calls,
           'updated_at', a.updated_at)
    into v_result
    from public.companies c
    left join public.agent_configs a on a.company_id = c.id
   where c.id = p_company_id;
  if v_result is null then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  return v_result;
end
$$;

create or replace function public.get_agent_config(p_company_id uuid)
returns jsonb
language sql
stable
as $$
  select public.agent_config_json(p_company_id)
$$;

-- p_replace: true for PUT (absent fields go back to their defaults), false for PATCH (only the given keys change;
-- a JSON null clears a field). Changing the language re-indexes the company's knowledge in the new configuration.
create or replace function public.save_agent_config(p_company_id uuid, p_config jsonb, p_replace boolean)
returns jsonb
language plpgsql
as $$
declare
  v_current jsonb := public.agent_config_json(p_company_id);
  v_next jsonb;
  v_defaults constant jsonb := jsonb_build_object('name', 'Assistant', 'language', 'es-MX',
                                                  'voice_path', 'conversation_relay', 'brain', 'knowledge');
  v_old_config regconfig;
  v_new_config regconfig;
begin
  if p_replace then
    v_next := v_defaults || jsonb_strip_nulls(p_config);
  else
    v_next := v_current || p_config;
  end if;
  -- Required fields cannot be cleared.
  v_next := v_next || jsonb_strip_nulls(jsonb_build_object(
    'name', case when v_next->>'name' is null then v_current->>'name' end,
    'language', case when v_next->>'language' is null then v_current->>'language' end,
    'voice_path', case when v_next->>'voice_path' is null then v_current->>'voice_path' end,
    'brain', case when v_next->>'brain' is null then v_current->>'brain' end));

  insert into public.agent_configs as a (company_id, name, language, greeting, instructions, voice, voice_path, brain,
                                         model, transfer_number, fallback_number, business_hours, max_concurrent_calls,
                                         updated_at)
  values (p_company_id, v_next->>'name', v_next->>'language', v_next->>'greeting', v_next->>'instructions',
          v_next->>'voice', v_next->>'voice_path', v_next->>'brain', v_next->>'model', v_next->>'transfer_number',
          v_next->>'fallback_number', nullif(v_next->'business_hours', 'null'::jsonb),
          (v_next->>'max_concurrent_calls')::integer, now())
  on conflict (company_id) do update set
    name = excluded.name, language = excluded.language, greeting = excluded.greeting,
    instructions = excluded.instructions, voice = excluded.voice, voice_path = excluded.voice_path,
    brain = excluded.brain, model = excluded.model, transfer_number = excluded.transfer_number,
    fallback_number = excluded.fallback_number, business_hours = excluded.business_hours,
    max_concurrent_calls = excluded.max_concurrent_calls, updated_at = now();

  v_old_config := public.knowledge_ts_config(v_current->>'language');
  v_new_config := public.knowledge_ts_config(v_next->>'language');
  if v_old_config <> v_new_config then
    update public.knowledge_entries set ts_config = v_new_config, updated_at = now()
     where company_id = p_company_id and ts_config <> v_new_config;
  end if;
  return public.agent_config_json(p_company_id);
end
$$;

revoke execute on function public.knowledge_ts_config(text) from public, anon, authenticated;
revoke execute on function public.agent_config_json(uuid) from public, anon, authenticated;
revoke execute on function public.get_agent_config(uuid) from public, anon, authenticated;
revoke execute on function public.save_agent_config(uuid, jsonb, boolean) from public, anon, authenticated;
grant execute on function public.knowledge_ts_config(text) to service_role;
grant execute on function public.agent_config_json(uuid) to service_role;
grant execute on function public.get_agent_config(uuid) to service_role;
grant execute on function public.save_agent_config(uuid, jsonb, boolean) to service_role;
