/**
 * Progress display for long CLI work: a cli-progress bar on standard error when it is a terminal,
 * nothing otherwise (so pipes and CI logs stay clean). Shows counts only, never report text.
 */
import { SingleBar, Presets } from 'cli-progress';

/** A progress sink; `update` takes the number of units done so far. */
export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** A progress sink that shows nothing. */
export const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

/**
 * Starts a progress bar labelled `label` with `total` units (0 when unknown yet), or a silent one
 * when standard error is not a terminal or `enabled` is false.
 */
export function startProgress(label: string, total: number, unit = 'items', enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return NO_PROGRESS;
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% {value}/{total} ${unit} | {duration_formatted} elapsed | eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
