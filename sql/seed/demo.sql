-- Demo data for the embedded database's first start (never a migration: production has no demo company).
insert into public.companies (id, name)
values ('00000000-0000-4000-8000-000000000001', 'Demo Clínica Dental')
on conflict (id) do nothing;

insert into public.company_members (company_id, user_id, role)
values ('00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-0000000000aa', 'owner')
on conflict do nothing;

insert into public.phone_numbers (phone_number, company_id)
values ('+525512345678', '00000000-0000-4000-8000-000000000001')
on conflict (phone_number) do nothing;

insert into public.phone_number_users (phone_number, user_id, company_id)
values ('+525512345678', '00000000-0000-4000-8000-0000000000aa', '00000000-0000-4000-8000-000000000001')
on conflict do nothing;

insert into public.agent_configs (company_id, name, language, greeting, instructions)
values ('00000000-0000-4000-8000-000000000001', 'Sofía', 'es-MX',
        'Hola, gracias por llamar a Clínica Dental Demo. ¿En qué le puedo ayudar?',
        'Eres la recepcionista de una clínica dental. Responde con amabilidad y brevedad.')
on conflict (company_id) do nothing;

insert into public.knowledge_entries (company_id, title, content, tags, ts_config) values
  ('00000000-0000-4000-8000-000000000001', '¿Cuál es el horario de la clínica?',
   'Abrimos de lunes a viernes de 9:00 a 19:00 y los sábados de 9:00 a 14:00. Los domingos la clínica está cerrada.',
   '{horario}', 'spanish'),
  ('00000000-0000-4000-8000-000000000001', '¿Dónde está la clínica?',
   'Estamos en Avenida Insurgentes Sur 1234, colonia Del Valle, Ciudad de México, a dos cuadras del metrobús.',
   '{ubicacion}', 'spanish'),
  ('00000000-0000-4000-8000-000000000001', '¿Cuánto cuesta una limpieza dental?',
   'Una limpieza dental cuesta 800 pesos e incluye revisión con el dentista. La primera consulta de valoración es gratuita.',
   '{precios}', 'spanish'),
  ('00000000-0000-4000-8000-000000000001', '¿Aceptan seguros médicos?',
   'Aceptamos los seguros de gastos médicos de AXA, GNP y MetLife. Traiga su póliza y una identificación oficial.',
   '{seguros}', 'spanish'),
  ('00000000-0000-4000-8000-000000000001', '¿Cómo agendo una cita?',
   'Puede agendar una cita por teléfono en este número o por WhatsApp. Le pedimos llegar diez minutos antes.',
   '{citas}', 'spanish');
