/**
 * `npm run bench -- <name>`: runs bench/<name>/run.ts (e.g. quota, analytics) in its own Node process, with the
 * repository root as working directory. Without a name, lists the benchmarks.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const benches = readdirSync(join(root, 'bench')).filter((name) => existsSync(join(root, 'bench', name, 'run.ts')));
const [name, ...args] = process.argv.slice(2);
if (!name || !benches.includes(name)) {
	process.stderr.write(`Usage: npm run bench -- <${benches.join('|')}>\n`);
	process.exit(2);
}
const result = spawnSync(process.execPath, [join('bench', name, 'run.ts'), ...args], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
