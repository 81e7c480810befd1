// Prints the arena's per-model leaderboard as Markdown, for MODEL_CARD.md:
//
//   npm run arena-leaderboard -- [--votes FILE] [--topic TOPIC] [--write MODEL_CARD.md]
//
// --votes: an arena votes file (default: the playground's, ~/.local/share/flowpaint/playground/
// arena/votes.jsonl; an admin key's export from /playground/api/arena/votes.jsonl works too).
// --write: also puts the table into that file between <!-- arena-leaderboard:start/end --> markers
// (added at the end the first time). With no votes nothing is printed as a table and nothing is
// written: exit code 3, so a release script cannot mistake an empty board for a result.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { leaderboardMarkdown, withLeaderboard } from '../src/server/arena/report.ts';
import { Arena } from '../src/server/arena/store.ts';
import { defaultPlaygroundDir } from '../src/server/playground.ts';

const { values } = parseArgs({ options: { votes: { type: 'string' }, topic: { type: 'string' }, write: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write(readFileSync(new URL(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n') + '\n');
  process.exit(0);
}
const file = values.votes ?? join(defaultPlaygroundDir(), 'arena', 'votes.jsonl');
if (!existsSync(file)) {
  process.stderr.write(`no votes file at ${file} (give one with --votes)\n`);
  process.exit(2);
}
const votes = new Arena(file, []).all();
const table = leaderboardMarkdown(votes, { topic: values.topic });
if (!table) {
  process.stderr.write(`no votes${values.topic ? ` on ${values.topic}` : ''} in ${file}: no leaderboard to print${values.write ? `, ${values.write} left as it is` : ''}\n`);
  process.exit(3);
}
process.stdout.write(table);
if (values.write) {
  writeFileSync(values.write, withLeaderboard(readFileSync(values.write, 'utf8'), table));
  process.stderr.write(`wrote the leaderboard into ${values.write}\n`);
}
