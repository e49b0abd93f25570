/**
 * A client library imported on first use, not at start: a plan names a handful of source kinds,
 * and the CLI should not pay for loading the clients of the others (pg, ioredis, amqplib and
 * the NATS client cost 30–80 ms each to import). The first `load()` imports the module; later
 * calls get the same promise, and `loaded` the module itself once it is in.
 */
export class LazyModule<T> {
  private pending: Promise<T> | undefined;
  /** The module, once a `load()` has finished; undefined before. */
  loaded: T | undefined;

  /** @param importer the dynamic `import()` of the module. */
  constructor(private readonly importer: () => Promise<T>) {}

  /** Imports the module (once) and returns it. */
  load(): Promise<T> {
    this.pending ??= this.importer().then((mod) => {
      this.loaded = mod;
      return mod;
    });
    return this.pending;
  }
}
