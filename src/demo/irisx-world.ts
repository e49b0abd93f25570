/**
 * A simulated IRISX: the system `headroom demo` watches instead of real servers. Companies sign
 * up; each sends SMS, email and webhooks with a daily and weekly rhythm, plus the campaigns
 * that make queues burst (a webhook fan-out every morning, an email blast every afternoon).
 * Messages wait in three JetStream streams (7-day retention, discard-old at each stream's byte
 * limit) and are worked off by three worker pools whose replicas the autoscaler sets; a new
 * worker takes `startupMs` to start. Around them: the API, PostgreSQL and the billed counters.
 *
 * Pure and deterministic: time comes in through `advanceTo`, randomness through the injected
 * `random` (a seeded generator), so the same seed replays the same month. Queues are a fluid
 * model stepped once a simulated minute, which is exact enough at these rates (hundreds of
 * messages a second) and cheap enough to simulate a month of history in milliseconds.
 */

/** A channel: one stream, its consumer and its worker pool. */
interface Channel {
  /** Pool (plan component) name. */
  pool: string;
  /** Metric-name prefix in the irisx plan: `sms` → sms_pending, sms_stream_bytes, … */
  prefix: 'sms' | 'email' | 'webhooks';
  /** Messages per company per day, before campaigns. */
  perCompanyPerDay: number;
  /** Bytes per message. */
  size: number;
  /** The stream's byte limit (discard old beyond it). */
  limitBytes: number;
  /** A daily campaign: extra messages per second, from `atHour` for `hours`. */
  campaign: { atHour: number; hours: number; extraPerSec: number };
}

const GB = 1e9;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const STEP_MS = 60_000;
const RETENTION_HOURS = 7 * 24;
/** Messages one worker clears per second (the plan's `per_replica: 100 msg/s`). */
const PER_WORKER_PER_SEC = 100;

const CHANNELS: readonly Channel[] = [
  {
    pool: 'sms-worker',
    prefix: 'sms',
    perCompanyPerDay: 400,
    size: 500,
    limitBytes: 30 * GB,
    campaign: { atHour: 18, hours: 0.5, extraPerSec: 160 },
  },
  {
    pool: 'email-worker',
    prefix: 'email',
    perCompanyPerDay: 300,
    size: 5000,
    limitBytes: 40 * GB,
    campaign: { atHour: 14, hours: 1 / 3, extraPerSec: 380 },
  },
  {
    pool: 'webhook-worker',
    prefix: 'webhooks',
    perCompanyPerDay: 450,
    size: 2000,
    limitBytes: 20 * GB,
    campaign: { atHour: 10, hours: 0.75, extraPerSec: 220 },
  },
];

/** The pools the simulated system runs, in plan order. */
export const DEMO_POOLS: readonly string[] = CHANNELS.map((c) => c.pool);

/** How the simulated month starts. */
export interface WorldOptions {
  /** Simulated time of the first step, epoch ms. */
  start: number;
  /** Companies at `start`. */
  companies: number;
  /** New companies per day. */
  companiesPerDay: number;
  /** Relative growth of each company's volume per day (0.004 = +0.4 %/day). */
  volumeGrowthPerDay: number;
  /** Seconds a new worker takes before it takes work. */
  startupMs: number;
  /** A uniform random number in [0, 1): inject a seeded generator. */
  random: () => number;
}

interface ChannelState {
  backlog: number;
  /** Arrivals per hour for the retention window, newest last (a ring). */
  hourly: Float64Array;
  hourIndex: number;
  /** The current hour's arrivals so far. */
  hourArrivals: number;
  arrivedPerSec: number;
  processedPerSec: number;
  processedTotal: number;
  ready: number;
  /** Workers asked for and still starting: when each becomes ready, sim ms. */
  starting: number[];
  /** Arrivals over the last 24 hours (for daily_messages). */
  day: number[];
}

/** The simulated system. */
export class IrisxWorld {
  /** Simulated time of the latest step, epoch ms. */
  now: number;
  private companies: number;
  private readonly channels = new Map<string, ChannelState>();
  private readonly counters = { sms: 0, voice: 0, email: 0, tts: 0, restarts: 0 };
  private apiLoad = 0;

