/** Adds up wall time per named stage. */
export class StageTimer<Name extends string> {
  private readonly totals = new Map<Name, number>();

  async time<T>(name: Name, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(name, performance.now() - start);
    }
  }

  add(name: Name, ms: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + ms);
  }

  snapshot(names: readonly Name[]): Record<Name, number> {
    return Object.fromEntries(names.map((n) => [n, Math.round(this.totals.get(n) ?? 0)])) as Record<Name, number>;
  }
}
