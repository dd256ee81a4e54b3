/** DI token of the Twilio SDK client (`TwilioRestClient`); inject with @Inject(TWILIO_REST_CLIENT). */
export const TWILIO_REST_CLIENT = Symbol('TWILIO_REST_CLIENT');
