// The model test's randomness and day arithmetic: the seeds' generator (mulberry32: the same seed gives the
// same union and events on every machine, so a failing seed can be replayed) and the registry's own addDays.
import { seededRandom } from '../../../seeds/data/russian-names';

export { addDays } from '../../../src/shared/event-dates';
export type Rng = ReturnType<typeof seededRandom>;
export const seededRng = seededRandom;
