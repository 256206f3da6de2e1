/**
 * `npm test`: every check the project has, in the order that fails fastest.
 *   lint → typecheck → build → unit + hub (parallel Jest workers) → n8n runtime install (first run only) →
 *   workflow + e2e (one at a time: each boots n8n machinery and the machine has two cores).
 * Ends with one summary line, "tests: N passed, N failed", counted from Jest's JSON reports.
 * Extra arguments go to every Jest run (e.g. `npm test -- -t quota`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const reportDir = join(root, '.tmp', 'test-reports');
const jestArgs = process.argv.slice(2);

interface JestReport {
	numPassedTests: number;
	numFailedTests: number;
	numPendingTests: number;
}

function run(title: string, command: string, args: string[]): boolean {
	const started = Date.now();
	console.log(`\n▶ ${title}`);
	const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	const ok = result.status === 0;
	console.log(`${ok ? '✔' : '✖'} ${title} (${seconds}s)`);
	return ok;
}

function jest(title: string, projects: string[], extra: string[]): boolean {
	const outputFile = join(reportDir, `${projects.join('-')}.json`);
	return run(title, 'npx', [
		'jest',
		'--ci',
		'--selectProjects',
		...projects,
		'--json',
		`--outputFile=${outputFile}`,
		...extra,
		...jestArgs,
	]);
}

function totals(): JestReport {
	const sum: JestReport = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0 };
	for (const projects of phases.filter((p) => p.jest).map((p) => p.jest as string[])) {
		try {
			const report = JSON.parse(
				readFileSync(join(reportDir, `${projects.join('-')}.json`), 'utf8'),
			) as JestReport;
			sum.numPassedTests += report.numPassedTests;
			sum.numFailedTests += report.numFailedTests;
			sum.numPendingTests += report.numPendingTests;
		} catch {
			// The phase did not run (an earlier one failed) or crashed before writing its report.
		}
	}
	return sum;
}

interface Phase {
	title: string;
	command?: [string, string[]];
	jest?: string[];
	jestExtra?: string[];
}

const phases: Phase[] = [
	{ title: 'lint', command: ['npm', ['run', '--silent', 'lint']] },
	{ title: 'typecheck', command: ['npm', ['run', '--silent', 'typecheck']] },
	{ title: 'build', command: ['npm', ['run', '--silent', 'build']] },
	{ title: 'unit and hub integration tests', jest: ['unit', 'hub'] },
	{ title: 'pinned n8n runtime', command: ['node', ['scripts/n8n-runtime/cli.ts', 'install']] },
	{ title: 'workflow and end-to-end tests', jest: ['workflow', 'e2e'], jestExtra: ['--runInBand'] },
];

rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

let failed = false;
for (const phase of phases) {
	const ok = phase.jest
		? jest(phase.title, phase.jest, phase.jestExtra ?? [])
		: run(phase.title, phase.command![0], phase.command![1]);
	if (!ok) {
		failed = true;
		break;
	}
}

const { numPassedTests, numFailedTests, numPendingTests } = totals();
const skipped = numPendingTests > 0 ? `, ${numPendingTests} skipped` : '';
console.log(`\ntests: ${numPassedTests} passed, ${numFailedTests} failed${skipped}`);
process.exit(failed || numFailedTests > 0 ? 1 : 0);
