// Test-only preload (`node --import`): kills this process with SIGKILL (no clean-up of any kind, as a
// power cut or the OOM killer would) when lotreel reaches the checkpoint named in LOTREEL_TEST_CRASH_AT.
const target = process.env.LOTREEL_TEST_CRASH_AT;
if (target) {
  globalThis[Symbol.for('lotreel.checkpoint')] = (name) => {
    if (name === target) process.kill(process.pid, 'SIGKILL');
  };
}
