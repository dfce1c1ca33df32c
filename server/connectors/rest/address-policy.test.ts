import { describe, expect, it } from 'vitest';
import { isAllowedHostname, normalizeAddress, parseAllowList, refusedAddressReason } from './address-policy';
import { checkedAddress } from './safe-http';

describe('refusedAddressReason', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['10.0.0.1', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['169.254.169.254', 'a link-local address (cloud metadata lives here)'],
    ['0.0.0.0', 'a "this network" address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'the unspecified address'],
    ['fc00::1', 'a private (unique local) address'],
    ['fd12:3456::1', 'a private (unique local) address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:169.254.169.254', 'a link-local address (cloud metadata lives here)'],
    ['0:0:0:0:0:ffff:a00:1', 'a private address'],
    ['::127.0.0.1', 'a loopback address'],
    ['64:ff9b::10.0.0.1', 'a private address'],
    ['2002:7f00:1::', 'a loopback address'],
  ])('refuses %s (%s)', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason);
  });

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '169.255.0.1'])('allows the public address %s', (address) => {
    expect(refusedAddressReason(address)).toBeUndefined();
  });

  it('is not fooled by text that is not an address', () => {
    expect(refusedAddressReason('localhost')).toBe('not an IP address');
    expect(normalizeAddress('1.2.3')).toBeUndefined();
  });

  it('lets the allow-list open ranges, addresses and host names', () => {
    const allow = parseAllowList(' 10.20.0.0/16, ::1 ,127.0.0.1, api.internal, *.corp.example ');
    expect(refusedAddressReason('10.20.5.5', allow)).toBeUndefined();
    expect(refusedAddressReason('10.21.0.1', allow)).toBe('a private address');
    expect(refusedAddressReason('::1', allow)).toBeUndefined();
    expect(refusedAddressReason('127.0.0.1', allow)).toBeUndefined();
    expect(refusedAddressReason('::ffff:127.0.0.1', allow)).toBeUndefined();
    expect(refusedAddressReason('127.0.0.2', allow)).toBe('a loopback address');
    expect(isAllowedHostname('API.internal.', allow)).toBe(true);
    expect(isAllowedHostname('db.corp.example', allow)).toBe(true);
    expect(isAllowedHostname('corp.example.evil.com', allow)).toBe(false);
    expect(isAllowedHostname('evilapi.internal', allow)).toBe(false);
  });

  it('rejects allow-list entries it cannot read', () => {
    expect(parseAllowList(undefined)).toEqual({ cidrs: [], hostnames: [] });
    expect(() => parseAllowList('10.0.0.0/33')).toThrow(/"10\.0\.0\.0\/33" is neither an address range/);
    expect(() => parseAllowList('http://x')).toThrow(/neither an address range/);
  });
});

describe('checkedAddress', () => {
  it('refuses schemes other than http and https', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/', 'data:text/plain,hi', 'gopher://x/']) {
      await expect(checkedAddress(new URL(url), { cidrs: [], hostnames: [] })).rejects.toMatchObject({ code: 'HTTP_ADDRESS_REFUSED' });
    }
  });

  it('checks every address a host name resolves to, after resolving it', async () => {
    await expect(checkedAddress(new URL('http://localhost/'), { cidrs: [], hostnames: [] })).rejects.toThrow(/localhost resolves to .*loopback address/);
    await expect(checkedAddress(new URL('http://localhost/'), parseAllowList('localhost'))).resolves.toMatchObject({ address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/) as unknown });
  });
});
