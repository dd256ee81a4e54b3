import { loadConfig } from '../config/load-config.js';

describe('provisioning settings', () => {
  it('defaults to a monitor every 5 minutes and 5 MB documents', () => {
    expect(loadConfig({}).provisioning).toMatchObject({ monitorEnabled: true, monitorIntervalSeconds: 300, documentMaxBytes: 5 * 1024 * 1024 });
  });

  it('reads BUNDLE_MONITOR_ENABLED, BUNDLE_MONITOR_INTERVAL_SECONDS and BUNDLE_DOCUMENT_MAX_BYTES', () => {
    const config = loadConfig({ BUNDLE_MONITOR_ENABLED: 'false', BUNDLE_MONITOR_INTERVAL_SECONDS: '60', BUNDLE_DOCUMENT_MAX_BYTES: '2048' });
    expect(config.provisioning).toMatchObject({ monitorEnabled: false, monitorIntervalSeconds: 60, documentMaxBytes: 2048 });
  });

  it('names the variable when a value is wrong', () => {
    expect(() => loadConfig({ BUNDLE_MONITOR_ENABLED: 'yes' })).toThrow(/BUNDLE_MONITOR_ENABLED must be true or false/);
    expect(() => loadConfig({ BUNDLE_MONITOR_INTERVAL_SECONDS: '1' })).toThrow(/BUNDLE_MONITOR_INTERVAL_SECONDS must be a whole number of seconds from 5/);
    expect(() => loadConfig({ BUNDLE_DOCUMENT_MAX_BYTES: 'big' })).toThrow(/BUNDLE_DOCUMENT_MAX_BYTES must be a whole number of bytes/);
  });
});
