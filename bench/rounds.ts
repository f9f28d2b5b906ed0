// The round loop every benchmark shares: interleaved rounds up to a count, but on a busy machine
// stop after the minimum once another round would pass the time budget.
export interface RoundPlan {
  rounds: number;
  minRounds: number;
  budgetMs: number;
  /** When the benchmark began (performance.now()), so set-up counts against the budget. */
  began: number;
}

/** Yields 1, 2, ... ; the caller counts the rounds it ran. */
export function* budgetedRounds({ rounds, minRounds, budgetMs, began }: RoundPlan): Generator<number> {
  for (let round = 1; round <= rounds; round++) {
    const elapsed = performance.now() - began;
    const done = round - 1;
    if (round > minRounds && elapsed + elapsed / done > budgetMs) {
      process.stderr.write(`stopping after ${done} rounds: another would pass the ${budgetMs / 1000} s budget\n`);
      return;
    }
    yield round;
  }
}