  constructor(private readonly options: WorldOptions) {
    this.now = options.start;
    this.companies = options.companies;
    for (const c of CHANNELS) {
      this.channels.set(c.pool, {
        backlog: 0,
        hourly: new Float64Array(RETENTION_HOURS),
        hourIndex: 0,
        hourArrivals: 0,
        arrivedPerSec: 0,
        processedPerSec: 0,
        processedTotal: 0,
        ready: 1,
        starting: [],
        day: [],
      });
    }
    // A steady week before the start, so the streams hold a week of messages from the outset.
    for (const c of CHANNELS) {
      const s = this.state(c.pool);
      const perHour = (this.companies * c.perCompanyPerDay) / 24;
      s.hourly.fill(perHour);
      s.day = Array.from({ length: 24 }, () => perHour);
    }
  }

  /** Steps the world, a simulated minute at a time, up to `time` (epoch ms). */
  advanceTo(time: number): void {
    while (this.now + STEP_MS <= time) this.step(STEP_MS);
  }

  /** Replicas running or starting in a pool (what an actuator reads back). */
  replicas(pool: string): number {
    const s = this.state(pool);
    return s.ready + s.starting.length;
  }

  /** Replicas running and taking work. */
  readyReplicas(pool: string): number {
    return this.state(pool).ready;
  }

  /** Sets a pool's replicas: new workers start after the start-up delay; removed ones drain. */
  setReplicas(pool: string, replicas: number): void {
    const s = this.state(pool);
    const target = Math.max(0, Math.round(replicas));
    while (this.replicas(pool) < target) s.starting.push(this.now + this.options.startupMs);
    // Starting workers are cancelled first, then running ones leave (a fluid worker drains
    // within the minute step, so no message is lost: the backlog stays in the stream).
    while (this.replicas(pool) > target) {
      if (s.starting.length > 0) s.starting.pop();
      else s.ready--;
    }
  }

  /**
   * The value of an irisx plan metric now, or undefined for a metric this world does not
   * simulate. Units are the plan's base units (bytes, messages, seconds, ratios, counts).
   */
  metric(name: string): number | undefined {
    const channel = CHANNELS.find((c) => name.startsWith(`${c.prefix}_`));
    if (channel) {
      const s = this.state(channel.pool);
      const field = name.slice(channel.prefix.length + 1);
      if (field === 'pending') return Math.round(s.backlog);
      if (field === 'processed_rate') return s.processedPerSec;
      if (field === 'stream_bytes') return this.streamMessages(channel) * channel.size;
      if (field === 'stream_msgs') return Math.round(this.streamMessages(channel));
      if (field === 'sent_total') return Math.round(this.counters.sms);
    }
    return this.shared(name);
  }

  private shared(name: string): number | undefined {
    const busy = CHANNELS.reduce((sum, c) => {
      const s = this.state(c.pool);
      return sum + (s.ready > 0 ? s.processedPerSec / (s.ready * PER_WORKER_PER_SEC) : 0);
    }, 0);
    const storage = CHANNELS.reduce((sum, c) => sum + this.streamMessages(c) * c.size, 0);
    switch (name) {
      case 'companies':
        return Math.floor(this.companies);
      case 'db_connections':
        return Math.round(18 + this.companies / 90 + 6 * this.apiLoad);
      case 'db_max_connections':
        return 100;
      case 'nats_storage_used':
        return storage * 1.02;
      case 'nats_memory_used':
        return 0.6 * GB + storage * 0.012;
      case 'daily_messages':
        return Math.round(
          CHANNELS.reduce((sum, c) => sum + this.state(c.pool).day.reduce((a, b) => a + b, 0), 0),
        );
      case 'worker_cpu':
        return Math.min(1, 0.05 + (0.85 * busy) / CHANNELS.length);
      case 'worker_failure_rate':
        return 0.004 + 0.002 * this.noise();
      case 'worker_retry_rate':
        return 0.02 + 0.01 * this.noise();
      case 'worker_processing_time':
        return 0.35 + 0.1 * this.noise();
      case 'worker_restarts':
        return this.counters.restarts;
      case 'delivery_failure_rate':
        return 0.008 + 0.006 * this.noise();
      case 'api_p95':
        return 0.045 + 0.06 * this.apiLoad ** 2 + 0.01 * this.noise();
      case 'api_inflight':
        return Math.round(40 + 900 * this.apiLoad);
      case 'api_cpu_cores':
        return 0.12 + 0.55 * this.apiLoad;
      case 'api_availability':
        return 0.9996;
      case 'voice_minutes_total':
        return Math.round(this.counters.voice);
      case 'emails_sent_total':
        return Math.round(this.counters.email);
      case 'tts_chars_total':
        return Math.round(this.counters.tts);
      default:
        return undefined;
    }
  }

