'use strict';

/**
 * A manual clock and scheduler for tests: time moves only when advance() is called, and due
 * timers fire in time order. Lives outside test/ because `node --test <dir>` on Node 20 runs
 * every .js file under the directory as a test file.
 */
class FakeClock {
  constructor(startMs = Date.UTC(2024, 0, 1)) {
    this.t = startMs;
    this.timers = new Map();
    this.nextId = 1;
    this.now = () => this.t;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.t + Math.max(0, ms), fn, ms });
      return id;
    };
    this.clearTimeout = (id) => { this.timers.delete(id); };
  }

  /** Delays (ms) of the timers still waiting, in scheduling order. */
  pendingDelays() {
    return [...this.timers.values()].map((t) => t.ms);
  }

  /** Moves time forward by ms, firing each due timer and letting its promise chains settle. */
  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
}

/** Lets every pending promise chain of the fakes run to completion (they resolve via microtasks). */
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

module.exports = { FakeClock, settle };
