import type { BusinessHours } from '../companies/business-hours.js';
import { WEEKDAYS } from '../companies/business-hours.js';

export type Lang = 'es' | 'en';

/** Spanish for es-*, English for everything else (the embedded agent speaks these two). */
export const langOf = (language: string): Lang => (language.toLowerCase().startsWith('es') ? 'es' : 'en');

const DAY_NAMES: Record<Lang, string[]> = {
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
  es: ['lunes', 'martes', 'miércoles', 'jueves', 'viernes', 'sábado', 'domingo'],
};

/** "Monday 09:00 to 18:00; Saturday 10:00 to 14:00" */
export function describeHours(hours: BusinessHours, lang: Lang): string {
  const to = lang === 'es' ? 'a' : 'to';
  const and = lang === 'es' ? 'y' : 'and';
  return WEEKDAYS.flatMap((day, i) => {
    const intervals = hours.weekly[day] ?? [];
    if (intervals.length === 0) return [];
    return [`${DAY_NAMES[lang][i]} ${intervals.map(([a, b]) => `${a} ${to} ${b}`).join(` ${and} `)}`];
  }).join('; ');
}

export const PHRASES = {
  en: {
    greeting: (name: string) => `Hello, this is ${name}. How can I help you?`,
    closed: (hours: string) => `We are closed right now.${hours ? ` Our hours are ${hours}.` : ''}`,
    transferring: 'Of course, I am transferring you to a person now. Please hold.',
    callUs: (number: string) => `You can reach a person by calling ${number}.`,
    takeMessage: 'Nobody can take your call right now. Please tell me your name and your message, and we will get back to you.',
    noAnswer: "I'm sorry, I don't have that information.",
    offerTransfer: 'Would you like me to connect you with a person?',
    leaveMessage: 'If you leave your name and message, I will pass it on.',
    messageTaken: 'Thank you, I have passed your message on. We will get back to you as soon as possible.',
    goodbye: 'Thank you for getting in touch. Goodbye!',
    anythingElse: 'All right. Is there anything else I can help you with?',
    mediaOnly: 'Thanks for your message! I can only read text for now: please write your question and I will gladly help.',
    apology: 'Sorry, something went wrong on our side. Please try again in a moment.',
  },
  es: {
    greeting: (name: string) => `Hola, le atiende ${name}. ¿En qué le puedo ayudar?`,
    closed: (hours: string) => `En este momento estamos cerrados.${hours ? ` Nuestro horario es ${hours}.` : ''}`,
    transferring: 'Claro, le comunico con una persona. Por favor espere en la línea.',
    callUs: (number: string) => `Puede hablar con una persona llamando al ${number}.`,
    takeMessage: 'En este momento nadie puede atenderle. Dígame su nombre y su mensaje y nos pondremos en contacto con usted.',
    noAnswer: 'Lo siento, no tengo esa información.',
    offerTransfer: '¿Quiere que le comunique con una persona?',
    leaveMessage: 'Si me deja su nombre y su mensaje, lo haré llegar.',
    messageTaken: 'Gracias, ya dejé su mensaje. Nos pondremos en contacto con usted lo antes posible.',
    goodbye: 'Gracias por comunicarse. ¡Hasta luego!',
    anythingElse: 'De acuerdo. ¿Le puedo ayudar en algo más?',
    mediaOnly: '¡Gracias por su mensaje! Por ahora solo puedo leer texto: escríbame su pregunta y con gusto le ayudo.',
    apology: 'Lo sentimos, algo falló de nuestro lado. Por favor intente de nuevo en un momento.',
  },
} as const;
