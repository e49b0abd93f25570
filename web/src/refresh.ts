/**
 * Keeps the snapshot current: after every status (a live event or a poll) it re-reads the
 * documents that change with each loop step (triggers, alerts, components, scaling), and the
 * roadmap documents (forecast, tiers, costs, checklist) only when the forecast stage has run
 * again. One refresh at a time; a status arriving meanwhile triggers one more afterwards.
 */
import type { Api, Loaded } from './api.ts';
import type {
  AlertChange,
  Checklist,
  CostsDoc,
  ForecastDoc,
  ResourceState,
  ScalingDoc,
  StatusDoc,
  TiersDoc,
  TriggerStatus,
} from './api-types.ts';
import type { Snapshot } from './widget.ts';

/** How often to ask again for `/api/scaling` after a 404, ms. */
const SCALING_RETRY_MS = 60_000;
/** Re-read the roadmap at least this often, ms, even if the forecast stage looks unchanged. */
const ROADMAP_MAX_AGE_MS = 120_000;

/** Refreshes a snapshot from the API. */
export class Refresher {
  private running = false;
  private again = false;
  private forecastRun: number | undefined;
  private roadmapAt = 0;

  constructor(
    private readonly api: Api,
    private readonly snapshot: Snapshot,
    private readonly render: () => void,
  ) {}

  /** A new status document: render it now, then refresh what depends on it. */
  onStatus(doc: StatusDoc): void {
    this.snapshot.status = { data: doc, at: Date.now() };
    this.render();
    void this.refresh();
  }

  /** An alert change from the live stream: shown at once, ahead of the fetched history. */
  onAlert(change: AlertChange): void {
    const current =
      this.snapshot.alerts && 'data' in this.snapshot.alerts ? this.snapshot.alerts.data : [];
    const same = (a: AlertChange): boolean =>
      a.t === change.t &&
      a.trigger === change.trigger &&
      a.severity === change.severity &&
      a.to === change.to &&
      JSON.stringify(a.labels) === JSON.stringify(change.labels);
    if (!current.some(same))
      this.snapshot.alerts = { data: [change, ...current].slice(0, 100), at: Date.now() };
    this.render();
  }

  private async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.again = false;
        await this.once();
        this.render();
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private async once(): Promise<void> {
    const s = this.snapshot;
    const status = s.status && 'data' in s.status ? s.status.data : undefined;
    const forecastStage = status?.stages.forecast;
    const forecastRun = forecastStage?.state === 'ok' ? forecastStage.lastRun : undefined;
    const roadmapDue =
      forecastRun !== undefined &&
      (forecastRun !== this.forecastRun || Date.now() - this.roadmapAt > ROADMAP_MAX_AGE_MS);
    const scalingDue = !(
      s.scaling &&
      'error' in s.scaling &&
      s.scaling.error.status === 404 &&
      Date.now() - s.scaling.at < SCALING_RETRY_MS
    );
    const [triggers, alerts, components, scaling] = await Promise.all([
      this.api.get<TriggerStatus[]>('/api/triggers'),
      this.api.get<AlertChange[]>('/api/alerts?limit=50'),
      // Before the first forecast the roadmap routes answer 503; ask once it has run.
      forecastRun !== undefined || s.components
        ? this.api.get<ResourceState[]>('/api/components')
        : Promise.resolve(s.components),
      scalingDue ? this.api.get<ScalingDoc>('/api/scaling') : Promise.resolve(s.scaling),
    ]);
    s.triggers = keepData(s.triggers, triggers);
    s.alerts = keepData(s.alerts, alerts);
    s.components = keepData(s.components, components);
    s.scaling =
      scaling && 'error' in scaling && scaling.error.status === 404
        ? scaling
        : keepData(s.scaling, scaling);
    if (roadmapDue) {
      const [forecast, tiers, costs, checklist] = await Promise.all([
        this.api.get<ForecastDoc>('/api/forecast'),
        this.api.get<TiersDoc>('/api/tiers'),
        this.api.get<CostsDoc>('/api/costs'),
        this.api.get<Checklist[]>('/api/checklist'),
      ]);
      s.forecast = keepData(s.forecast, forecast);
      s.tiers = keepData(s.tiers, tiers);
      s.costs = keepData(s.costs, costs);
      s.checklist = keepData(s.checklist, checklist);
      if (forecast && 'data' in forecast) {
        this.forecastRun = forecastRun;
        this.roadmapAt = Date.now();
      }
    }
    this.record(status);
  }

  /**
   * Records values for the live charts: trigger values at every evaluation; resource
   * utilizations at each forecast run (the components document changes only then).
   */
  private record(status: StatusDoc | undefined): void {
    const s = this.snapshot;
    const t = status?.at ? Date.parse(status.at) : Date.now();
    const forecastAt = status?.stages.forecast?.lastRun;
    if (s.components && 'data' in s.components && forecastAt !== undefined)
      for (const r of s.components.data)
        s.history.record(`util:${r.ref.component}.${r.ref.resource}`, forecastAt, r.utilization);
    if (s.triggers && 'data' in s.triggers)
      for (const tr of s.triggers.data) s.history.record(`trigger:${tr.trigger}`, t, tr.value);
  }
}

/**
 * The new answer, except that a network failure keeps the last good data on screen (the link
 * indicator says the server is unreachable); an answer from the server always replaces it.
 */
function keepData<T>(previous: Loaded<T>, next: Loaded<T>): Loaded<T> {
  if (next && 'error' in next && next.error.status === 0 && previous && 'data' in previous)
    return previous;
  return next;
}
