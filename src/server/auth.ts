/**
 * Who may talk to `headroom serve`: anyone on loopback by default; beyond loopback only with
 * an access token, sent as `Authorization: Bearer <token>` and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HeadroomError } from '../errors.ts';

/** True when `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses to listen beyond loopback without a token (a USAGE error saying what to do). */
export function assertSafeListen(host: string, token: string | undefined): void {
  if (!isLoopback(host) && !token) {
    throw new HeadroomError(
      'USAGE',
      `--host ${host} listens beyond this machine without an access token`,
      {
        hint: 'set HEADROOM_TOKEN (or --token) to a long random secret, or keep the default --host 127.0.0.1',
      },
    );
  }
}

/** True when the Authorization header carries `token`; constant time in the token's length. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  // Hash both sides: equal lengths for timingSafeEqual, and nothing learnt from a length.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && given.length > 0;
}
