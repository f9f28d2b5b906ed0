// Promises from other realms and libraries are thenables, not instances of this realm's Promise.

/** True for anything `await` would wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function";
}
