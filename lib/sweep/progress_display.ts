/**
 * Progress for people: on a terminal, one live bar per active run (steps,
 * losses, ETA); otherwise plain lines every few seconds.
 * @module
 */
import type { Progress } from "../train/loop.ts";
import { formatDuration } from "../cli/duration.ts";

const encoder = new TextEncoder();

function describe(p: Progress, width: number): string {
  const frac = p.totalSteps ? p.step / p.totalSteps : 0;
  const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "·");
  const losses = p.dLoss === undefined ? "" : ` D ${p.dLoss.toFixed(3)} G ${p.gLoss!.toFixed(3)}`;
  const eta = p.msPerStep > 0 ? ` eta ${formatDuration(((p.totalSteps - p.step) * p.msPerStep) / 1000)}` : "";
  return `${bar} ${p.step}/${p.totalSteps}${losses} ${p.msPerStep.toFixed(0)}ms/it${eta}`;
}

/** Shows the progress of the runs being trained. */
export class ProgressDisplay {
  #live = new Map<string, Progress>();
  #drawn = 0;
  #lastDraw = 0;
  #lastPlain = new Map<string, number>();

  /** `tty`: redraw bars in place; otherwise print a plain line per run every `plainEverySeconds`. */
  constructor(
    private readonly tty: boolean,
    private readonly plainEverySeconds = 30,
  ) {}

  /** A run made progress. */
  update(p: Progress): void {
    this.#live.set(p.runId, p);
    const now = performance.now();
    if (this.tty) {
      if (now - this.#lastDraw > 100) this.#draw();
      return;
    }
    const last = this.#lastPlain.get(p.runId) ?? 0;
    if (now - last > this.plainEverySeconds * 1000) {
      this.#lastPlain.set(p.runId, now);
      this.#print(`${p.runId} ${describe(p, 0).trim()}`);
    }
  }

  /** Print a message above the bars. */
  log(message: string): void {
    this.#clear();
    this.#write(message + "\n");
    this.#draw();
  }

  /** A run ended: drop its bar and print one line. */
  done(runId: string, message: string): void {
    this.#live.delete(runId);
    this.log(message);
  }

  #print(line: string): void {
    this.#write(line + "\n");
  }

  #clear(): void {
    if (this.tty && this.#drawn > 0) this.#write(`\x1b[${this.#drawn}A\x1b[J`);
    this.#drawn = 0;
  }

  #draw(): void {
    if (!this.tty) return;
    this.#clear();
    const cols = (() => {
      try {
        return Deno.consoleSize().columns;
      } catch {
        return 100;
      }
    })();
    const lines = [...this.#live.values()].map((p) =>
      `${p.runId.slice(0, 40).padEnd(40)} ${describe(p, 20)}`.slice(0, cols - 1)
    );
    if (lines.length) this.#write(lines.join("\n") + "\n");
    this.#drawn = lines.length;
    this.#lastDraw = performance.now();
  }

  #write(text: string): void {
    Deno.stdout.writeSync(encoder.encode(text));
  }
}
