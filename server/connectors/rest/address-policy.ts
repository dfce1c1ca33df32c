// Which network addresses the HTTP source may connect to. A pipeline author
// must not be able to make the server fetch from its own network (databases,
// admin ports, the cloud metadata service at 169.254.169.254), so private,
// loopback, link-local and other special-purpose addresses are refused unless
// the administrator allows them (SLUICE_HTTP_ALLOW_PRIVATE).
import { isIP } from 'node:net';

interface Cidr {
  version: 4 | 6;
  base: bigint;
  bits: number;
}

export interface AddressAllowList {
  cidrs: Cidr[];
  /** Lower-case host names; '*.example.com' matches every subdomain. */
  hostnames: string[];
}

export const emptyAllowList: AddressAllowList = { cidrs: [], hostnames: [] };

function parseIPv4(text: string): bigint | undefined {
  if (isIP(text) !== 4) return undefined;
  return text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseIPv6(input: string): bigint | undefined {
  const text = input.replace(/%.*$/, ''); // zone id: fe80::1%eth0
  if (isIP(text) !== 6) return undefined;
  let head = text;
  const groups: number[] = [];
  // A trailing dotted quad stands for the last two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  let tail: number[] = [];
  if (dotted?.[1]) {
    const v4 = parseIPv4(dotted[1]) ?? 0n;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    head = head.slice(0, -dotted[1].length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const leftGroups = parse(left);
  const rightGroups = [...(right === undefined ? [] : parse(right)), ...tail];
  if (right === undefined) groups.push(...leftGroups, ...tail);
  else groups.push(...leftGroups, ...Array<number>(8 - leftGroups.length - rightGroups.length).fill(0), ...rightGroups);
  if (groups.length !== 8) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/** An address as a number with its family; IPv6 forms that embed an IPv4 address become that address. */
export function normalizeAddress(address: string): { version: 4 | 6; value: bigint } | undefined {
  const v4 = parseIPv4(address);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = parseIPv6(address.replace(/^\[|\]$/g, ''));
  if (v6 === undefined) return undefined;
  const low32 = v6 & 0xffffffffn;
  const high96 = v6 >> 32n;
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, except :: and ::1), 64:ff9b::a.b.c.d (NAT64).
  if (high96 === 0xffffn || high96 === 0x0064ff9b0000000000000000n || (high96 === 0n && low32 > 1n)) return { version: 4, value: low32 };
  // 2002:AABB:CCDD::/48 (6to4) carries AA.BB.CC.DD.
  if (v6 >> 112n === 0x2002n) return { version: 4, value: (v6 >> 80n) & 0xffffffffn };
  return { version: 6, value: v6 };
}

function parseCidr(text: string): Cidr | undefined {
  const [address = '', bitsText] = text.split('/');
  const parsed = normalizeAddress(address);
  if (!parsed) return undefined;
  // A mapped IPv6 range names IPv4 addresses; keep its prefix relative to them.
  const isMapped = parsed.version === 4 && isIP(address) === 6;
  const width = parsed.version === 4 ? 32 : 128;
  let bits = bitsText === undefined ? width : Number(bitsText);
  if (isMapped && bitsText !== undefined) bits -= 96;
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return undefined;
  return { version: parsed.version, base: parsed.value, bits };
}

function inCidr(address: { version: 4 | 6; value: bigint }, cidr: Cidr): boolean {
  if (address.version !== cidr.version) return false;
  const width = BigInt(cidr.version === 4 ? 32 : 128);
  const shift = width - BigInt(cidr.bits);
  return address.value >> shift === cidr.base >> shift;
}

const refusedRanges: { cidr: Cidr; what: string }[] = [
  ['0.0.0.0/8', 'a "this network" address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address (cloud metadata lives here)'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'a special-purpose address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'a loopback address'],
  ['fc00::/7', 'a private (unique local) address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
].map(([text, what]) => ({ cidr: parseCidr(text ?? '') as Cidr, what: what ?? '' }));

/** Why `address` may not be reached, or undefined when it may. */
export function refusedAddressReason(address: string, allow: AddressAllowList = emptyAllowList): string | undefined {
  const parsed = normalizeAddress(address);
  if (!parsed) return 'not an IP address';
  const range = refusedRanges.find((r) => inCidr(parsed, r.cidr));
  if (!range) return undefined;
  return allow.cidrs.some((c) => inCidr(parsed, c)) ? undefined : range.what;
}

export function isAllowedHostname(hostname: string, allow: AddressAllowList): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return allow.hostnames.some((h) => (h.startsWith('*.') ? host.endsWith(h.slice(1)) : host === h));
}

/** Parses SLUICE_HTTP_ALLOW_PRIVATE: comma-separated CIDRs, single addresses or host names. */
export function parseAllowList(text: string | undefined): AddressAllowList {
  const list: AddressAllowList = { cidrs: [], hostnames: [] };
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const cidr = parseCidr(entry);
    if (cidr) list.cidrs.push(cidr);
    else if (/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/.test(entry) && !/^[\d.]+$/.test(entry)) list.hostnames.push(entry.replace(/\.$/, ''));
    else throw new Error(`"${raw.trim()}" is neither an address range (10.1.0.0/16, ::1) nor a host name`);
  }
  return list;
}
