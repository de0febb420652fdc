// What Linux's /proc says of a process, for the benchmarks.
import { readFile } from 'node:fs/promises';

/** CPU seconds (user + system, all threads) the process has used so far; NaN where /proc has no answer. */
export async function cpuSeconds(pid) {
  try {
    const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}
