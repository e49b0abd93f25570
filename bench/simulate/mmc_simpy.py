"""The M/M/c queue in SimPy, the baseline of bench/simulate.bench.ts.

Debian's python3-simpy is SimPy 2 (the classic API: `from SimPy.Simulation import *`), loaded by
/usr/bin/python3. Usage: mmc_simpy.py RATE_PER_SEC SERVICE_SEC SERVERS JOBS SEED. Prints one JSON
line: jobs, seconds of wall time spent in the simulation, mean wait (s), SimPy's version.
"""
import json
import random
import sys
import time

import SimPy
from SimPy.Simulation import (
    Process,
    Resource,
    activate,
    hold,
    initialize,
    now,
    release,
    request,
    simulate,
)


class Customer(Process):
    """One job: queue for a server, hold it for an exponential service time, release it."""

    def visit(self, server, service_sec, waits):
        arrived = now()
        yield request, self, server
        waits.append(now() - arrived)
        yield hold, self, random.expovariate(1.0 / service_sec)
        yield release, self, server


class Source(Process):
    """Poisson arrivals: `jobs` customers, exponential gaps."""

    def generate(self, jobs, rate, server, service_sec, waits):
        for _ in range(jobs):
            customer = Customer()
            activate(customer, customer.visit(server, service_sec, waits))
            yield hold, self, random.expovariate(rate)


def main():
    rate, service_sec, servers, jobs, seed = (
        float(sys.argv[1]),
        float(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
        int(sys.argv[5]),
    )
    random.seed(seed)
    waits = []
    started = time.perf_counter()
    initialize()
    server = Resource(capacity=servers, monitored=False)
    source = Source()
    activate(source, source.generate(jobs, rate, server, service_sec, waits), at=0.0)
    simulate(until=1e18)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "jobs": len(waits),
                "seconds": seconds,
                "mean_wait": sum(waits) / len(waits),
                "version": getattr(SimPy, "__version__", "2"),
            }
        )
    )


if __name__ == "__main__":
    main()
