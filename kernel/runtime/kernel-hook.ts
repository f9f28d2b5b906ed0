// How modules that cells import (the tslab shim, parlab's helpers) reach the running kernel.
import type { DisplayApi } from "./display.js";
import type { Closable } from "./cell-resources.js";

export interface KernelHook extends DisplayApi {
  input(prompt?: string, options?: { password?: boolean }): Promise<string>;
  /** Closes `resource` when the cell that made it runs again, and when the kernel shuts down or restarts. */
  adoptResource(resource: Closable): void;
  /** The resource was closed by its user. */
  releaseResource(resource: Closable): void;
  /**
   * Calls `callback` if the cell running now is interrupted (work it handed elsewhere, such as
   * pool tasks, should stop too). Returns a function that stops watching.
   */
  onInterrupt(callback: () => void): () => void;
  /** `callback`, made to run as part of the cell running now: what it prints lands in that cell. */
  bindToCell<F extends (...args: never[]) => unknown>(callback: F): F;
}

const KEY = Symbol.for("parlab.kernel");

export function setKernelHook(hook: KernelHook): void {
  (globalThis as Record<symbol, unknown>)[KEY] = hook;
}

/** The kernel's API, or undefined when the module runs outside a parlab kernel. */
export function kernelHook(): KernelHook | undefined {
  return (globalThis as Record<symbol, unknown>)[KEY] as KernelHook | undefined;
}
