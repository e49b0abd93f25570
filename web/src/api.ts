/**
 * Talking to `headroom serve`: same-origin requests under `/api/`, with the access token (if the
 * page was opened with `?token=`) sent as `Authorization: Bearer`. Every answer becomes a
 * `Loaded<T>`: the data, or the error the server gave (`{error: {code, message}}`).
 */

/** Why a request failed: the HTTP status (0: the network) and the server's code and message. */
export interface ApiFailure {
  /** HTTP status, 0 when the server could not be reached. */
  status: number;
  /** The server's error code (`NOT_READY`, `UNAUTHORIZED`) or `NETWORK`. */
  code: string;
  /** One sentence for people. */
  message: string;
}

/** The result of one request: data or failure; undefined while it has not been made. */
export type Loaded<T> = { data: T; at: number } | { error: ApiFailure; at: number } | undefined;

const TOKEN_KEY = 'headroom-token';

/**
 * Reads `?token=` once: keeps it for this tab (sessionStorage, so a reload still works) and
 * removes it from the address bar, so it is not left in history, bookmarks or screenshots.
 */
export function takeToken(
  location: Location,
  history: History,
  storage: Storage,
): string | undefined {
  const url = new URL(location.href);
  const given = url.searchParams.get('token');
  if (given !== null) {
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    if (given) storage.setItem(TOKEN_KEY, given);
    else storage.removeItem(TOKEN_KEY);
  }
  return storage.getItem(TOKEN_KEY) ?? undefined;
}

/** A client for the API with an optional bearer token. */
export class Api {
  constructor(private readonly token: string | undefined) {}

  /** Request headers: the bearer token, when there is one. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { ...extra, authorization: `Bearer ${this.token}` } : extra;
  }

  /** GETs a JSON document; never throws. */
  async get<T>(path: string, signal?: AbortSignal): Promise<Loaded<T>> {
    const at = Date.now();
    let response: Response;
    try {
      response = await fetch(path, {
        headers: this.headers({ accept: 'application/json' }),
        signal,
      });
    } catch (err) {
      return { error: { status: 0, code: 'NETWORK', message: networkMessage(err) }, at };
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      body = undefined;
    }
    if (response.ok) return { data: body as T, at };
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    return {
      error: {
        status: response.status,
        code: error?.code ?? `HTTP_${response.status}`,
        message: error?.message ?? `${path} answered ${response.status} ${response.statusText}`,
      },
      at,
    };
  }
}

function networkMessage(err: unknown): string {
  if (err instanceof DOMException && err.name === 'AbortError') return 'the request was cancelled';
  return 'the headroom server cannot be reached';
}

/** The data of a loaded document, if it loaded. */
export function dataOf<T>(loaded: Loaded<T>): T | undefined {
  return loaded && 'data' in loaded ? loaded.data : undefined;
}

/** The failure of a loaded document, if it failed. */
export function errorOf<T>(loaded: Loaded<T>): ApiFailure | undefined {
  return loaded && 'error' in loaded ? loaded.error : undefined;
}
