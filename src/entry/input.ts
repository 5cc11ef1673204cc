// The stdin protocol of a raw Stash plugin, validated once with valibot.
import * as v from 'valibot';

const SessionCookie = v.nullish(
  v.looseObject({
    Name: v.optional(v.string()),
    Value: v.optional(v.string()),
  }),
);

export const ServerConnection = v.looseObject({
  Scheme: v.optional(v.picklist(['http', 'https'], 'Scheme must be "http" or "https"')),
  Host: v.optional(v.string('Host must be a string')),
  Port: v.optional(v.pipe(v.number('Port must be a number'), v.integer(), v.minValue(1), v.maxValue(65535))),
  SessionCookie,
  Dir: v.optional(v.string()),
  PluginDir: v.optional(v.string('PluginDir must be a string')),
});
export type ServerConnection = v.InferOutput<typeof ServerConnection>;

/** Stash ids are Go ints in hook contexts; accept digit strings too. */
const EntityId = v.pipe(
  v.union([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\d{1,18}$/))], 'hookContext.id must be a whole number'),
  v.transform((id) => String(id)),
);

const HookContext = v.looseObject({
  id: EntityId,
  type: v.pipe(v.string('hookContext.type must be a string'), v.minLength(1), v.maxLength(100)),
  input: v.optional(v.unknown()),
  inputFields: v.nullish(v.array(v.string(), 'hookContext.inputFields must be a list of strings')),
});

export const PluginInput = v.looseObject({
  server_connection: v.looseObject(ServerConnection.entries, 'server_connection must be an object'),
  args: v.optional(
    v.nullable(
      v.looseObject({
        mode: v.optional(v.string('args.mode must be a string')),
        hookContext: v.optional(v.nullable(HookContext)),
      }),
    ),
  ),
});
export type PluginInput = v.InferOutput<typeof PluginInput>;

export class InputError extends Error {
  override readonly name = 'InputError';
}

export function parseInput(text: string): PluginInput {
  if (text.trim() === '') throw new InputError('no input on stdin: expected one JSON object from Stash');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InputError('stdin is not valid JSON');
  }
  const result = v.safeParse(PluginInput, json);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.');
    throw new InputError(`invalid input${path ? ` at ${path}` : ''}: ${issue.message}`);
  }
  return result.output;
}

/** Stash sends args values as given by the caller; task args are strings, hooks carry hookContext. */
export function argString(input: PluginInput, key: string): string | undefined {
  const value = (input.args as Record<string, unknown> | null | undefined)?.[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}
