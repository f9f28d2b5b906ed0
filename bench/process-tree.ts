// Memory of a kernel and everything it started, read from Linux's /proc (no `ps` dependency).
// A kernel's footprint is its whole tree (parlab's SIGINT helper is a child process, and a
// kernel may start others), so both the kernel alone and its tree are reported.
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  /** One letter: R running, S sleeping, Z zombie (exited, not yet reaped), ... */
  state: string;
  comm: string;
}

export interface TreeRss {
  /** VmRSS of the root process alone, KiB. */
  rootKiB: number;
  /** VmRSS summed over the root and all its descendants, KiB. */
  totalKiB: number;
  processes: (ProcessInfo & { rssKiB: number })[];
}

/** `/proc/<pid>/stat`; the command name may contain spaces and parentheses, so split after the last ")". */
function readStat(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const fields = stat.slice(close + 2).split(" "); // state, ppid, pgrp, ...
    return { pid, comm: stat.slice(stat.indexOf("(") + 1, close), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined; // exited while we were looking
  }
}

export function allProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const info = readStat(Number(name));
    if (info) found.push(info);
  }
  return found;
}

/** VmRSS in KiB, or 0 when the process is gone (or is a zombie, which has no VmRSS line). */
export function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export function descendants(root: number, processes = allProcesses()): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

export function treeRss(root: number): TreeRss {
  const rootKiB = rssKiB(root);
  const processes = descendants(root).map((p) => ({ ...p, rssKiB: rssKiB(p.pid) }));
  return { rootKiB, totalKiB: rootKiB + processes.reduce((sum, p) => sum + p.rssKiB, 0), processes };
}

/** Live processes in a process group: after the leader exits, orphans are re-parented but keep their group. */
export function groupMembers(pgrp: number): ProcessInfo[] {
  return allProcesses().filter((p) => p.pgrp === pgrp && p.state !== "Z");
}
