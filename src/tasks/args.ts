// Arguments the panel's operations share, checked before anything is touched.
import type { RunContext } from '../entry/context.ts';
import { argString } from '../entry/input.ts';
import { PermanentError } from '../errors.ts';

export function sceneIdArg(ctx: RunContext): string {
  const id = argString(ctx.input, 'sceneId');
  if (id === undefined || !/^\d{1,18}$/.test(id)) {
    const shown = id === undefined ? 'nothing' : JSON.stringify(id.slice(0, 40));
    throw new PermanentError('bad_input', `args.sceneId must be a scene id made of digits, got ${shown}`);
  }
  return id;
}
