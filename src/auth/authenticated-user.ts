/** Who the verified access token says the caller is. */
export interface AuthenticatedUser {
  id: string;
  email?: string;
  /** Postgres role claim: always `authenticated` for a user that passed the guard. */
  role: string;
  /** Platform admins: `app_metadata.role = "admin"` (app_metadata is only writable by the server). */
  isAdmin: boolean;
  expiresAt: Date;
  issuedAt?: Date;
  issuer?: string;
}
