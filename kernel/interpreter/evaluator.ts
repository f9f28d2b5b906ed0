// Runs a cell's JavaScript. A cell that needs V8's REPL mode (top-level `await`, or `const`/`let`/
// `class` that a later cell may declare again) runs in it through an in-process inspector session,
// as in Chrome's console. Any other cell runs as a classic script, without the inspector's round
// trip (about 0.1 ms a cell, a fifth of a 1+1 round trip). Both kinds share the same global scope,
// so functions always see the newest binding of a name.
import { Session } from "node:inspector";
import vm from "node:vm";
import type { ScriptMode } from "../checker/protocol.js";
import { RecentMap } from "../recent-map.js";
import { KernelPromise } from "../intrinsics.js";

export type Evaluation =
  | { ok: true }
  | { ok: false; thrown: unknown }
  /** V8 terminated the execution (an interrupt of a busy loop). */
  | { ok: false; terminated: true };

interface RemoteObject { type: string; value?: unknown; unserializableValue?: string; objectId?: string; description?: string }
interface EvaluateResult { result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text: string } }

const THROWN_SLOT = Symbol.for("parlab.thrown");

/** Compiled scripts kept for cells run again: more than most notebooks have cells. */
export const COMPILED_SCRIPTS_KEPT = 200;

export class Evaluator {
  readonly #session = new Session();
  /** By script name: a cell run again unchanged keeps its name (see Interpreter), and skips compiling. */
  readonly #compiled = new RecentMap<string, { js: string; script: vm.Script }>(COMPILED_SCRIPTS_KEPT);

  constructor() {
    this.#session.connect();
  }

  evaluate(js: string, scriptName: string, mode: ScriptMode): Promise<Evaluation> {
    return mode === "script" ? this.#runScript(js, scriptName) : this.#runInReplMode(js, scriptName);
  }

  /**
   * Run from a promise job, so that an interrupt meets it as it meets a REPL-mode cell's code after
   * an `await`: terminating a job ends that job alone (see suspendForTermination), where it would
   * end every caller of a script run synchronously, and with them the kernel's handling of the cell.
   */
  #runScript(js: string, scriptName: string): Promise<Evaluation> {
    return KernelPromise.resolve().then(() => {
      const script = this.#compile(js, scriptName);
      // V8 rejects what TypeScript let through (a duplicate __proto__, say): REPL mode reports it
      // exactly as it reports every other cell's syntax error.
      if (!script) return this.#runInReplMode(js, scriptName);
      try {
        // displayErrors: false keeps Node from writing the failing line into the error's stack.
        script.runInThisContext({ displayErrors: false });
        return { ok: true } as const;
      } catch (thrown) {
        return { ok: false, thrown } as const;
      }
    });
  }

  #compile(js: string, scriptName: string): vm.Script | undefined {
    const kept = this.#compiled.get(scriptName);
    if (kept?.js === js) return kept.script;
    try {
      const script = new vm.Script(js, { filename: scriptName });
      this.#compiled.set(scriptName, { js, script });
      return script;
    } catch {
      return undefined;
    }
  }

  #runInReplMode(js: string, scriptName: string): Promise<Evaluation> {
    return new KernelPromise((resolve) => {
      this.#session.post("Runtime.evaluate", {
        expression: `${js}\n//# sourceURL=${scriptName}`,
        replMode: true,
        awaitPromise: true,
        objectGroup: "parlab-cell",
      }, (error, response) => {
        if (error) { resolve({ ok: false, terminated: true }); return; }
        const { result, exceptionDetails } = response as unknown as EvaluateResult;
        // Objects are only held for results the inspector describes by reference; a cell's value
        // comes back through the runtime instead, so most cells leave nothing to release.
        const held = result?.objectId !== undefined || exceptionDetails?.exception?.objectId !== undefined;
        if (!exceptionDetails) resolve({ ok: true });
        else resolve({ ok: false, thrown: this.#thrownValue(exceptionDetails.exception) });
        if (held) this.#release();
      });
    });
  }

  /** The inspector describes the thrown value; the error formatter wants the value itself. */
  #thrownValue(exception: RemoteObject | undefined): unknown {
    if (!exception) return undefined;
    if (!exception.objectId) {
      if (exception.unserializableValue !== undefined) return exception.unserializableValue;
      return exception.value;
    }
    const global = globalThis as Record<symbol, unknown>;
    delete global[THROWN_SLOT];
    // The callback runs synchronously: the session is attached to this very thread.
    this.#session.post("Runtime.callFunctionOn", {
      objectId: exception.objectId,
      functionDeclaration: `function () { globalThis[Symbol.for("parlab.thrown")] = this; }`,
    });
    const value = global[THROWN_SLOT];
    delete global[THROWN_SLOT];
    return value;
  }

  #release(): void {
    this.#session.post("Runtime.releaseObjectGroup", { objectGroup: "parlab-cell" });
  }

  close(): void {
    this.#session.disconnect();
  }
}
