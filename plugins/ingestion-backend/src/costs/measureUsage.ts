/** What a local run used, measured on the backend process that ran it. */
export interface ResourceUsage {
  /** CPU time (user + system) attributed to the run. */
  cpuSeconds: number;
  /** The largest share of the process's resident memory the run held. */
  peakMemoryBytes: number;
  durationSeconds: number;
}

interface Meter {
  cpuMicros: number;
  peakBytes: number;
}

/**
 * One sampler for all runs in flight: DuckDB works on threads of this process, so the process's
 * CPU time and resident memory are what runs use. Between two samples, the CPU time (and the
 * memory) is split evenly among the runs active then, so concurrent runs are not each charged
 * for the others' work. The backend's own idle use in that window is charged too: the price of
 * the machine the engine runs on.
 */
const active = new Set<Meter>();
let lastCpu: NodeJS.CpuUsage | undefined;
let timer: NodeJS.Timeout | undefined;

function sample() {
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage.rss();
  if (lastCpu && active.size > 0) {
    const delta = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
    for (const meter of active) {
      meter.cpuMicros += Math.max(0, delta) / active.size;
      meter.peakBytes = Math.max(meter.peakBytes, rss / active.size);
    }
  }
  lastCpu = cpu;
}

/** Runs `work` and measures the CPU time and peak memory it used. */
export async function measureUsage<T>(
  work: () => Promise<T>,
  options: { sampleMs?: number; now?: () => number } = {},
): Promise<{ value: T; usage: ResourceUsage }> {
  const now = options.now ?? Date.now;
  sample();
  const meter: Meter = { cpuMicros: 0, peakBytes: 0 };
  active.add(meter);
  if (!timer) {
    timer = setInterval(sample, options.sampleMs ?? 250);
    timer.unref();
  }
  const started = now();
  try {
    const value = await work();
    return { value, usage: finish() };
  } finally {
    if (active.has(meter)) finish();
  }

  function finish(): ResourceUsage {
    sample();
    active.delete(meter);
    if (active.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
    return {
      cpuSeconds: meter.cpuMicros / 1e6,
      peakMemoryBytes:
        meter.peakBytes || process.memoryUsage.rss() / (active.size + 1),
      durationSeconds: Math.max(0, (now() - started) / 1000),
    };
  }
}
