// One HTTP request that can only reach public addresses. The host is resolved
// here, every address it resolves to is checked, and the connection is made to
// the checked address (a pinned lookup), so a DNS answer that changes between
// check and connect cannot slip through. Redirects are followed by hand and
// each hop is checked the same way.
import { lookup } from 'node:dns/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../../errors';
import { isAllowedHostname, refusedAddressReason, type AddressAllowList } from './address-policy';

export interface SafeRequest {
  url: URL;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** A larger response body fails the request rather than filling memory. */
  maxBodyBytes: number;
  /** Lower-case names of headers that carry credentials: dropped when a redirect leaves the origin. */
  credentialHeaders: readonly string[];
}

export interface SafeResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Where the response came from, after redirects. */
  url: URL;
}

const maxRedirects = 5;

function refused(message: string, url: URL): AppError {
  return new AppError('HTTP_ADDRESS_REFUSED', message, { transient: false, host: url.hostname });
}

/** The address to connect to for `url`, after checking the scheme and every address the host resolves to. */
export async function checkedAddress(url: URL, allow: AddressAllowList): Promise<{ address: string; family: 4 | 6 }> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refused(`${url.protocol}// URLs are refused; only http:// and https:// can be fetched`, url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const hostAllowed = isAllowedHostname(host, allow);
  const addresses = isIP(host) !== 0 ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true, order: 'verbatim' });
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });
  if (!hostAllowed) {
    for (const { address } of addresses) {
      const reason = refusedAddressReason(address, allow);
      if (reason) {
        const resolved = address === host ? '' : ` resolves to ${address}, which is`;
        throw refused(`${host}${resolved || ' is'} ${reason}; HTTP sources may not reach private, loopback or link-local addresses (an administrator can allow them with SLUICE_HTTP_ALLOW_PRIVATE)`, url);
      }
    }
  }
  const first = addresses[0];
  return { address: first?.address ?? host, family: first?.family === 6 ? 6 : 4 };
}

/** A lookup that answers only with the address that was checked. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function sendOnce(request: SafeRequest, url: URL, target: { address: string; family: 4 | 6 }): Promise<Omit<SafeResponse, 'url'>> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: request.method,
      headers: request.headers,
      lookup: pinnedLookup(target.address, target.family),
      agent: false,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no complete answer within ${Math.round(request.timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })), request.timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBodyBytes) {
          req.destroy(new AppError('HTTP_INVALID_RESPONSE', `The response is larger than ${Math.round(request.maxBodyBytes / 1024 / 1024)} MB; ask for smaller pages`, { transient: false }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(request.body);
  });
}

/** Sends `request`, following up to 5 redirects; every hop's address is checked first. */
export async function safeRequest(request: SafeRequest, allow: AddressAllowList): Promise<SafeResponse> {
  let url = request.url;
  let current = request;
  for (let hop = 0; ; hop++) {
    const target = await checkedAddress(url, allow);
    const response = await sendOnce(current, url, target);
    const location = response.headers.location;
    if (![301, 302, 303, 307, 308].includes(response.status) || location === undefined) return { ...response, url };
    if (hop >= maxRedirects) throw new AppError('HTTP_REQUEST_FAILED', `More than ${maxRedirects} redirects`, { transient: false });
    const next = new URL(location, url);
    // 303, and 301/302 after a POST, turn into a GET without the body (as browsers do); 307/308 repeat the request.
    const keepsBody = response.status === 307 || response.status === 308;
    const leavesOrigin = next.origin !== request.url.origin;
    const headers = Object.fromEntries(
      Object.entries(current.headers).filter(([name]) => !(leavesOrigin && request.credentialHeaders.includes(name.toLowerCase())) && (keepsBody || !/^content-(type|length)$/i.test(name))),
    );
    current = keepsBody ? { ...current, headers } : { ...current, method: 'GET', headers, body: undefined };
    url = next;
  }
}
