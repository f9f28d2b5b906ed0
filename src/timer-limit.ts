/** The longest delay setTimeout takes: a longer one fires after 1 ms, with only a warning. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
