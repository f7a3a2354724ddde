// The one source of "now" the core reads: milliseconds since the epoch. Injected everywhere
// (tests pass a fixed or advancing clock); the domain never reads the time itself.
export type Clock = () => number;
