import { setFlagsFromString } from 'node:v8';

/**
 * Holds V8 to `--optimize-for-size` while any holder needs it, and gives the default back
 * when the last one lets go. Streaming chat replies allocate about 1 KB per token, nearly
 * all of it garbage at once. V8's default policy, tuned for servers with memory to spare,
 * lets the old space grow to up to four times what is alive before collecting. With 100
 * streams at once the gateway grew by 120-170 MB of uncollected garbage, and with the
 * small heap by 13-22 MB. Handshakes and calls keep the default: with the small heap
 * each handshake cost about 60 µs more CPU (bench/README.md, "RSS growth").
 *
 * V8 reads the flag at every collection, so switching it while the process runs takes
 * effect at the next one. The flag is process-wide, so so is the count.
 */
let holders = 0;

/** Prefers the small heap until the returned function is called (later calls do nothing). */
export function holdSmallHeap(): () => void {
  // Whoever started the process with the flag wants it all the time: never clear it.
  if (process.execArgv.some((arg) => /^--optimize[-_]for[-_]size$/.test(arg))) return () => {};
  holders += 1;
  if (holders === 1) setFlagsFromString('--optimize-for-size');
  let released = false;
  return () => {
    if (released) return;
    released = true;
    holders -= 1;
    if (holders === 0) setFlagsFromString('--no-optimize-for-size');
  };
}
