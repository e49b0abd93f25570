/**
 * Never a weapon: a load test may only target this machine (127.0.0.0/8, ::1, `localhost`) unless
 * the user says `--allow-remote`. A hostname is resolved, and every address it resolves to must be
 * loopback; a URL that is not http(s) is refused.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { HeadroomError } from '../errors.ts';

/** Resolves a hostname to all its addresses (injectable for tests). */
export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/** True for an IPv4 address in 127.0.0.0/8, IPv6 ::1, or an IPv4-mapped loopback (`::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(a) === 4) return a.startsWith('127.');
  if (isIP(a) !== 6) return false;
  if (a === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(a) || a === '0:0:0:0:0:0:0:1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped !== null && mapped[1]!.startsWith('127.');
}

/** Parses a target URL; LOADTEST_CONFIG naming `option` when it is not an absolute http(s) URL. */
export function parseTargetUrl(text: string, option = '--url'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new HeadroomError('LOADTEST_CONFIG', `${option} "${text}" is not a URL`, {
      hint: `write e.g. ${option} http://127.0.0.1:3000/`,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HeadroomError('LOADTEST_CONFIG', `${option} "${text}" is not http or https`, {
      hint: `write e.g. ${option} http://127.0.0.1:3000/`,
    });
  }
  return url;
}

/**
 * Refuses (LOADTEST_REMOTE) a target outside loopback unless `allowRemote`; LOADTEST_CONFIG when
 * its host does not resolve.
 */
export async function assertLoopbackTarget(
  url: URL,
  options: { allowRemote: boolean; resolve?: Resolver },
): Promise<void> {
  if (options.allowRemote) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host.toLowerCase() === 'localhost' || isLoopbackAddress(host)) return;
  let addresses: string[] = [];
  if (isIP(host) === 0) {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (err) {
      throw new HeadroomError(
        'LOADTEST_CONFIG',
        `the host "${host}" of ${url.href} does not resolve`,
        {
          hint: 'check the URL, or use http://127.0.0.1:<port>/',
          cause: err,
        },
      );
    }
  }
  const outside = addresses.filter((a) => !isLoopbackAddress(a));
  if (addresses.length > 0 && outside.length === 0) return;
  const where = isIP(host) === 0 ? `${host} resolves to ${outside.join(', ')}, ` : '';
  throw new HeadroomError(
    'LOADTEST_REMOTE',
    `refusing to load ${url.origin}: ${where}not this machine (loopback only)`,
    {
      hint: 'load-test a service you run on 127.0.0.1, or pass --allow-remote if you own the target and may load it',
    },
  );
}
