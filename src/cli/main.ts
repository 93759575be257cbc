#!/usr/bin/env node
/** The pgferry executable: wires the process to runCli and is the only place that exits. */
import { runCli } from "./program.js";

const controller = new AbortController();
let signals = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C: stop now; the open transaction is rolled back by the server
    process.stderr.write(`\npgferry: ${signal} received: stopping and rolling back (again to quit at once)\n`);
    controller.abort();
  });
}

const code = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
});
process.exitCode = code;
// Let stdout drain, then exit even if a library left a handle open.
process.stdout.write("", () => process.exit(code));
