/**
 * Wall time and CPU time of one pass. The CPU time is the whole process's (every thread: the
 * workers, zlib's thread pool, the garbage collector), so on a machine other work shares it
 * says what a pass costs when the wall time says mostly how busy the machine was.
 */

/** What a pass took. */
export interface Elapsed {
  seconds: number;
  cpuSeconds: number;
}

/**
 * Starts a clock; `stop()` gives the wall and CPU time since.
 *
 * @example
 * const clock = startClock();
 * await work();
 * const { seconds, cpuSeconds } = clock.stop();
 */
export function startClock(): { stop: () => Elapsed } {
  const wall = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  return {
    stop: () => {
      const used = process.cpuUsage(cpu);
      return {
        seconds: Number(process.hrtime.bigint() - wall) / 1e9,
        cpuSeconds: (used.user + used.system) / 1e6,
      };
    },
  };
}
