// A stand-in for the running kernel's hook, for helpers that react to it (interrupts) in tests
// that need no real kernel: `interrupt()` calls what the helpers asked to be told.
import { setKernelHook, type KernelHook } from "../../kernel/runtime/kernel-hook.js";

export interface FakeKernel {
  /** What helpers are watching for right now. */
  readonly watchers: Set<() => void>;
  /** As the kernel does when the cell is interrupted: tells every watcher, once. */
  interrupt(): void;
  /** Takes the hook away again. */
  restore(): void;
}

export function fakeKernel(): FakeKernel {
  const watchers = new Set<() => void>();
  setKernelHook({
    onInterrupt(callback: () => void) {
      watchers.add(callback);
      return () => watchers.delete(callback);
    },
    adoptResource() {},
    releaseResource() {},
  } as unknown as KernelHook);
  return {
    watchers,
    interrupt() {
      const told = [...watchers];
      watchers.clear();
      for (const stop of told) stop();
    },
    restore() {
      delete (globalThis as Record<symbol, unknown>)[Symbol.for("parlab.kernel")];
    },
  };
}
