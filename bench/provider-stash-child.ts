// The fake Stash for the provider benchmark, in a process of its own (as
// Stash is), so its work on 50,000 scenes does not share the provider's
// event loop. Prints {"url"} once filled; exits when stdin closes.
// Usage: node bench/provider-stash-child.ts <scenes> <apiKey>
import { startFakeStash } from '../test/fakes/stash-server.ts';

const [count, apiKey] = process.argv.slice(2) as [string, string];
const n = Number(count);
const stash = await startFakeStash({ session: false, apiKey });
const performers = Array.from({ length: 200 }, (_, i) => stash.addPerformer(`Performer ${i}`));
const tags = Array.from({ length: 300 }, (_, i) => stash.addTag(`Tag ${i}`));
const studio = stash.addStudio('Studio');
for (let i = 0; i < n; i++) {
  stash.addScene({
    id: String(i + 1),
    title: `Scene ${i}`,
    details: `Details of scene ${i}. `.repeat(8),
    date: '2024-05-06',
    studioId: studio,
    performerIds: [performers[i % 200]!, performers[(i * 7) % 200]!],
    tagIds: [tags[i % 300]!, tags[(i * 3) % 300]!, tags[(i * 11) % 300]!],
    files: [{ path: `/stash/videos/${i % 100}/scene-${i}.mp4`, size: 1000 + i, duration: 600 }],
  });
}
process.stdout.write(`${JSON.stringify({ url: stash.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void stash.close().then(() => process.exit(0));
});
