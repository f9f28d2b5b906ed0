// The processes below a process, whoever started them.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of parentLinks()) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const found: number[] = [];
  const pending = [...(children.get(root) ?? [])];
  for (let pid = pending.pop(); pid !== undefined; pid = pending.pop()) {
    found.push(pid);
    pending.push(...(children.get(pid) ?? []));
  }
  return found;
}

function parentLinks(): [pid: number, ppid: number][] {
  if (process.platform === "linux") {
    const links: [number, number][] = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        // The command name (field 2) may contain spaces and parentheses: parse after its last ")".
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        links.push([Number(entry), ppid]);
      } catch { /* exited while we looked */ }
    }
    return links;
  }
  if (process.platform === "win32") return [];
  try {
    return execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).trim().split("\n")
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  } catch {
    return [];
  }
}
