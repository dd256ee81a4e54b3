-- Knowledge base (issue 3): entries indexed in the text-search configuration of the company's language
-- (knowledge_entries.search_vector is generated from ts_config, sql/0001), and ranked retrieval.

-- How many of a company's entries contain each lexeme: the rarity (idf) of a question's words in ranking, kept
-- up to date by statement-level triggers so that a search never counts over the entries.
create table public.knowledge_lexeme_stats (
  company_id uuid not null references public.companies (id) on delete cascade,
  -- "C" collation: prefix lookups are byte ranges on the primary key
  lexeme text collate "C" not null,
  df integer not null check (df >= 0),
  primary key (company_id, lexeme)
);
alter table public.knowledge_lexeme_stats enable row level security;
revoke all on table public.knowledge_lexeme_stats from public, anon, authenticated;
grant all on table public.knowledge_lexeme_stats to service_role;

-- How many entries each company has (the N of idf), kept by the same triggers.
create table public.knowledge_entry_counts (
  company_id uuid primary key references public.companies (id) on delete cascade,
  entries integer not null check (entries >= 0)
);
alter table public.knowledge_entry_counts enable row level security;
revoke all on table public.knowledge_entry_counts from public, anon, authenticated;
grant all on table public.knowledge_entry_counts to service_role;

create or replace function public.knowledge_stats_on_insert()
returns trigger
language plpgsql
as $$
begin
  insert into public.knowledge_lexeme_stats as s (company_id, lexeme, df)
  select n.company_id, l.lexeme, count(*)
    from new_rows n cross join lateral unnest(tsvector_to_array(n.search_vector)) as l(lexeme)
   group by n.company_id, l.lexeme
  on conflict (company_id, lexeme) do update set df = s.df + excluded.df;
  insert into public.knowledge_entry_counts as c (company_id, entries)
  select company_id, count(*) from new_rows group by company_id
  on conflict (company_id) do update set entries = c.entries + excluded.entries;
  return null;
end
$$;

create or replace function public.knowledge_stats_on_delete()
returns trigger
language plpgsql
as $$
begin
  update public.knowledge_lexeme_stats s set df = greatest(s.df - o.n, 0)
    from (select r.company_id, l.lexeme, count(*) as n
            from old_rows r cross join lateral unnest(tsvector_to_array(r.search_vector)) as l(lexeme)
           group by r.company_id, l.lexeme) o
   where s.company_id = o.company_id and s.lexeme = o.lexeme;
  delete from public.knowledge_lexeme_stats s where s.df = 0 and s.company_id in (select distinct company_id from old_rows);
  update public.knowledge_entry_counts c set entries = greatest(c.entries - o.n, 0)
    from (select company_id, count(*) as n from old_rows group by company_id) o
   where c.company_id = o.company_id;
  return null;
end
$$;

create or replace function public.knowledge_stats_on_update()
returns trigger
language plpgsql
as $$
begin
  with changes as (
    select company_id, lexeme, sum(delta)::integer as delta
      from (select n.company_id, l.lexeme, 1 as delta
              from new_rows n cross join lateral unnest(tsvector_to_array(n.search_vector)) as l(lexeme)
            union all
            select o.company_id, l.lexeme, -1
              from old_rows o cross join lateral unnest(tsvector_to_array(o.search_vector)) as l(lexeme)) d
     group by company_id, lexeme
    having sum(delta) <> 0
  )
  insert into public.knowledge_lexeme_stats as s (company_id, lexeme, df)
  select company_id, lexeme, greatest(delta, 0) from changes
  on conflict (company_id, lexeme) do update set df = greatest(s.df + (select c.delta from changes c where c.company_id = excluded.company_id and c.lexeme = excluded.lexeme), 0);
  delete from public.knowledge_lexeme_stats s where s.df = 0 and s.company_id in (select distinct company_id from new_rows);
  return null;
end
$$;

create trigger knowledge_stats_insert after insert on public.knowledge_entries
  referencing new table as new_rows for each statement execute function public.knowledge_stats_on_insert();
create trigger knowledge_stats_delete after delete on public.knowledge_entries
  referencing old table as old_rows for each statement execute function public.knowledge_stats_on_delete();
