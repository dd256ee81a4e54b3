import { TwilioWebhookMetrics } from '../twilio/twilio-webhook-metrics.js';
import { MetricsService } from './metrics.service.js';

/** The value of one sample in the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('MetricsService', () => {
  let twilio: TwilioWebhookMetrics;
  let metrics: MetricsService;
  beforeEach(() => {
    twilio = new TwilioWebhookMetrics();
    metrics = new MetricsService(twilio);
  });

  it('tracks live calls and streams by voice path; ending twice never goes below zero', async () => {
    const endCall = metrics.callStarted('media_stream');
    metrics.callStarted('conversation_relay');
    const closeStream = metrics.streamOpened('media_stream');
    let text = await metrics.render();
    expect(sample(text, 'calls_active{voice_path="media_stream"}')).toBe(1);
    expect(sample(text, 'calls_active{voice_path="conversation_relay"}')).toBe(1);
    expect(sample(text, 'streams_active{voice_path="media_stream"}')).toBe(1);

    endCall();
    endCall();
    metrics.callEnded('media_stream');
    closeStream();
    text = await metrics.render();
    expect(sample(text, 'calls_active{voice_path="media_stream"}')).toBe(0);
    expect(sample(text, 'calls_total{voice_path="media_stream"}')).toBe(1);
    expect(sample(text, 'streams_active{voice_path="media_stream"}')).toBe(0);
    expect(sample(text, 'streams_total{voice_path="media_stream"}')).toBe(1);
    expect(sample(text, 'calls_active{voice_path="conversation_relay"}')).toBe(1);
  });

  it('records agent latency, provider errors, bundles, jobs and limits', async () => {
    metrics.agentTurnLatency(120, 'knowledge');
    metrics.providerError('openai', 'timeout');
    metrics.bundleStates({ 'in-review': 2, 'twilio-approved': 1 });
    metrics.bundleStates({ 'twilio-approved': 3 });
    metrics.bundleState('draft', 4);
    metrics.jobRun('bundle-monitor', 'success', 250);
    metrics.jobRun('bundle-monitor', 'failure');
    metrics.rateLimited('api');
    const text = await metrics.render();
    expect(sample(text, 'agent_turn_latency_seconds_count{brain="knowledge"}')).toBe(1);
    expect(sample(text, 'agent_turn_latency_seconds_sum{brain="knowledge"}')).toBeCloseTo(0.12);
    expect(sample(text, 'agent_turn_latency_seconds_bucket{le="0.25",brain="knowledge"}')).toBe(1);
    expect(sample(text, 'provider_errors_total{provider="openai",kind="timeout"}')).toBe(1);
    expect(sample(text, 'regulatory_bundles{status="in-review"}')).toBeUndefined();
    expect(sample(text, 'regulatory_bundles{status="twilio-approved"}')).toBe(3);
    expect(sample(text, 'regulatory_bundles{status="draft"}')).toBe(4);
    expect(sample(text, 'scheduled_job_runs_total{job="bundle-monitor",outcome="success"}')).toBe(1);
    expect(sample(text, 'scheduled_job_runs_total{job="bundle-monitor",outcome="failure"}')).toBe(1);
    expect(sample(text, 'scheduled_job_duration_seconds_count{job="bundle-monitor"}')).toBe(1);
    expect(sample(text, 'rate_limited_requests_total{scope="api"}')).toBe(1);
  });

  it('reads signature failures from the Twilio module at every scrape', async () => {
    twilio.signatureFailure('/voice/status');
    expect(sample(await metrics.render(), 'twilio_signature_failures_total{route="/voice/status"}')).toBe(1);
    twilio.signatureFailure('/voice/status');
    twilio.signatureFailure('/whatsapp/webhook');
    const text = await metrics.render();
    expect(sample(text, 'twilio_signature_failures_total{route="/voice/status"}')).toBe(2);
    expect(sample(text, 'twilio_signature_failures_total{route="/whatsapp/webhook"}')).toBe(1);
  });

  it('keeps registries apart, so two apps in one process do not clash', async () => {
    const other = new MetricsService(twilio);
    other.callStarted('media_stream');
    expect(sample(await metrics.render(), 'calls_total{voice_path="media_stream"}')).toBeUndefined();
    expect(sample(await other.render(), 'calls_total{voice_path="media_stream"}')).toBe(1);
  });
});
