import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ActuatorError } from './actuator.ts';
import {
  EXTERNAL_SCALER_PROTO,
  KedaExternalActuator,
  PROTO_LOADER_OPTIONS,
  type GetMetricSpecResponse,
  type GetMetricsRequest,
  type GetMetricsResponse,
  type IsActiveResponse,
  type ScaledObjectRef,
} from './keda-external.ts';

/** What KEDA's side of the protocol looks like, from the same proto. */
interface ScalerClient extends grpc.Client {
  IsActive(
    ref: ScaledObjectRef,
    done: (err: grpc.ServiceError | null, res?: IsActiveResponse) => void,
  ): grpc.ClientUnaryCall;
  StreamIsActive(ref: ScaledObjectRef): grpc.ClientReadableStream<IsActiveResponse>;
  GetMetricSpec(
    ref: ScaledObjectRef,
    done: (err: grpc.ServiceError | null, res?: GetMetricSpecResponse) => void,
  ): grpc.ClientUnaryCall;
  GetMetrics(
    req: GetMetricsRequest,
    done: (err: grpc.ServiceError | null, res?: GetMetricsResponse) => void,
  ): grpc.ClientUnaryCall;
}

const root = grpc.loadPackageDefinition(loadSync(EXTERNAL_SCALER_PROTO, PROTO_LOADER_OPTIONS));
const Client = (root.externalscaler as grpc.GrpcObject)
  .ExternalScaler as grpc.ServiceClientConstructor;
const clients: grpc.Client[] = [];
const actuators: KedaExternalActuator[] = [];
after(async () => {
  clients.forEach((c) => c.close());
  await Promise.allSettled(actuators.map((a) => a.close()));
});

function client(address: string): ScalerClient {
  const c = new Client(address, grpc.credentials.createInsecure()) as unknown as ScalerClient;
  clients.push(c);
  return c;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function ref(pool?: string): ScaledObjectRef {
  return {
    name: 'sms-worker',
    namespace: 'prod',
    scalerMetadata: pool === undefined ? {} : { pool, scalerAddress: 'headroom:6000' },
  };
}

/** Calls a unary method; resolves its response or rejects with the gRPC error. */
function call<Req, Res>(
  method: (req: Req, done: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
  req: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(req, (err, res) => (err ? reject(err) : resolve(res!))),
  );
}

async function serve(
  pool: string,
  port = 0,
): Promise<{ actuator: KedaExternalActuator; c: ScalerClient }> {
  const actuator = new KedaExternalActuator({ pool, port });
  actuators.push(actuator);
  const c = client(await actuator.address());
  return { actuator, c };
}

function grpcCode(code: grpc.status, pattern: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    const e = err as grpc.ServiceError;
    assert.equal(e.code, code, `${grpc.status[e.code]}: ${e.details}`);
    assert.match(e.details, pattern);
    return true;
  };
}

