/**
 * A Celery task message (task protocol 2) in kombu's JSON envelope, exactly as Celery's Redis
 * transport stores it on a list: what `task.apply_async()` LPUSHes, so a real Celery worker runs
 * it. Pure: the id, delivery tag and origin come in as arguments.
 *
 * Built as Celery 5 builds it (`celery/app/amqp.py`, `as_task_v2`): headers `lang`, `task`, `id`,
 * `root_id` (= id), `parent_id`, `argsrepr`, `kwargsrepr`, `origin`, … and the body
 * `[args, kwargs, embed]` serialized as JSON. kombu (`Channel.prepare_message`,
 * `_inplace_augment_message`) then wraps it: `body` base64 of the JSON, `content-type`
 * `application/json`, `content-encoding` `utf-8`, and `properties` with `correlation_id`,
 * `reply_to`, `delivery_mode` 2, `priority`, `body_encoding: base64`, a uuid `delivery_tag` and
 * `delivery_info: { exchange: '', routing_key: <queue> }` (the default exchange, which routes
 * straight to the list named by the key, as `send_task(…, queue=…)` publishes). JSON is written
 * the way Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII escaped), so a
 * message is byte for byte what Celery 5.2 pushes for the same task, id and tag.
 */

/** Celery's task arguments: positional and keyword. */
export interface CeleryArguments {
  /** Positional arguments. */
  args: unknown[];
  /** Keyword arguments. */
  kwargs: Record<string, unknown>;
}

/** What one message needs. */
export interface CeleryMessageInput {
  /** Registered task name (`tasks.send_email`). */
  task: string;
  /** Queue (list) it goes to: the routing key. */
  queue: string;
  /** Task id, a uuid. */
  id: string;
  /** kombu's delivery tag, a uuid. */
  deliveryTag: string;
  /** Job payload: an array is `args`, a plain object `kwargs`, anything else the one argument. */
  data: unknown;
  /** Who sent it (`gen<pid>@<host>`, as Celery writes it). */
  origin: string;
  /** Message priority, 0..9 (0 = kombu's default list, served first). */
  priority?: number;
}

/** kombu's JSON envelope as the Redis transport stores it. */
export interface CeleryEnvelope {
  body: string;
  'content-encoding': string;
  'content-type': string;
  headers: Record<string, unknown>;
  properties: {
    correlation_id: string;
    reply_to: string;
    delivery_mode: number;
    delivery_info: { exchange: string; routing_key: string };
    priority: number;
    body_encoding: 'base64';
    delivery_tag: string;
  };
}

/** The task arguments a job payload stands for. */
export function celeryArguments(data: unknown): CeleryArguments {
  if (Array.isArray(data)) return { args: data, kwargs: {} };
  if (data !== null && typeof data === 'object') {
    return { args: [], kwargs: data as Record<string, unknown> };
  }
  return { args: data === undefined ? [] : [data], kwargs: {} };
}

/** The envelope of one task message. */
export function celeryEnvelope(input: CeleryMessageInput): CeleryEnvelope {
  const { args, kwargs } = celeryArguments(input.data);
  const embed = { callbacks: null, errbacks: null, chain: null, chord: null };
  const body = Buffer.from(pythonJson([args, kwargs, embed]), 'utf8').toString('base64');
  return {
    body,
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: {
      lang: 'py',
      task: input.task,
      id: input.id,
      shadow: null,
      eta: null,
      expires: null,
      group: null,
      group_index: null,
      retries: 0,
      timelimit: [null, null],
      root_id: input.id,
      parent_id: null,
      // Celery turns empty args into `()` before it repr()s them.
      argsrepr: args.length === 0 ? '()' : pythonRepr(args),
      kwargsrepr: pythonRepr(kwargs),
      origin: input.origin,
      ignore_result: false,
    },
    properties: {
      correlation_id: input.id,
      reply_to: '',
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: input.queue },
      priority: input.priority ?? 0,
      body_encoding: 'base64',
      delivery_tag: input.deliveryTag,
    },
  };
}

/** The text LPUSHed onto the list. */
export function celeryMessage(input: CeleryMessageInput): string {
  return pythonJson(celeryEnvelope(input));
}

/** What a worker reads back from a message: task, id and arguments, decoded as kombu decodes them. */
export function decodeCeleryMessage(text: string): { task: string; id: string } & CeleryArguments {
  const envelope = JSON.parse(text) as CeleryEnvelope;
  if (envelope.properties.body_encoding !== 'base64') {
    throw new Error(`body_encoding ${envelope.properties.body_encoding} is not base64`);
  }
  const body = JSON.parse(Buffer.from(envelope.body, 'base64').toString('utf8')) as unknown;
  if (!Array.isArray(body) || body.length !== 3)
    throw new Error('body is not [args, kwargs, embed]');
  const [args, kwargs] = body as [unknown[], Record<string, unknown>];
  return { task: String(envelope.headers.task), id: String(envelope.headers.id), args, kwargs };
}

/** Python's repr of JSON data, as Celery's `saferepr` writes `argsrepr` and `kwargsrepr`. */
export function pythonRepr(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => pythonRepr(v)).join(', ')}]`;
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string')
    return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

/** JSON as Python's `json.dumps` writes it by default: `", "`, `": "`, non-ASCII as `\\uXXXX`. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => pythonJson(v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    return `{${entries.map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`).join(', ')}}`;
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return JSON.stringify(value ?? null);
}