create trigger knowledge_stats_update after update on public.knowledge_entries
  referencing old table as old_rows new table as new_rows for each statement execute function public.knowledge_stats_on_update();

-- Entries written before this migration (the demo seed) are counted once.
insert into public.knowledge_lexeme_stats (company_id, lexeme, df)
select e.company_id, l.lexeme, count(*)
  from public.knowledge_entries e cross join lateral unnest(tsvector_to_array(e.search_vector)) as l(lexeme)
 group by e.company_id, l.lexeme;
insert into public.knowledge_entry_counts (company_id, entries)
select company_id, count(*) from public.knowledge_entries group by company_id;

create or replace function public.knowledge_entry_json(e public.knowledge_entries)
returns jsonb
language sql
immutable
as $$
  select jsonb_build_object('id', e.id, 'company_id', e.company_id, 'title', e.title, 'content', e.content,
                            'tags', to_jsonb(e.tags), 'created_at', e.created_at, 'updated_at', e.updated_at)
$$;

create or replace function public.company_ts_config(p_company_id uuid)
returns regconfig
language sql
stable
as $$
  select public.knowledge_ts_config(coalesce((select a.language from public.agent_configs a where a.company_id = p_company_id), 'es-MX'))
$$;

-- Creates every entry or none. p_entries: [{ title, content, tags }].
create or replace function public.create_knowledge_entries(p_company_id uuid, p_entries jsonb)
returns jsonb
language plpgsql
as $$
declare
  v_config regconfig;
  v_result jsonb;
begin
  if not exists (select 1 from public.companies where id = p_company_id) then
    raise exception using errcode = 'P0002', message = format('Company %s does not exist', p_company_id);
  end if;
  if jsonb_typeof(p_entries) <> 'array' or jsonb_array_length(p_entries) = 0 then
    raise exception using errcode = '22023', message = 'entries must be a non-empty array';
  end if;
  v_config := public.company_ts_config(p_company_id);
  -- Ids are drawn up front so that the result keeps the input order; clock_timestamp() keeps it in listings too.
  with input as (
    select gen_random_uuid() as id, x.ord, x.value
      from jsonb_array_elements(p_entries) with ordinality as x(value, ord)
  ),
  inserted as (
    insert into public.knowledge_entries (id, company_id, title, content, tags, ts_config, created_at, updated_at)
    select i.id, p_company_id, coalesce(i.value->>'title', ''), i.value->>'content',
           coalesce(array(select jsonb_array_elements_text(i.value->'tags')), '{}'), v_config, clock_timestamp(), clock_timestamp()
      from input i
     order by i.ord
    returning *
  )
  select coalesce(jsonb_agg(public.knowledge_entry_json(e) order by i.ord), '[]'::jsonb) into v_result
    from inserted e join input i on i.id = e.id;
  return v_result;
end
$$;

create or replace function public.list_knowledge_entries(p_company_id uuid, p_limit integer, p_offset integer, p_tag text)
returns jsonb
language sql
stable
as $$
  select jsonb_build_object(
    'total', (select count(*) from public.knowledge_entries e
               where e.company_id = p_company_id and (p_tag is null or p_tag = any(e.tags))),
    'items', coalesce((select jsonb_agg(public.knowledge_entry_json(e) order by e.created_at, e.id)
                         from (select * from public.knowledge_entries e
                                where e.company_id = p_company_id and (p_tag is null or p_tag = any(e.tags))
                                order by e.created_at, e.id
                                limit p_limit offset p_offset) e), '[]'::jsonb))
$$;

create or replace function public.get_knowledge_entry(p_company_id uuid, p_entry_id uuid)
returns jsonb
language plpgsql
stable
as $$
declare
  v_result jsonb;
begin
  select public.knowledge_entry_json(e) into v_result
    from public.knowledge_entries e where e.company_id = p_company_id and e.id = p_entry_id;
  if v_result is null then
    raise exception using errcode = 'P0002', message = format('Knowledge entry %s does not exist in this company', p_entry_id);
  end if;
  return v_result;
end
$$;

-- Only the keys present in p_changes (title, content, tags) change.
create or replace function public.update_knowledge_entry(p_company_id uuid, p_entry_id uuid, p_changes jsonb)
returns jsonb
language plpgsql
as $$
declare
  v_entry public.knowledge_entries;
