// Stash's JSON shapes as the provider's documents (queries.ts) ask for them.
// Nothing outside src/provider sees these; map.ts turns them into model.ts.

export interface WireProviderNamed {
  id: string;
  name: string;
}

export interface WireProviderScene {
  id: string;
  title: string | null;
  code: string | null;
  details: string | null;
  director: string | null;
  date: string | null;
  rating100: number | null;
  updated_at: string;
  studio: (WireProviderNamed & { parent_studio: WireProviderNamed | null }) | null;
  performers: (WireProviderNamed & { image_path: string | null })[];
  tags: WireProviderNamed[];
  groups: { group: WireProviderNamed }[];
  /** duration: seconds, a float. */
  files: { path: string; basename: string; duration: number }[];
  paths: { screenshot: string | null };
  stash_ids: { endpoint: string; stash_id: string }[];
}

export interface WireProviderScenes {
  findScenes: { count: number; scenes: WireProviderScene[] };
}

export interface WireProviderGroup {
  findGroup: { id: string; name: string; synopsis: string | null; date: string | null; front_image_path: string | null } | null;
}
