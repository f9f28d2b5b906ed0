// Runs JavaScript in V8's REPL mode through an in-process inspector session: top-level `await`,
// `const`/`let`/`class` that may be declared again by a later cell, and functions that always see
// the newest binding of a name, as in Chrome's console.
import { Session } from "node:inspector";

export type Evaluation =
  | { ok: true }
  | { ok: false; thrown: unknown }
  /** V8 terminated the execution (an interrupt of a busy loop). */
  | { ok: false; terminated: true };

interface RemoteObject { type: string; value?: unknown; unserializableValue?: string; objectId?: string; description?: string }
interface EvaluateResult { result: RemoteObject; exceptionDetails?: { exception?: RemoteObject; text: string } }

const THROWN_SLOT = Symbol.for("parlab.thrown");

export class Evaluator {
  readonly #session = new Session();

  constructor() {
    this.#session.connect();
  }

  evaluate(js: string, scriptName: string): Promise<Evaluation> {
    return new Promise((resolve) => {
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
