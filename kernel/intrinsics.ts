// The kernel's own code runs in the cells' realm, so a cell that replaces a global the kernel uses
// (`globalThis.Promise = …`) must not take the kernel with it: every later cell failed, the one
// putting it back included. The per-cell path uses the originals, kept here as they were at start.
export const KernelPromise = Promise;
