import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { strictMock } from '../../test/support/strict-mock.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { IntervalJob } from './interval-job.js';

function jobWith(run: () => Promise<'success' | 'skipped'>) {
  const metrics = strictMock<MetricsService>('metrics', { jobRun: () => undefined });
  const logger = strictMock<Logger>('logger', { error: () => undefined });
  const scheduler = new SchedulerRegistry();
  const job = new IntervalJob({ name: 'test.job', run, failure: { event: 'test_job_failed', message: 'It failed' } }, scheduler, metrics, logger);
  return { job, metrics, logger, scheduler };
}

describe('IntervalJob', () => {
  it('never overlaps a run still under way, and counts each run with its outcome', async () => {
    let release: () => void = () => undefined;
    const run = vi.fn(() => new Promise<'skipped'>((resolve) => (release = () => resolve('skipped'))));
    const { job, metrics } = jobWith(run);
    const first = job.tick();
    await job.tick(); // returns at once: the first run holds the job
    expect(run).toHaveBeenCalledTimes(1);
    release();
    await first;
    expect(metrics.jobRun).toHaveBeenCalledWith('test.job', 'skipped', expect.any(Number));
    const second = job.tick();
    release();
    await second;
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('counts and logs a failed run, and runs again on the next tick', async () => {
    const run = vi.fn<() => Promise<'success'>>().mockRejectedValueOnce(new Error('database away')).mockResolvedValueOnce('success');
    const { job, metrics, logger } = jobWith(run);
    await job.tick();
    expect(metrics.jobRun).toHaveBeenLastCalledWith('test.job', 'failure', expect.any(Number));
    expect(logger.error).toHaveBeenCalledWith({ event: 'test_job_failed', err: expect.any(Error) }, 'It failed');
    await job.tick();
    expect(metrics.jobRun).toHaveBeenLastCalledWith('test.job', 'success', expect.any(Number));
  });

  it('registers its interval with the scheduler, and after stop() neither the interval nor a tick remains', async () => {
    const run = vi.fn(async () => 'success' as const);
    const { job, scheduler } = jobWith(run);
    job.start(60_000);
    expect(scheduler.doesExist('interval', 'test.job')).toBe(true);
    job.stop();
    expect(scheduler.doesExist('interval', 'test.job')).toBe(false);
    await job.tick();
    expect(run).not.toHaveBeenCalled();
  });
});