  private step(dtMs: number): void {
    const t = this.now + dtMs;
    const days = dtMs / DAY_MS;
    const jitter = 1 + 0.08 * (this.noise() - 0.5);
    this.companies += this.options.companiesPerDay * days * (0.5 + this.options.random());
    const rhythm = rhythmAt(t);
    const volume = Math.exp(this.options.volumeGrowthPerDay * ((t - this.options.start) / DAY_MS));
    this.apiLoad = Math.min(1, (rhythm * this.companies) / 3000);
    for (const c of CHANNELS) {
      const s = this.state(c.pool);
      while (s.starting.length > 0 && s.starting[0]! <= t) {
        s.starting.shift();
        s.ready++;
      }
      const base = ((this.companies * c.perCompanyPerDay * volume) / 86_400) * rhythm * jitter;
      const arrivals = (base + campaignRate(c, t)) * (dtMs / 1000);
      const capacity = s.ready * PER_WORKER_PER_SEC * (dtMs / 1000);
      const processed = Math.min(s.backlog + arrivals, capacity);
      s.backlog = s.backlog + arrivals - processed;
      s.arrivedPerSec = arrivals / (dtMs / 1000);
      s.processedPerSec = processed / (dtMs / 1000);
      s.processedTotal += processed;
      s.hourArrivals += arrivals;
      if (Math.floor(t / HOUR_MS) !== Math.floor(this.now / HOUR_MS)) this.closeHour(s);
      if (c.prefix === 'sms') this.counters.sms += processed;
      if (c.prefix === 'email') this.counters.email += processed;
    }
    this.counters.voice += ((this.companies * 1.4) / 1440) * rhythm * (dtMs / 60_000);
    this.counters.tts += ((this.companies * 220) / 1440) * rhythm * (dtMs / 60_000);
    if (this.options.random() < 0.004) this.counters.restarts++;
    this.now = t;
  }

  private closeHour(s: ChannelState): void {
    s.hourly[s.hourIndex] = s.hourArrivals;
    s.hourIndex = (s.hourIndex + 1) % RETENTION_HOURS;
    s.day.push(s.hourArrivals);
    if (s.day.length > 24) s.day.shift();
    s.hourArrivals = 0;
  }

  /** Messages the stream holds: the retention window's arrivals, capped by its byte limit. */
  private streamMessages(c: Channel): number {
    const s = this.state(c.pool);
    let held = s.hourArrivals;
    for (const n of s.hourly) held += n;
    return Math.min(held, c.limitBytes / c.size);
  }

  private state(pool: string): ChannelState {
    const s = this.channels.get(pool);
    if (!s) throw new Error(`the simulated system has no worker pool "${pool}"`);
    return s;
  }

  private noise(): number {
    return this.options.random();
  }
}

/** Traffic relative to the daily mean: a day peaking mid-afternoon, quieter weekends. */
function rhythmAt(t: number): number {
  const date = new Date(t);
  const hour = date.getUTCHours() + date.getUTCMinutes() / 60;
  const daily = 1 + 0.55 * Math.sin((2 * Math.PI * (hour - 8)) / 24);
  const weekday = date.getUTCDay();
  return daily * (weekday === 0 || weekday === 6 ? 0.7 : 1.12);
}

/** A channel's campaign traffic at `t`, messages per second (0 outside the campaign). */
function campaignRate(c: Channel, t: number): number {
  const hour = (t % DAY_MS) / HOUR_MS;
  const { atHour, hours, extraPerSec } = c.campaign;
  return hour >= atHour && hour < atHour + hours ? extraPerSec : 0;
}
