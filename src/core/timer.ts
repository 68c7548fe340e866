/**
 * Adds up wall time per named stage, and the process' CPU time (user + system, every thread: inference,
 * JPEG encoding, the event loop) while each stage ran. Stages that run side by side both count the
 * CPU used meanwhile; child processes (ffmpeg) are not in it.
 */
export class StageTimer<Name extends string> {
  private readonly totals = new Map<Name, number>();
  private readonly cpuTotals = new Map<Name, number>();

  async time<T>(name: Name, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    try {
      return await work();
    } finally {
      this.add(name, performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      this.cpuTotals.set(name, (this.cpuTotals.get(name) ?? 0) + (cpu.user + cpu.system) / 1000);
    }
  }

  add(name: Name, ms: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + ms);
  }

  snapshot(names: readonly Name[]): Record<Name, number> {
    return Object.fromEntries(names.map((n) => [n, Math.round(this.totals.get(n) ?? 0)])) as Record<Name, number>;
  }

  /** CPU ms of this process while each stage ran (see the class comment). */
  cpuSnapshot(names: readonly Name[]): Record<Name, number> {
    return Object.fromEntries(names.map((n) => [n, Math.round(this.cpuTotals.get(n) ?? 0)])) as Record<Name, number>;
  }
}
