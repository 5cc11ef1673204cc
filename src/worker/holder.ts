// Who is a process, precisely enough to tell later whether it is still alive.
// A pid alone is not enough: pids are reused, and a lease row outlives its
// process across a reboot. On Linux a process is (pid, start time in clock
// ticks since boot) within one pid namespace of one boot; elsewhere only the
// pid and the host name are known.
const { readFileSync, readlinkSync } = process.getBuiltinModule('node:fs');

export interface Holder {
  pid: number;
  /** Start time of the process (Linux: field 22 of /proc/<pid>/stat); null when the OS does not tell. */
  start: string | null;
  /** Where `pid` means this process: boot id and pid namespace (Linux), else the host name. */
  scope: string;
}

let scopeCache: string | undefined;

/** Host, boot id and pid namespace: equal scopes mean the same pid numbering. */
export function localScope(): string {
  if (scopeCache !== undefined) return scopeCache;
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const ns = readlinkSync('/proc/self/ns/pid');
    scopeCache = ['linux', hostname(), boot, ns].join('|');
  } catch {
    scopeCache = ['host', hostname()].join('|');
  }
  return scopeCache;
}

function hostname(): string {
  try {
    // The name os.hostname() gives, without loading node:os into every hook.
    return readFileSync('/proc/sys/kernel/hostname', 'utf8').trim();
  } catch {
    // Not Linux: ask the OS.
  }
  try {
    return process.getBuiltinModule('node:os').hostname();
  } catch {
    return '';
  }
}

interface ProcStat {
  state: string;
  start: string;
  /** PF_EXITING: killed and being torn down (no longer running our code). */
  exiting: boolean;
}

const PF_EXITING = 0x4;

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), fields[6] field 9 (flags), fields[19] field 22 (starttime).
    return { state: fields[0] ?? '', start: fields[19] ?? '', exiting: (Number(fields[6]) & PF_EXITING) !== 0 };
  } catch {
    return undefined;
  }
}

export function holderOf(pid: number): Holder {
  const scope = localScope();
  return { pid, start: scope.startsWith('linux|') ? (procStat(pid)?.start ?? null) : null, scope };
}

export function selfHolder(): Holder {
  return holderOf(process.pid);
}

/**
 * False when the holder is certainly gone: in this scope, no such process, a
 * zombie, or another process under a reused pid; or it ran on an earlier
 * boot of this host. True when it may live; undefined when this process
 * cannot tell (another host or container): only lease expiry decides then.
 */
export function holderAlive(holder: { pid: number; start: string | null; scope: string | null }): boolean | undefined {
  const scope = localScope();
  if (!holder.scope) return undefined;
  if (holder.scope !== scope) {
    // This host and pid namespace, another boot: the holder died with that boot.
    const [kind, host, boot, ns] = holder.scope.split('|');
    const [myKind, myHost, myBoot, myNs] = scope.split('|');
    if (kind === 'linux' && myKind === 'linux' && host === myHost && ns === myNs && boot !== myBoot) return false;
    return undefined;
  }
  if (scope.startsWith('linux|')) {
    const stat = procStat(holder.pid);
    if (!stat || stat.exiting || stat.state === 'Z' || stat.state === 'X') return false;
    return holder.start === null || stat.start === holder.start;
  }
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
