export interface Slots {
  /** A free slot's release function (calling it twice frees one slot), or undefined when all are taken. */
  take(): (() => void) | undefined;
}

/** A counting semaphore without a queue: work that finds no free slot is refused, not kept waiting. */
export function createSlots(size: number): Slots {
  let free = size;
  return {
    take() {
      if (free === 0) return undefined;
      free--;
      let released = false;
      return () => {
        if (!released) free++;
        released = true;
      };
    },
  };
}
