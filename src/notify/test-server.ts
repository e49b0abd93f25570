/**
 * For the notify tests: a loopback HTTP server that records every request. Paths: /fail
 * answers 500 with a body, /slow never answers, anything else answers `status` (default 200).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/** One recorded request. */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

/** A running recorder. */
export interface Recorder {
  base: string;
  requests: Recorded[];
  close(): Promise<void>;
}

/** Starts a recorder on 127.0.0.1, on a free port. */
export async function startRecorder(status = 200): Promise<Recorder> {
  const requests: Recorded[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, json });
      if (req.url?.startsWith('/slow')) return;
      if (req.url?.startsWith('/fail')) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('upstream exploded\n');
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