begin
  update public.knowledge_entries e set
    title = case when p_changes ? 'title' then coalesce(p_changes->>'title', '') else e.title end,
    content = case when p_changes ? 'content' then p_changes->>'content' else e.content end,
    tags = case when p_changes ? 'tags' then coalesce(array(select jsonb_array_elements_text(p_changes->'tags')), '{}') else e.tags end,
    updated_at = now()
  where e.company_id = p_company_id and e.id = p_entry_id
  returning * into v_entry;
  if v_entry.id is null then
    raise exception using errcode = 'P0002', message = format('Knowledge entry %s does not exist in this company', p_entry_id);
  end if;
  return public.knowledge_entry_json(v_entry);
end
$$;

create or replace function public.delete_knowledge_entry(p_company_id uuid, p_entry_id uuid)
returns jsonb
language plpgsql
as $$
begin
  delete from public.knowledge_entries where company_id = p_company_id and id = p_entry_id;
  if not found then
    raise exception using errcode = 'P0002', message = format('Knowledge entry %s does not exist in this company', p_entry_id);
  end if;
  return jsonb_build_object('id', p_entry_id, 'deleted', true);
end
$$;

-- The question's lexemes in the company's configuration (at most 32): people ask in their own words, so every
-- meaningful word counts and the ranking, not an AND, decides.
create or replace function public.knowledge_query_lexemes(p_config regconfig, p_text text)
returns text[]
language sql
immutable
as $$
  select coalesce(array_agg(l.lexeme), '{}')
    from (select lexeme from unnest(to_tsvector(p_config, left(coalesce(p_text, ''), 2000))) limit 32) l
$$;

-- Ranked passages. Postgres' ts_rank has no notion of how rare a word is, and callers' questions are full of
-- common words ("quiero", "need", "dog" at a vet's), so the score is a BM25-like sum over the question's words
-- that the passage contains: idf (rarity within this company's entries, from knowledge_lexeme_stats) times 1.0
-- for a title match or 0.7 for a content-only match. Words of three letters or more also match as prefixes
-- ("hora" finds "horario", "limpiarme" finds "limpieza"). Candidates are fetched through the GIN index with the question's selective words
-- only (those in at most one entry in fifty, or else the rarest): a word in most entries adds little to any score
-- but would make every entry a candidate. coverage is the share of the question's words a passage contains: the
-- agent uses it to decide whether a passage answers at all. Equal scores are settled by ts_rank
-- (term frequency and title weight, normalised by length).
create or replace function public.knowledge_search_results(p_company_id uuid, p_config regconfig, p_text text, p_limit integer)
returns jsonb
language plpgsql
stable
as $$
declare
  v_lexemes text[] := public.knowledge_query_lexemes(p_config, p_text);
  v_total integer;
  v_query tsquery;
  v_any tsquery[];
  v_title tsquery[];
  v_df integer[];
  v_results jsonb;
begin
  if cardinality(v_lexemes) = 0 then
    return '[]'::jsonb;
  end if;
  select coalesce((select c.entries from public.knowledge_entry_counts c where c.company_id = p_company_id), 0) into v_total;

  -- One row per word of the question that occurs in this company's entries: its queries and document frequency.
  select array_agg(t.any_q), array_agg(t.title_q), array_agg(t.df),
         string_agg(t.any_q::text, ' | ') filter (where t.selective)::tsquery
    into v_any, v_title, v_df, v_query
    from (select u.*, u.df <= greatest(50, v_total / 50) or row_number() over (order by u.df) = 1 as selective
            from (select (q.quoted || case when q.prefix then ':*' else '' end)::tsquery as any_q,
                         (q.quoted || case when q.prefix then ':*A' else ':A' end)::tsquery as title_q,
                         (case when q.prefix
                               then (select coalesce(sum(s.df), 0) from public.knowledge_lexeme_stats s
                                      where s.company_id = p_company_id and s.lexeme >= q.l and s.lexeme < q.l || chr(1114111))
                               else (select coalesce(max(s.df), 0) from public.knowledge_lexeme_stats s
                                      where s.company_id = p_company_id and s.lexeme = q.l)
                          end)::integer as df
                    from (select l, length(l) >= 3 as prefix,
                                 '''' || replace(replace(l, '\', '\\'), '''', '''''') || '''' as quoted
                            from unnest(v_lexemes) l) q) u
           where u.df > 0) t;
  if v_query is null then
    return '[]'::jsonb;
  end if;

  with candidates as materialized (
    select e.id, e.title, e.content, e.tags, e.created_at, e.search_vector, ts_rank(e.search_vector, v_query, 1) as density
      from public.knowledge_entries e
     where e.company_id = p_company_id and e.search_vector @@ v_query
     -- a bound on the work for a question made only of common words
     limit 500
  ),
  scored as (
    select c.id, c.title, c.content, c.tags, c.created_at, c.density,
           sum((case when c.search_vector @@ tr.title_q then 1.0 else 0.7 end)
               * ln(1 + (greatest(v_total, tr.df) - tr.df + 0.5) / (tr.df + 0.5))) as score,
           count(*) as matched
      from candidates c
      join unnest(v_any, v_title, v_df) as tr(any_q, title_q, df) on c.search_vector @@ tr.any_q
     group by c.id, c.title, c.content, c.tags, c.created_at, c.density
     order by score desc, c.density desc, c.id
     limit greatest(1, least(coalesce(p_limit, 5), 50))
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', r.id, 'title', r.title, 'content', r.content, 'tags', to_jsonb(r.tags),
           'score', round(r.score::numeric, 4),
           'matched_terms', r.matched,
           'coverage', round(r.matched::numeric / cardinality(v_lexemes), 4))
           order by r.score desc, r.density desc, r.id), '[]'::jsonb)
    into v_results
    from scored r;
  return v_results;
