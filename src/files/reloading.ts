// A value loaded from files and loaded again whenever one of them changes. A failed load keeps the last
// good value, so a half-written file (a certificate before its key, a config mid-edit) never takes
// effect; the next write that completes the change does.
import { EventEmitter } from 'node:events';
import { statSync, type Stats } from 'node:fs';

export interface ReloadingEvents<T> {
  reloaded: [T];
  error: [Error];
}

/** What identifies a file's content cheaply: a Secret volume's swap changes the inode, an edit the mtime. */
function stamp(stats: Stats | undefined): string {
  return stats && stats.ino !== 0 ? `${stats.ino}:${stats.mtimeMs}:${stats.size}` : 'missing';
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export class Reloading<T> extends EventEmitter<ReloadingEvents<T>> {
  #current: T;
  #timer: NodeJS.Timeout | undefined;
  /** The files as they were when last loaded: changes are judged against these, not the last poll. */
  #loaded = new Map<string, string>();

  /** Throws what the first load throws: a value that never loaded is not something to serve. */
  constructor(
    private readonly paths: readonly string[],
    private readonly load: () => T,
  ) {
    super();
    this.#current = this.#loadNow();
  }

  get current(): T {
    return this.#current;
  }

  #loadNow(): T {
    // Stamped before reading, so a write during the load is seen as a change by the next poll.
    for (const path of this.paths) this.#loaded.set(path, stamp(statOf(path)));
    return this.load();
  }

  reload(): boolean {
    try {
      this.#current = this.#loadNow();
      this.emit('reloaded', this.#current);
      return true;
    } catch (error) {
      this.emit('error', error as Error);
      return false;
    }
  }

  #changed(path: string, stats: Stats | undefined): boolean {
    return stamp(stats) !== this.#loaded.get(path);
  }

  /**
   * Polls each file's stat: Kubernetes swaps a ConfigMap or Secret volume through a symlink, which
   * fs.watch on the file misses, while stat follows the link and sees the new content. Each poll compares
   * with the files as last loaded, not with the previous poll (as fs.watchFile does: its first stat is
   * taken on the thread pool, so a change made between the load and that stat was never reported).
   */
  watch(intervalMs = 1000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#reloadIfChanged(), intervalMs);
    this.#timer.unref();
    this.#reloadIfChanged();
  }

  #reloadIfChanged(): void {
    if (this.paths.some((path) => this.#changed(path, statOf(path)))) this.reload();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
