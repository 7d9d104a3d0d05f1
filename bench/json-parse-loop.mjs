// Baseline for the bench: what any tool that parses every event pays. A plain node:readline loop with
// JSON.parse per line (the approach measured in shared/research/ecosystem.md §simulate).
// Prints the number of events. Usage: node bench/json-parse-loop.mjs FILE
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const lines = createInterface({
  input: createReadStream(process.argv[2], { highWaterMark: 1 << 20 }),
  crlfDelay: Infinity,
});
let events = 0;
for await (const line of lines) {
  if (line === '') continue;
  const event = JSON.parse(line);
  if (typeof event.verb === 'string') events++;
}
console.log(events);
