// How the emitted script names a cell binding that shares its name with a global (see
// global-shadows.ts). Its own module: the kernel's thread reads such names without TypeScript.

/** What the emitted script calls a cell's binding named `name`. */
export function shadowName(name: string): string {
  return `${name}$cell`;
}

/** A name shadowName() made, as an error may show it: `$1` is the name the user wrote. */
export const SHADOW_NAME = /\b([A-Za-z_$][\w$]*)\$cell\b/g;
