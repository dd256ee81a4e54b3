import pg from 'pg';

export interface NoticeListenerEvents {
  notice(payload: string): void;
  /** Listening (again): anything sent while the connection was down was missed. */
  connected(): void;
  disconnected(error: Error | undefined): void;
}

const RECONNECT_DELAYS_MS = [100, 250, 500, 1_000, 2_000];

/**
 * LISTEN on one dedicated connection (a pooled connection cannot keep a LISTEN: the pool hands it to others), and
 * reconnect for as long as it runs: after a database restart, a failover or a killed backend.
 */
export class PgNoticeListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connection: pg.ClientConfig,
    private readonly channel: string,
    /** The connection's application_name, so that an operator (or a test) can tell it in pg_stat_activity. */
    private readonly applicationName: string,
    private readonly events: NoticeListenerEvents,
  ) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ ...this.connection, application_name: this.applicationName, keepAlive: true, connectionTimeoutMillis: 2_000 });
    let lost = false;
    const onLost = (error?: Error): void => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = undefined;
      void client.end().catch(() => undefined);
      if (this.stopped) return;
      this.events.disconnected(error);
      this.scheduleReconnect();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => {
      if (message.channel === this.channel && message.payload) this.events.notice(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${this.channel}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (this.stopped || lost) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.events.connected();
  }

  private scheduleReconnect(): void {
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt, RECONNECT_DELAYS_MS.length - 1)];
    this.attempt++;
    this.timer = setTimeout(() => void this.connect(), delay);
  }
}
