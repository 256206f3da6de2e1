/** The hub's source of "now". Injected so tests can move across UTC days without waiting. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
