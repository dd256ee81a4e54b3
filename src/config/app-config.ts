/**
 * The validated, typed environment. Nothing else in the app reads `process.env`.
 * An abstract class so that it is both the type and the DI token.
 */
export abstract class AppConfig {
  declare env: 'development' | 'test' | 'production';
  declare port: number;
  declare publicBaseUrl: string;
  declare logLevel: string;
  declare database: {
    url?: string;
    dataDir: string;
    supabaseUrl?: string;
    supabaseServiceRoleKey?: string;
  };
  declare auth: {
    supabaseUrl?: string;
    /** HS256 secret; when unset only asymmetric keys from the project's JWKS are accepted. */
    jwtSecret?: string;
    /** Whether `jwtSecret` is the built-in development secret. */
    jwtSecretIsDevelopment: boolean;
  };
  declare twilio: {
    accountSid: string;
    authToken: string;
    apiBaseUrl?: string;
    numbersBaseUrl?: string;
    numbersUploadBaseUrl?: string;
    usingDevelopmentCredentials: boolean;
  };
  declare openai: {
    apiKey?: string;
    baseUrl: string;
    model: string;
    realtimeModel: string;
  };
  /** Secret for the short-lived tokens handed to Twilio's streams. */
  declare sessionTokenSecret: string;
  declare demoSeed: boolean;
}

export const DEVELOPMENT_JWT_SECRET = 'development-only-jwt-secret-do-not-use-in-production';
export const DEVELOPMENT_TWILIO_AUTH_TOKEN = 'development-only-twilio-auth-token';
export const DEVELOPMENT_TWILIO_ACCOUNT_SID = 'AC00000000000000000000000000000000';
export const DEVELOPMENT_SESSION_TOKEN_SECRET = 'development-only-session-token-secret';
