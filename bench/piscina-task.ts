// The task piscina runs in the pool benchmark (bench/pools.ts): the same trivial function that
// parlab's ThreadPool is given as a shipped function.
export default function inc(x: number): number {
  return x + 1;
}
