// Bench case: `kops-audit explain --events FILE --output json` on an audit log, next to a plain
// readline + JSON.parse loop over the same file, measured in the same run.
//
//   export async function run({ file, cli }) -> events/s of explain (a number)
//   export async function measure({ file, cli, policy }) -> the details (both rates, MB/s, peak RSS)
//
// Run alone (after npm run build): node bench/explain-events.mjs [AUDIT_LOG [gce|basic|POLICY]]
// Without AUDIT_LOG it generates a seeded synthetic log of BENCH_MB megabytes (default 256) with
// bench/generate-log.mjs in the temp directory and reuses it on later runs.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';

/** Runs the CLI, counting output lines (one per event) without keeping them. */
function explainEvents(cli, file, policy) {
  return new Promise((resolve, reject) => {
    const args = [cli, 'explain', '--policy', policy, '--events', file, '--output', 'json'];
    const withTime = existsSync(TIME);
    const child = withTime
      ? spawn(TIME, ['-f', 'maxrss_kb=%M', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    let stderr = '';
    const started = process.hrtime.bigint();
    child.stdout.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.setEncoding('utf8').on('data', (text) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) {
        reject(new Error(`explain exited ${code}: ${stderr.trim()}`));
        return;
      }
      const rss = /maxrss_kb=(\d+)/.exec(stderr);
      resolve({ events: lines, seconds, maxRssMb: rss ? Number(rss[1]) / 1024 : undefined });
    });
  });
}

/** The baseline: what any tool that parses every event pays. */
async function jsonParseLoop(file) {
  const started = process.hrtime.bigint();
  let events = 0;
  const lines = createInterface({
    input: createReadStream(file, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (line === '') continue;
    JSON.parse(line);
    events++;
  }
  return { events, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export async function measure({ file, cli = path.join(ROOT, 'dist/kops-audit.js'), policy = 'gce' }) {
  const bytes = statSync(file).size;
  const mb = bytes / (1024 * 1024);
  const baseline = await jsonParseLoop(file);
  const explain = await explainEvents(cli, file, policy);
  return {
    name: `explain --events (${policy})`,
    file,
    megabytes: mb,
    explain: {
      ...explain,
      eventsPerSecond: explain.events / explain.seconds,
      mbPerSecond: mb / explain.seconds,
    },
    jsonParse: {
      ...baseline,
      eventsPerSecond: baseline.events / baseline.seconds,
      mbPerSecond: mb / baseline.seconds,
    },
    speedupOverJsonParse: baseline.seconds / explain.seconds,
  };
}

export async function run({ file, cli }) {
  return (await measure({ file, cli })).explain.eventsPerSecond;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let [file, policy = 'gce'] = process.argv.slice(2);
  if (!file) {
    const megabytes = Number(process.env.BENCH_MB ?? 256);
    file = path.join(tmpdir(), `kops-audit-bench-${megabytes}mb.log`);
    if (!existsSync(file)) {
      console.log(`generating ${megabytes} MB of synthetic audit log in ${file} ...`);
      const { writeAuditLog } = await import('./generate-log.mjs');
      await writeAuditLog(file, { seed: 1, bytes: megabytes * 1024 * 1024 });
    }
  }
  {
    const r = await measure({ file, policy });
    const rate = (x) =>
      `${Math.round(x.eventsPerSecond).toLocaleString('en')} events/s, ${x.mbPerSecond.toFixed(1)} MB/s`;
    console.log(`${r.name} on ${r.megabytes.toFixed(0)} MB, ${r.explain.events} events`);
    console.log(
      `  kops-audit explain   ${rate(r.explain)}${r.explain.maxRssMb ? `, peak RSS ${r.explain.maxRssMb.toFixed(0)} MB` : ''}`,
    );
    console.log(`  readline+JSON.parse  ${rate(r.jsonParse)}`);
    console.log(`  ratio                ${r.speedupOverJsonParse.toFixed(2)}x`);
  }
}
