// Renders PlexSync.yml. Stash parses manifests strictly (an unknown key stops
// the plugin from loading), so only its known keys appear here.
import { stringify } from 'yaml';
import { SETTINGS_SPEC } from '../src/config/settings-spec.ts';
import { TASKS } from '../src/tasks/catalog.ts';

export const SCENE_HOOKS = ['Scene.Create.Post', 'Scene.Update.Post', 'Scene.Destroy.Post'];
export const RENAME_HOOKS = ['Performer.Update.Post', 'Studio.Update.Post', 'Tag.Update.Post', 'Group.Update.Post'];

/** The panel's files in ui/, in the order Stash loads them (the setup view is used by the main file at render time). */
export const UI_JAVASCRIPT = ['plexsync-ui.js', 'plexsync-setup.js'];
export const UI_CSS = ['plexsync-ui.css'];

export function renderManifest(options: { version: string; ui: boolean }): string {
  const manifest: Record<string, unknown> = {
    name: 'PlexSync',
    description: 'Keeps Plex metadata (titles, details, dates, studios, performers, tags, ratings, covers) in step with Stash.',
    version: options.version,
    exec: ['node', '{pluginDir}/plexsync.mjs'],
    interface: 'raw',
    errLog: 'error',
    hooks: [
      {
        name: 'Queue scene for Plex',
        description: 'Records a changed scene for the background sync to Plex.',
        triggeredBy: SCENE_HOOKS,
      },
      {
        name: 'Follow renames',
        description: 'Queues every scene that shows a renamed performer, studio, tag or group.',
        triggeredBy: RENAME_HOOKS,
      },
    ],
    tasks: TASKS.filter((task) => task.inManifest).map((task) => ({
      name: task.name,
      description: task.description,
      defaultArgs: { mode: task.mode, ...task.args },
    })),
    settings: Object.fromEntries(
      SETTINGS_SPEC.map((s) => [s.key, { displayName: s.displayName, description: s.description, type: s.type }]),
    ),
  };
  if (options.ui) {
    manifest.ui = { javascript: UI_JAVASCRIPT, css: UI_CSS };
  }
  // Quote every string: `{pluginDir}` unquoted would start a YAML map.
  return stringify(manifest, { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN', lineWidth: 0 });
}
