// What kind of value an argument was, for the errors that refuse it ("got an array").

export function kindOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value === "function" ? "a function" : typeof value;
}
