import { describe, expect, it } from 'vitest';
import { refuseAddress, refuseWebhookUrl } from './webhook-url.policy.js';

const production = { allowLoopback: false };
const development = { allowLoopback: true };

describe('webhook URL policy', () => {
  it('accepts public https URLs everywhere', () => {
    expect(refuseWebhookUrl('https://hooks.example.com/in', production)).toBeNull();
    expect(refuseWebhookUrl('https://93.184.216.34:8443/in', production)).toBeNull();
  });

  it('refuses other schemes, credentials and fragments', () => {
    expect(refuseWebhookUrl('http://hooks.example.com/in', production)).toMatch(/https/);
    expect(refuseWebhookUrl('http://hooks.example.com/in', development)).toMatch(/loopback/);
    expect(refuseWebhookUrl('ftp://hooks.example.com/in', development)).toMatch(/https/);
    expect(refuseWebhookUrl('file:///etc/passwd', development)).toMatch(/https/);
    expect(refuseWebhookUrl('https://user:pw@hooks.example.com/', production)).toMatch(/password/);
    expect(refuseWebhookUrl('not a url', production)).toMatch(/absolute URL/);
  });

  it('accepts loopback http only outside production', () => {
    expect(refuseWebhookUrl('http://127.0.0.1:4000/hook', development)).toBeNull();
    expect(refuseWebhookUrl('http://localhost:4000/hook', development)).toBeNull();
    expect(refuseWebhookUrl('http://[::1]:4000/hook', development)).toBeNull();
    expect(refuseWebhookUrl('http://127.0.0.1:4000/hook', production)).not.toBeNull();
    expect(refuseWebhookUrl('https://127.0.0.1/hook', production)).toMatch(/public/);
    expect(refuseWebhookUrl('https://localhost/hook', production)).toMatch(/localhost/);
  });

  it('refuses private, link-local and mapped addresses, in production and in development', () => {
    for (const address of [
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::ffff:10.0.0.1',
      'fd00::1',
      'fe80::1',
      '::',
    ]) {
      expect(refuseAddress(address, production), address).not.toBeNull();
      expect(refuseAddress(address, development), address).not.toBeNull();
    }
    expect(refuseWebhookUrl('https://169.254.169.254/latest/meta-data', development)).toMatch(/public/);
    expect(refuseWebhookUrl('https://[::ffff:127.0.0.1]/x', production)).toMatch(/public/);
  });

  it('accepts public addresses and, outside production, loopback ones', () => {
    expect(refuseAddress('93.184.216.34', production)).toBeNull();
    expect(refuseAddress('2606:2800:220:1:248:1893:25c8:1946', production)).toBeNull();
    expect(refuseAddress('127.0.0.1', production)).not.toBeNull();
    expect(refuseAddress('127.0.0.1', development)).toBeNull();
    expect(refuseAddress('::1', development)).toBeNull();
  });
});
