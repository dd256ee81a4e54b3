/** Headers whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.access_token',
  '*.password',
];

// Six or more digits, optionally after + or its URL encoding: phone numbers in paths and query strings.
const PHONE_IN_TEXT = /(?:\+|%2B)?\d(?:[\d\s().-]|%20){5,}\d/gi;
// Tokens in query strings (Twilio stream parameters, links).
const TOKEN_IN_QUERY = /([?&](?:token|access_token|signature)=)[^&#]*/gi;

/** Keeps only the last four digits of any phone number in a text, and drops token values. */
export function redactText(text: string): string {
  return text
    .replace(TOKEN_IN_QUERY, '$1[redacted]')
    .replace(PHONE_IN_TEXT, (match) => {
      const digits = match.replace(/%2B|%20|\D/gi, '');
      return `***${digits.slice(-4)}`;
    });
}
