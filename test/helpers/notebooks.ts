// Runs prepared notebooks through `parlab run` (the real runner and kernel) and reads what they
// produced: error outputs, plots, and the numbers of their claim cells.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI, REPO } from "./jupyter.js";

export const CLAIM_MIME = "application/vnd.parlab.claim+json";
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

interface Output { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string }
export interface ExecutedNotebook { cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[] }

export interface NotebookRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  notebooks: Map<string, ExecutedNotebook>;
}

/** `names` are notebook files in notebooks/, e.g. "01-threads.ipynb". */
export function runNotebooks(names: string[]): NotebookRun {
  const out = mkdtempSync(path.join(tmpdir(), "parlab-notebooks-"));
  try {
    const result = spawnSync(process.execPath, [CLI, "run", ...names.map((name) => path.join(REPO, "notebooks", name)), "--out", out], {
      cwd: REPO, encoding: "utf8", timeout: 600_000,
    });
    const notebooks = new Map<string, ExecutedNotebook>();
    for (const name of names) {
      try {
        notebooks.set(name, JSON.parse(readFileSync(path.join(out, name), "utf8")) as ExecutedNotebook);
      } catch {
        // missing: the assertions on it will say so
      }
    }
    return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr, notebooks };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export function outputsOf(notebook: ExecutedNotebook): Output[] {
  return notebook.cells.flatMap((cell) => cell.outputs ?? []);
}

/** Error outputs and stderr text: a prepared notebook has neither. */
export function problemsOf(notebook: ExecutedNotebook): string[] {
  return outputsOf(notebook).flatMap((output) => {
    if (output.output_type === "error") return [`${output.ename}: ${output.evalue}`];
    if (output.output_type === "stream" && output.name === "stderr") return [`stderr: ${[output.text].flat().join("")}`];
    return [];
  });
}

export function plotCount(notebook: ExecutedNotebook): number {
  return outputsOf(notebook).filter((output) => output.data?.[PLOTLY_MIME] && output.data["image/png"]).length;
}

/** example tag → measured numbers, from every claim cell. */
export function claimsOf(notebook: ExecutedNotebook): Map<string, Record<string, number>> {
  const claims = new Map<string, Record<string, number>>();
  for (const output of outputsOf(notebook)) {
    const claim = output.data?.[CLAIM_MIME] as { example: string; measured: Record<string, number> } | undefined;
    if (claim) claims.set(claim.example, claim.measured);
  }
  return claims;
}