end
$$;

create or replace function public.search_knowledge(p_company_id uuid, p_query text, p_limit integer)
returns jsonb
language plpgsql
stable
as $$
declare
  v_config regconfig := public.company_ts_config(p_company_id);
begin
  return jsonb_build_object('query', p_query, 'ts_config', v_config::text,
                            'results', public.knowledge_search_results(p_company_id, v_config, p_query, p_limit));
end
$$;

revoke execute on function public.knowledge_stats_on_insert() from public, anon, authenticated;
revoke execute on function public.knowledge_stats_on_delete() from public, anon, authenticated;
revoke execute on function public.knowledge_stats_on_update() from public, anon, authenticated;
revoke execute on function public.knowledge_entry_json(public.knowledge_entries) from public, anon, authenticated;
revoke execute on function public.company_ts_config(uuid) from public, anon, authenticated;
revoke execute on function public.create_knowledge_entries(uuid, jsonb) from public, anon, authenticated;
revoke execute on function public.list_knowledge_entries(uuid, integer, integer, text) from public, anon, authenticated;
revoke execute on function public.get_knowledge_entry(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.update_knowledge_entry(uuid, uuid, jsonb) from public, anon, authenticated;
revoke execute on function public.delete_knowledge_entry(uuid, uuid) from public, anon, authenticated;
revoke execute on function public.knowledge_query_lexemes(regconfig, text) from public, anon, authenticated;
revoke execute on function public.knowledge_search_results(uuid, regconfig, text, integer) from public, anon, authenticated;
revoke execute on function public.search_knowledge(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.knowledge_stats_on_insert() to service_role;
grant execute on function public.knowledge_stats_on_delete() to service_role;
grant execute on function public.knowledge_stats_on_update() to service_role;
grant execute on function public.knowledge_entry_json(public.knowledge_entries) to service_role;
grant execute on function public.company_ts_config(uuid) to service_role;
grant execute on function public.create_knowledge_entries(uuid, jsonb) to service_role;
grant execute on function public.list_knowledge_entries(uuid, integer, integer, text) to service_role;
grant execute on function public.get_knowledge_entry(uuid, uuid) to service_role;
grant execute on function public.update_knowledge_entry(uuid, uuid, jsonb) to service_role;
grant execute on function public.delete_knowledge_entry(uuid, uuid) to service_role;
grant execute on function public.knowledge_query_lexemes(regconfig, text) to service_role;
grant execute on function public.knowledge_search_results(uuid, regconfig, text, integer) to service_role;
grant execute on function public.search_knowledge(uuid, text, integer) to service_role;

