// CPU accounting from /proc, so each load run can say who used the machine's cores: the
// backend, the load generator, PostgreSQL, and everything else (other jobs on a shared box).
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';

const TICKS_PER_SECOND =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

function readStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command may contain spaces: fields start after the closing parenthesis
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      comm: text.slice(text.indexOf('(') + 1, text.lastIndexOf(')')),
      ppid: Number(fields[1]),
      pgrp: Number(fields[2]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined;
  }
}

function machineTicks() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [, ...values] = line.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] =
    values.map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** Ticks of every postgres process, plus what the postmaster reaped from exited children. */
function postgresTicks() {
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (!stat || !stat.comm.startsWith('postgres')) continue;
    ticks += stat.ticks;
    if (
      stat.ppid === 1 ||
      readStat(stat.ppid)?.comm.startsWith('postgres') === false
    ) {
      ticks += stat.childTicks; // the postmaster: its exited children (parallel workers)
    }
  }
  return ticks;
}

/** Ticks of a process group (the backend and any child it spawned). */
function groupTicks(pgid) {
  let ticks = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat && stat.pgrp === pgid) ticks += stat.ticks;
  }
  return ticks;
}

export function cpuSnapshot(backendPgid) {
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    machine: machineTicks(),
    backend: backendPgid ? groupTicks(backendPgid) : 0,
    postgres: postgresTicks(),
    loadGeneratorMs: (self.user + self.system) / 1000,
  };
}

/**
 * CPU used between two snapshots, in cores (1.0 = one core busy for the whole interval), split
 * into backend, load generator (this process), postgres (the whole server) and other processes.
 */
export function cpuBetween(a, b) {
  const wallMs = b.at - a.at;
  const cores = ms => ms / wallMs;
  const tickMs = 1000 / TICKS_PER_SECOND;
  const machineBusyMs = (b.machine.busy - a.machine.busy) * tickMs;
  const backendMs = (b.backend - a.backend) * tickMs;
  const postgresMs = (b.postgres - a.postgres) * tickMs;
  const loadGeneratorMs = b.loadGeneratorMs - a.loadGeneratorMs;
  return {
    wallMs,
    machineCores: cores(machineBusyMs),
    backendCores: cores(backendMs),
    postgresCores: cores(postgresMs),
    loadGeneratorCores: cores(loadGeneratorMs),
    otherCores: Math.max(
      0,
      cores(machineBusyMs - backendMs - postgresMs - loadGeneratorMs),
    ),
    backendMs,
    postgresMs,
  };
}
