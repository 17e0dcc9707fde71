/**
 * The machine a benchmark ran on (cores, memory, CPU model, load) and whether it was busy enough that the
 * figures must be read as measured under load. Node only.
 */
import { availableParallelism, cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  freeMemoryBytes: number;
  os: string;
  node: string;
  /** 1-minute load average when the run started and ended. */
  loadStart: number;
  loadEnd: number;
}

export function machineInfo(): MachineInfo {
  const load = loadavg()[0] ?? 0;
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    os: `${platform()} ${release()}`,
    node: process.version,
    loadStart: Math.round(load * 100) / 100,
    loadEnd: Math.round(load * 100) / 100,
  };
}

/** Record the load average at the end of the run. */
export function finishMachineInfo(m: MachineInfo): MachineInfo {
  return { ...m, loadEnd: Math.round((loadavg()[0] ?? 0) * 100) / 100 };
}

/**
 * True when other work competed for the CPU: a 1-minute load average above half the cores when the run
 * started (before it added its own).
 */
export function wasLoaded(m: Pick<MachineInfo, 'cores' | 'loadStart'>): boolean {
  return m.loadStart > m.cores * 0.5;
}

/** "2 cores (CPU model), 23.4 GiB". */
export function describeMachine(m: MachineInfo): string {
  return `${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory, ${m.os}, Node ${m.node}`;
}
