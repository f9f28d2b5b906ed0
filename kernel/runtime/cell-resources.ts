// Pools and servers a cell makes stay open after the cell ends, so later cells can use them. Run
// the cell again and its new pool replaces the old one, which nothing can reach any more: Python
// would collect it, and its workers would end. Here the old run's resources are closed before the
// new run starts, so re-running a cell fifty times leaves what one run leaves.
import { KernelPromise } from "../intrinsics.js";

export interface Closable {
  /** `reason` says why the kernel closes it, for errors from later use. */
  close(reason?: string): unknown;
}

const CLOSE_WAIT_MS = 2000;

export class CellResources {
  readonly #byCell = new Map<string, Set<Closable>>();

  /** Ties `resource` to the cell `cellKey` until it is closed or that cell runs again. */
  adopt(cellKey: string, resource: Closable): void {
    let owned = this.#byCell.get(cellKey);
    if (!owned) this.#byCell.set(cellKey, (owned = new Set()));
    owned.add(resource);
  }

  /** A resource closed by its user no longer needs closing. */
  release(resource: Closable): void {
    for (const owned of this.#byCell.values()) owned.delete(resource);
  }

  /**
   * Closes what the previous run of `cellKey` left open. Undefined when it left nothing: most
   * runs, which then need not wait a turn of the event loop.
   */
  closeCell(cellKey: string): Promise<void> | undefined {
    const owned = this.#byCell.get(cellKey);
    this.#byCell.delete(cellKey);
    return owned?.size ? closeAll([...owned], "the cell that made it ran again") : undefined;
  }

  /** Closes everything: the kernel is shutting down or restarting. */
  closeEverything(): Promise<void> {
    const owned = [...this.#byCell.values()].flatMap((set) => [...set]);
    this.#byCell.clear();
    return closeAll(owned, "the kernel is shutting down or restarting");
  }
}

// A close that hangs or fails must not hold up the next run or the kernel's exit.
async function closeAll(resources: Closable[], reason: string): Promise<void> {
  if (resources.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const closing = KernelPromise.allSettled(resources.map(async (resource) => resource.close(reason)));
  const waited = new KernelPromise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_WAIT_MS); });
  await KernelPromise.race([closing, waited]);
  clearTimeout(timer);
}