describe('keda-external actuator (a real gRPC client over 127.0.0.1)', () => {
  it('answers GetMetricSpec with target 1 for metric headroom-<pool>', async () => {
    const { c } = await serve('sms-worker');
    const spec = await call(c.GetMetricSpec.bind(c), ref('sms-worker'));
    assert.deepEqual(spec, {
      metricSpecs: [{ metricName: 'headroom-sms-worker', targetSize: 1, targetSizeFloat: 1 }],
    });
  });

  it('is UNAVAILABLE until headroom decides, then serves the desired replicas', async () => {
    const { actuator, c } = await serve('email-worker');
    await assert.rejects(
      call(c.IsActive.bind(c), ref('email-worker')),
      grpcCode(grpc.status.UNAVAILABLE, /not decided for pool email-worker yet/),
    );
    assert.equal(await actuator.current(), 0);
    await actuator.scale(4, 'target-latency → 4');
    assert.equal(await actuator.current(), 4);
    assert.deepEqual(await call(c.IsActive.bind(c), ref('email-worker')), { result: true });
    const metricName = 'headroom-email-worker';
    const metrics = await call(c.GetMetrics.bind(c), {
      scaledObjectRef: ref('email-worker'),
      metricName,
    });
    assert.deepEqual(metrics, {
      metricValues: [{ metricName, metricValue: 4, metricValueFloat: 4 }],
    });
    // KEDA's index prefix is accepted; another metric is not.
    const prefixed = await call(c.GetMetrics.bind(c), {
      scaledObjectRef: ref('email-worker'),
      metricName: `s0-${metricName}`,
    });
    assert.equal(prefixed.metricValues[0]!.metricValue, 4);
    await assert.rejects(
      call(c.GetMetrics.bind(c), { scaledObjectRef: ref('email-worker'), metricName: 'queue' }),
      grpcCode(grpc.status.NOT_FOUND, /serves metric "headroom-email-worker"/),
    );
    await actuator.scale(0, 'idle');
    assert.deepEqual(await call(c.IsActive.bind(c), ref('email-worker')), { result: false });
    assert.equal(actuator.status().lastScale?.replicas, 0);
  });

  it("makes the HPA's AverageValue math land on exactly the desired replicas", async () => {
    const { actuator, c } = await serve('hpa-math');
    const [spec] = (await call(c.GetMetricSpec.bind(c), ref('hpa-math'))).metricSpecs;
    for (const desired of [1, 2, 3, 7, 19, 50]) {
      await actuator.scale(desired, 'r');
      const [value] = (
        await call(c.GetMetrics.bind(c), {
          scaledObjectRef: ref('hpa-math'),
          metricName: spec!.metricName,
        })
      ).metricValues;
      // HPA, external metric, AverageValue: desired = ceil(metric value / target per pod).
      assert.equal(Math.ceil(value!.metricValueFloat / spec!.targetSizeFloat), desired);
    }
  });

  it('pushes the active state on StreamIsActive at once and on every change', async () => {
    const { actuator, c } = await serve('webhook-worker');
    await actuator.scale(2, 'r');
    const stream = c.StreamIsActive(ref('webhook-worker'));
    const received: boolean[] = [];
    const next = (): Promise<void> =>
      new Promise((resolve) => {
        const count = received.length;
        const check = (): void => {
          if (received.length > count) resolve();
          else setTimeout(check, 10);
        };
        check();
      });
    stream.on('data', (m: IsActiveResponse) => received.push(m.result));
    stream.on('error', () => undefined);
    await next();
    await actuator.scale(0, 'idle');
    await next();
    await actuator.scale(3, 'busy');
    await next();
    assert.deepEqual(received, [true, false, true]);
    stream.cancel();
  });

  it('names an unknown pool (NOT_FOUND) and a missing one (INVALID_ARGUMENT)', async () => {
    const { c } = await serve('sms-worker');
    await assert.rejects(
      call(c.IsActive.bind(c), ref('nope')),
      grpcCode(
        grpc.status.NOT_FOUND,
        /ScaledObject prod\/sms-worker: headroom has no keda-external pool "nope"; it serves sms-worker/,
      ),
    );
    await assert.rejects(
      call(c.GetMetricSpec.bind(c), ref()),
      grpcCode(grpc.status.INVALID_ARGUMENT, /trigger metadata has no "pool"/),
    );
    const stream = c.StreamIsActive(ref('nope'));
    const err = await new Promise<grpc.ServiceError>((resolve) => stream.on('error', resolve));
    assert.equal(err.code, grpc.status.NOT_FOUND);
  });

  it('shares one server between the pools of one address, until the last one closes', async () => {
    const port = await freePort();
    const a = new KedaExternalActuator({ pool: 'a', port });
    const b = new KedaExternalActuator({ pool: 'b', port });
    actuators.push(a, b);
    await a.scale(1, 'r');
    await b.scale(2, 'r');
    const c = client(`127.0.0.1:${port}`);
    const value = async (pool: string): Promise<number> =>
      (
        await call(c.GetMetrics.bind(c), {
          scaledObjectRef: ref(pool),
          metricName: `headroom-${pool}`,
        })
      ).metricValues[0]!.metricValue;
    assert.equal(await value('a'), 1);
    assert.equal(await value('b'), 2);
    await a.close();
    assert.equal(await value('b'), 2);
    await assert.rejects(value('a'), grpcCode(grpc.status.NOT_FOUND, /no keda-external pool "a"/));
    await b.close();
    const late = client(`127.0.0.1:${port}`);
    await assert.rejects(
      call(late.IsActive.bind(late), ref('b')),
      grpcCode(grpc.status.UNAVAILABLE, /./),
    );
  });

  it('fails clearly when its port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    const actuator = new KedaExternalActuator({ pool: 'sms-worker', port });
    actuators.push(actuator);
    await assert.rejects(actuator.scale(1, 'r'), (err: unknown) => {
      assert.ok(err instanceof ActuatorError);
      assert.match(err.message, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
      assert.match(err.hint!, /autoscale\.sms-worker\.actuator\.port/);
      return true;
    });
    blocker.close();
  });
});
