type Listener = (...args: unknown[]) => void;

/** A typed event emitter: `Emitter<{ closed: []; statuschange: [ViewerStatus] }>`. */
export class Emitter<Events extends Record<string, unknown[]>> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();

  on<E extends keyof Events>(event: E, listener: (...args: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    const stored = listener as unknown as Listener;
    set.add(stored);
    return () => set.delete(stored);
  }

  emit<E extends keyof Events>(event: E, ...args: Events[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        listener(...args);
      } catch (err) {
        console.error(`listener of ${String(event)} threw`, err);
      }
    }
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }
}
