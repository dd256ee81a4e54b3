import { SignJWT } from 'jose';

export interface DevelopmentTokenOptions {
  sub: string;
  secret: string;
  issuer?: string;
  email?: string;
  admin?: boolean;
  expiresInSeconds?: number;
}

/** A Supabase-shaped user access token signed with an HS256 secret: for development and tests only. */
export function mintDevelopmentToken(options: DevelopmentTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({
    role: 'authenticated',
    email: options.email,
    app_metadata: { provider: 'email', providers: ['email'], ...(options.admin ? { role: 'admin' } : {}) },
    user_metadata: {},
    aal: 'aal1',
    session_id: crypto.randomUUID(),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setAudience('authenticated')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600));
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
