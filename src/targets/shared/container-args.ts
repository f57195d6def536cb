// A container's command line as the runtime sees it: `command` then `args`. Flags may live in either.
import { containerPath, type Container } from './workload.js';
import type { Report } from '../report.js';

export type ArgList = 'command' | 'args';

export interface ArgAt {
  list: ArgList;
  index: number;
  value: string;
}

export class ContainerArgs {
  private constructor(
    readonly container: Container,
    readonly path: string,
  ) {}

  /** Undefined (and a malformed finding) when command or args is not a list of strings. */
  static of(container: Container, index: number, rule: string, report: Report): ContainerArgs | undefined {
    const path = containerPath(container, index);
    for (const list of ['command', 'args'] as const) {
      const value = container[list];
      if (value !== undefined && (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))) {
        report.malform({ rule: `${rule}/shape`, path: `${path}.${list}`, found: Array.isArray(value) ? 'a list with an item that is not a string' : typeof value,
          expected: 'a list of strings', fix: `quote every item of ${list}` });
        return undefined;
      }
    }
    return new ContainerArgs(container, path);
  }

  private list(name: ArgList): string[] {
    return (this.container[name] as string[] | undefined) ?? [];
  }

  all(): ArgAt[] {
    const out: ArgAt[] = [];
    for (const list of ['command', 'args'] as const) this.list(list).forEach((value, index) => out.push({ list, index, value }));
    return out;
  }

  /** Where a flag would be written: the list that already holds flags, `args` by default. */
  flagList(): ArgList {
    if (this.list('args').length > 0) return 'args';
    return this.list('command').some((v) => v.startsWith('-')) ? 'command' : 'args';
  }

  pathOf(at: { list: ArgList; index: number }): string {
    return `${this.path}.${at.list}[${at.index}]`;
  }

  replace(at: { list: ArgList; index: number }, value: string): void {
    this.list(at.list)[at.index] = value;
  }

  remove(at: { list: ArgList; index: number }): void {
    this.list(at.list).splice(at.index, 1);
  }

  append(list: ArgList, ...values: string[]): void {
    const existing = this.container[list];
    if (Array.isArray(existing)) existing.push(...values);
    else this.container[list] = [...values];
  }
}
