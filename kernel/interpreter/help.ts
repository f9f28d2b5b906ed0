/** `?name` or `name?`: IPython's help, answered with the type and docs of `name` in a pager. */
export function helpTarget(code: string): string | undefined {
  const match = /^\s*\?\s*([\w$.]+)\s*$/.exec(code) ?? /^\s*([\w$.]+)\s*\?\s*$/.exec(code);
  return match?.[1];
}
