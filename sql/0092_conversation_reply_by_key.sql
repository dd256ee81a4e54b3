-- A message Twilio delivers again (same MessageSid, after a slow or lost answer) gets the reply already stored for
-- it, without running the agent again (issue 12): no second LLM call, no second usage row.
create or replace function public.get_conversation_reply(p_company_id uuid, p_channel text, p_contact text, p_turn_key text)
returns jsonb
language sql
stable
as $$
  select coalesce((
    select to_jsonb(t.text)
      from public.conversations c
      join public.conversation_turns t on t.conversation_id = c.id
     where c.company_id = p_company_id and c.channel = p_channel and c.contact = p_contact
       and t.turn_key = p_turn_key and t.role = 'agent'
     limit 1), 'null'::jsonb)
$$;

revoke execute on function public.get_conversation_reply(uuid, text, text, text) from public, anon, authenticated;
grant execute on function public.get_conversation_reply(uuid, text, text, text) to service_role;
