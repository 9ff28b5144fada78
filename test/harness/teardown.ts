// Last-resort cleanup: when the test process is interrupted (Ctrl-C, CI
// cancelling the job) or exits before a normal stop(), the servers, browsers
// and temp dirs it started must not outlive it. On a signal there is time for
// a bounded graceful stop; on 'exit' only synchronous work is possible.

interface Teardown {
  /** Must be synchronous: it may run inside process.on('exit'). */
  now: () => void;
  /** Preferred on signals, e.g. closing a browser so its helpers are reaped. */
  graceful?: () => Promise<void>;
}

const GRACEFUL_LIMIT_MS = 5000;
const pending = new Set<Teardown>();
let hooked = false;
let interrupted = false;

function runAllNow(): void {
  for (const teardown of [...pending]) {
    pending.delete(teardown);
    try {
      teardown.now();
    } catch {
      // Keep going: one failed cleanup must not leave the others undone.
    }
  }
}

async function runAllGracefully(): Promise<void> {
  // Most recently started first: the browser before the server it shows.
  const graceful = [...pending].reverse().filter((teardown) => teardown.graceful);
  const all = Promise.allSettled(graceful.map(async (teardown) => {
    await teardown.graceful?.();
    pending.delete(teardown);
  }));
  await Promise.race([all, new Promise((resolve) => setTimeout(resolve, GRACEFUL_LIMIT_MS).unref())]);
}

function hookProcessOnce(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', runAllNow);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      if (interrupted) {
        // Second Ctrl-C: stop waiting.
        runAllNow();
        process.exit(code);
      }
      interrupted = true;
      process.stderr.write(`\n[harness] ${signal}: stopping VS Code and the browser…\n`);
      void runAllGracefully().finally(() => {
        runAllNow();
        process.exit(code);
      });
    });
  }
}

/**
 * Registers cleanup to run if the process ends first; returns a function that
 * unregisters it (call it once the normal stop has happened).
 */
export function registerTeardown(now: () => void, graceful?: () => Promise<void>): () => void {
  hookProcessOnce();
  const teardown: Teardown = { now, graceful };
  pending.add(teardown);
  return () => {
    pending.delete(teardown);
  };
}
