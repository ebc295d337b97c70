/**
 * The one clock. Domain code takes `nowMs` as an argument; handlers read it here. On AWS it is the
 * system clock; the local stack swaps the source for its real / scaled / manual clock so that days of
 * deadlines pass in seconds.
 */
export interface ClockSource {
  now(): number;
}

const systemClock: ClockSource = { now: () => Date.now() };
let source: ClockSource = systemClock;

export const clock = {
  now: (): number => source.now(),
};

/** For the local stack and tests only. */
export const useClockSource = (next: ClockSource | undefined): void => {
  source = next ?? systemClock;
};
