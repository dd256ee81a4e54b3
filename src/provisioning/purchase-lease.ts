/**
 * Twilio requests made under one grant of a bundle's lease, at most: the sync reads the bundle's status and, on a
 * rejection, its evaluation right after the claim; the purchase renews the lease before each of its own requests.
 */
export const MAX_REQUESTS_PER_LEASE_GRANT = 2;
/** Room for the database calls between those requests. */
const DATABASE_MARGIN_MS = 5_000;

/** The shortest lease that outlasts every request it covers, each of which may take the full timeout. */
export function minimumLeaseSeconds(requestTimeoutMs: number): number {
  return Math.ceil((MAX_REQUESTS_PER_LEASE_GRANT * requestTimeoutMs + DATABASE_MARGIN_MS) / 1000);
}

/** Refuses a lease that could expire while a request it covers is still running (another worker could then buy too). */
export function assertLeaseOutlastsRequests(leaseSeconds: number, requestTimeoutMs: number): void {
  const minimum = minimumLeaseSeconds(requestTimeoutMs);
  if (leaseSeconds < minimum) {
    throw new Error(
      `The bundle lease (${leaseSeconds} s) must outlast the Twilio requests it covers: ${MAX_REQUESTS_PER_LEASE_GRANT} × ${requestTimeoutMs} ms plus ${DATABASE_MARGIN_MS} ms, at least ${minimum} s`,
    );
  }
}
