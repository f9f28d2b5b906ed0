// Helpers that keep starting work of their own (timeit's runs, map's calls) must stop when the
// cell that started them is interrupted: the interrupt settles the cell's await, but without
// this the helper would go on calling the user's function in the background, printing into
// the stopped cell and skewing whatever the next cell measures.
import { kernelHook } from "../kernel/runtime/kernel-hook.js";

/**
 * Calls `stop` if the cell running now is interrupted; returns the function that stops
 * watching. Outside a parlab kernel (a script, a pool's worker) there is nothing to watch.
 */
export function onCellInterrupt(stop: () => void): () => void {
  return kernelHook()?.onInterrupt(stop) ?? (() => undefined);
}
