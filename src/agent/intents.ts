/** What a short utterance asks for, in English or Spanish. Deterministic: plain patterns, no model. */
export type Intent = 'greeting' | 'goodbye' | 'person' | 'repeat' | 'affirm' | 'deny' | 'none';

/** Lowercase, no accents, no punctuation: "¿Me lo repite?" → "me lo repite". */
export function normalizeUtterance(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const GREETING =
  /^(hi|hello|hey|hiya|good (morning|afternoon|evening)|hola|buenos dias|buenas tardes|buenas noches|buenas|que tal|hola buenas( tardes| noches| dias)?)( there)?$/;
const GOODBYE =
  /\b(bye|goodbye|good bye|see you|that'?s all|that is all|nothing else|adios|hasta luego|hasta pronto|hasta manana|nos vemos|eso es todo|es todo gracias|nada mas|chao|chau)\b/;
const PERSON = [
  /\b(talk|speak|transfer|connect|put me through|get me)\b.*\b(person|human|someone|somebody|agent|representative|operator|receptionist|manager|staff)\b/,
  /\b(real|live) (person|human|agent)\b/,
  /^(a )?(human|person|agent|representative|operator)( please)?$/,
  /\b(hablar|comunicar|comunicarme|comuniqueme|pasar|pasame|paseme|transferir|transfiera|contactar)\b.*\b(persona|humano|alguien|asesor|agente|operador|operadora|recepcion|recepcionista|encargado|gerente)\b/,
  /^(una )?(persona|humano|asesor|operador|operadora|agente)( por favor)?$/,
];
const REPEAT = [
  /\b(say (that|it) again|repeat|come again|pardon|what did you say|didn'?t (catch|hear|understand)|one more time)\b/,
  /\b(repite|repitelo|repitame|repetir|repita|otra vez|de nuevo|no (te |le )?(escuche|entendi|oi)|que dijo|como dijo)\b/,
  /^(sorry|perdon|mande|como|what)$/,
];
const AFFIRM = /^(yes|yeah|yep|sure|ok|okay|please|of course|si|claro|por favor|dale|va|esta bien|de acuerdo|andale|simon)\b/;
const DENY = /^(no|nope|nah|no thanks|no thank you|no gracias)\b/;

/** Intents are read from short utterances only, so a real question that mentions "person" is still a question. */
const MAX_WORDS = 12;

export function detectIntent(text: string): Intent {
  const t = normalizeUtterance(text);
  if (t === '' || GREETING.test(t)) return 'greeting';
  if (t.split(' ').length > MAX_WORDS) return 'none';
  if (PERSON.some((p) => p.test(t))) return 'person';
  if (REPEAT.some((p) => p.test(t))) return 'repeat';
  if (GOODBYE.test(t)) return 'goodbye';
  if (DENY.test(t)) return 'deny';
  if (AFFIRM.test(t)) return 'affirm';
  return 'none';
}
