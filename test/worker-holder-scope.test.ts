// The holder's scope where the OS tells less: without /proc (not Linux) only
// the host name and the pid are known, and a host name that cannot be read is
// empty. Each case imports holder.ts afresh after replacing the node:fs or
// node:os function it reads, since the module takes those functions at load.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { holderAlive, localScope } from '../src/worker/holder.ts';

type Holder = typeof import('../src/worker/holder.ts');

async function freshHolder(tag: string): Promise<Holder> {
  return (await import(`../src/worker/holder.ts?${tag}`)) as Holder;
}

test("on Linux the scope is the kind, this host's name, the boot id and the pid namespace, on one line", () => {
  const [kind, host, boot, ns, ...rest] = localScope().split('|');
  assert.equal(kind, 'linux');
  assert.equal(host, os.hostname());
  assert.equal(boot, fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
  assert.match(boot ?? '', /^[0-9a-f-]{36}$/);
  assert.equal(ns, fs.readlinkSync('/proc/self/ns/pid'));
  assert.deepEqual(rest, []);
});

test('without /proc the scope is the host name; a holder there is judged by its pid, with no start time', async (t) => {
  const noProc = () => Object.assign(new Error('no /proc here'), { code: 'ENOENT' });
  const readFile = fs.readFileSync;
  t.mock.method(fs, 'readlinkSync', () => {
    throw noProc();
  });
  t.mock.method(fs, 'readFileSync', (path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (String(path).startsWith('/proc/')) throw noProc();
    return (readFile as (...args: unknown[]) => unknown)(path, ...rest);
  });
  const holder = await freshHolder('no-proc');
  assert.equal(holder.localScope(), `host|${os.hostname()}`);
  assert.equal(holder.localScope(), `host|${os.hostname()}`, 'the same every time');
  const me = holder.selfHolder();
  assert.deepEqual(me, { pid: process.pid, start: null, scope: `host|${os.hostname()}` });
  assert.equal(holder.holderAlive(me), true);
  assert.equal(holder.holderAlive({ ...me, pid: 2 ** 22 + 12_345 }), false, 'no such process');
  t.mock.method(process, 'kill', () => {
    throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
  });
  assert.equal(holder.holderAlive({ ...me, pid: 4_242 }), true, "another user's process: it lives");
  assert.equal(holder.holderAlive({ pid: 1, start: '1', scope: `linux|${os.hostname()}|a-boot` }), undefined, 'a Linux scope of this host name: not this kind, cannot tell');
});

test('on Linux the host name comes from /proc, without asking node:os', async (t) => {
  const os_ = t.mock.method(os, 'hostname', () => 'not-asked');
  const holder = await freshHolder('proc-hostname');
  assert.equal(holder.localScope().split('|')[1], fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim());
  assert.equal(os_.mock.callCount(), 0);
});

test('a host name that cannot be read leaves that part of the scope empty', async (t) => {
  const readFile = fs.readFileSync;
  t.mock.method(fs, 'readFileSync', (path: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (path === '/proc/sys/kernel/hostname') throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
    return (readFile as (...args: unknown[]) => unknown)(path, ...rest);
  });
  t.mock.method(os, 'hostname', () => {
    throw new Error('uv_os_gethostname failed');
  });
  const holder = await freshHolder('no-hostname');
  const [kind, host, boot] = holder.localScope().split('|');
  assert.equal(kind, 'linux');
  assert.equal(host, '');
  assert.match(boot ?? '', /^[0-9a-f-]{36}$/);
});

test("a holder's start time is field 22 of its /proc stat line, counted after the command name", async () => {
  const { selfHolder } = await import('../src/worker/holder.ts');
  const line = fs.readFileSync('/proc/self/stat', 'utf8');
  // Fields 3 onwards follow the last ')' (the command name may hold spaces or ')').
  const afterName = line.slice(line.lastIndexOf(') ') + 2).split(' ');
  assert.equal(selfHolder().start, afterName[22 - 3]);
  assert.notEqual(selfHolder().start, line.split(' ')[22 - 3], 'counted from the command name, not the start of the line');
});

test('a zombie (exited, not yet reaped by its parent) is no live holder', async (t) => {
  const { holderAlive, localScope: scope } = await import('../src/worker/holder.ts');
  const { spawn } = await import('node:child_process');
  // The shell starts a child that exits soon, then becomes a program that never reaps it.
  const parent = spawn('/bin/sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => parent.kill('SIGKILL'));
  const pid = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(String(chunk).trim()))));
  const state = () => {
    try {
      const line = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return line.slice(line.lastIndexOf(') ') + 2).split(' ')[0];
    } catch {
      return undefined;
    }
  };
  for (const end = Date.now() + 30_000; state() !== 'Z' && Date.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(state(), 'Z');
  assert.equal(holderAlive({ pid, start: null, scope: scope() }), false);
});

test('only a Linux holder of this host and pid namespace is dead for being of another boot', () => {
  const [, host, , ns] = localScope().split('|');
  const judge = (scope: string) => holderAlive({ pid: process.pid, start: null, scope });
  assert.equal(judge(`linux|${host}|an-earlier-boot|${ns}`), false);
  assert.equal(judge(`linux|another-host|an-earlier-boot|${ns}`), undefined, 'another host');
  assert.equal(judge(`linux|${host}|an-earlier-boot|pid:[1]`), undefined, 'another pid namespace');
  assert.equal(judge(`other|${host}|an-earlier-boot|${ns}`), undefined, 'not a Linux scope');
});
