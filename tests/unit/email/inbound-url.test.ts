import { describe, expect, it } from 'vitest';
import { allowList, parseByteSize, parseInboundDomains, parseInboundUrl } from '../../../src/config/inbound-url.js';
import { ConfigError, loadConfig } from '../../../src/config/index.js';

describe('MAIL_INBOUND_URL', () => {
  it('reads the protocol, the address to listen on and the default port of each', () => {
    expect(parseInboundUrl('lmtp://0.0.0.0')).toMatchObject({
      protocol: 'lmtp',
      host: '0.0.0.0',
      port: 24,
      key: 'lmtp://0.0.0.0:24',
      tls: null,
    });
    expect(parseInboundUrl('smtp://127.0.0.1:2525')).toMatchObject({ protocol: 'smtp', port: 2525, key: 'smtp://127.0.0.1:2525' });
    expect(parseInboundUrl('lmtp://[::1]:2424')).toMatchObject({ host: '::1', port: 2424 });
  });

  it('lets only the loopback connect unless allow= says otherwise', () => {
    const spec = parseInboundUrl('lmtp://0.0.0.0:24');
    const list = allowList(spec.allow);
    expect(list.check('127.0.0.1', 'ipv4')).toBe(true);
    expect(list.check('127.8.9.10', 'ipv4')).toBe(true);
    expect(list.check('::1', 'ipv6')).toBe(true);
    expect(list.check('10.1.2.3', 'ipv4')).toBe(false);
    const relay = allowList(parseInboundUrl('lmtp://0.0.0.0:24?allow=10.0.0.0/8,192.0.2.7').allow);
    expect(relay.check('10.200.0.1', 'ipv4')).toBe(true);
    expect(relay.check('192.0.2.7', 'ipv4')).toBe(true);
    expect(relay.check('192.0.2.8', 'ipv4')).toBe(false);
    expect(relay.check('127.0.0.1', 'ipv4')).toBe(false);
  });

  it('takes a certificate and a key for STARTTLS, together', () => {
    expect(parseInboundUrl('smtp://0.0.0.0:25?tls_cert=/etc/c.pem&tls_key=/etc/k.pem').tls).toEqual({
      certFile: '/etc/c.pem',
      keyFile: '/etc/k.pem',
    });
    expect(() => parseInboundUrl('smtp://0.0.0.0:25?tls_cert=/etc/c.pem')).toThrow(/together/);
  });

  it('refuses what it cannot serve, saying why', () => {
    expect(() => parseInboundUrl('imap://0.0.0.0')).toThrow(/lmtp:\/\/ or smtp:\/\//);
    expect(() => parseInboundUrl('lmtp://u:p@0.0.0.0')).toThrow(/no user/);
    expect(() => parseInboundUrl('lmtp://0.0.0.0?color=red')).toThrow(/unknown option color/);
    expect(() => parseInboundUrl('lmtp://0.0.0.0?allow=example.com')).toThrow(/not an IP address/);
    expect(() => parseInboundUrl('lmtp://0.0.0.0?allow=10.0.0.0/33')).toThrow(/prefix length/);
  });
});

describe('MAIL_INBOUND_DOMAINS and MAIL_INBOUND_MAX_SIZE', () => {
  it('reads domains and addresses, comma- or whitespace-separated, lower-case', () => {
    expect(parseInboundDomains('Desk.Example, it@Other.example  @third.example')).toEqual([
      'desk.example',
      'it@other.example',
      'third.example',
    ]);
    expect(() => parseInboundDomains('not a domain!')).toThrow(/neither a domain nor an address/);
  });

  it('reads a size in bytes, KB or MB', () => {
    expect(parseByteSize('25MB')).toBe(25 * 1024 * 1024);
    expect(parseByteSize('512k')).toBe(512 * 1024);
    expect(parseByteSize('100000')).toBe(100_000);
    expect(() => parseByteSize('lots')).toThrow(/size/);
  });

  it('in the configuration: 25 MB by default, the domains required with the URL, each bad value naming its variable', () => {
    const base = { MAIL_INBOUND_URL: 'lmtp://127.0.0.1:2424', MAIL_INBOUND_DOMAINS: 'desk.example' };
    expect(loadConfig(base).mailInbound).toMatchObject({ domains: ['desk.example'], maxSize: 25 * 1024 * 1024 });
    expect(loadConfig({}).mailInbound).toBeUndefined();
    const failure = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return err instanceof ConfigError ? err.variable : String(err);
      }
      return 'accepted';
    };
    expect(failure({ MAIL_INBOUND_URL: 'lmtp://127.0.0.1:2424' })).toBe('MAIL_INBOUND_DOMAINS');
    expect(failure({ ...base, MAIL_INBOUND_URL: 'http://127.0.0.1' })).toBe('MAIL_INBOUND_URL');
    expect(failure({ ...base, MAIL_INBOUND_MAX_SIZE: 'huge' })).toBe('MAIL_INBOUND_MAX_SIZE');
  });
});
