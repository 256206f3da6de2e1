import { parseArgs } from 'node:util';
import { PLAN_IDS, type PlanId } from '../../contracts/hub-api';
import { PROVIDERS, type Provider } from '../../contracts/inbound-message';
import { ConfigError, loadDatabaseUrl, loadKeyring } from './config';
import { createDataSource } from './db/data-source';
import { HubError } from './errors';
import { ENCRYPTED_COLUMNS, reencryptColumn } from './secrets/reencrypt';
import { SecretBox } from './secrets/secret-box';
import { createPlatformKey, createTenant } from './seed';

/**
 * Operator commands. Results go to stdout as JSON (create-*) or one line per migration (migrate*), and nothing else
 * goes to stdout, so scripts can parse it; diagnostics go to stderr.
 * Exit codes: 0 success, 1 failure (configuration, database, conflict), 2 usage error.
 */
const USAGE = `Usage: cli <command>
  migrate                                   apply pending migrations
  migrate:revert                            revert the most recent migration
  create-platform-key [--name N]            print {"id","key"} of a new platform API key
  create-account --name N [--plan P] [--external-account provider:id]
                                            print {"account","agent","apiKey","providerAccount"}
  reencrypt-secrets                         move every stored secret to the keyring's first key (ENCRYPTION_KEYS),
                                            in batches, progress on stderr; safe to re-run, it resumes
Reads DATABASE_URL like the server.`;

class UsageError extends Error {}

function parseExternalAccount(value: string | undefined): { provider: Provider; externalId: string } | undefined {
	if (value === undefined) return undefined;
	const separator = value.indexOf(':');
	const provider = value.slice(0, separator);
	const externalId = value.slice(separator + 1);
	if (separator < 1 || !externalId || !(PROVIDERS as readonly string[]).includes(provider)) {
		throw new UsageError(`--external-account must be <provider>:<id> with provider one of ${PROVIDERS.join(', ')}`);
	}
	return { provider: provider as Provider, externalId };
}

function parsePlan(value: string | undefined): PlanId | undefined {
	if (value !== undefined && !(PLAN_IDS as readonly string[]).includes(value)) {
		throw new UsageError(`--plan must be one of ${PLAN_IDS.join(', ')}`);
	}
	return value as PlanId | undefined;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function run(argv: string[]): Promise<void> {
	const { positionals, values } = (() => {
		try {
			return parseArgs({
				args: argv,
				allowPositionals: true,
				options: {
					name: { type: 'string' },
					plan: { type: 'string' },
					'external-account': { type: 'string' },
				},
			});
		} catch (error) {
			throw new UsageError((error as Error).message);
		}
	})();
	const [command, ...extra] = positionals;
	if (!command || extra.length > 0) throw new UsageError('Expected exactly one command');
	const knownCommands = ['migrate', 'migrate:revert', 'create-platform-key', 'create-account', 'reencrypt-secrets'];
	if (!knownCommands.includes(command)) throw new UsageError(`Unknown command: ${command}`);
	if (command === 'create-account' && !values.name?.trim()) throw new UsageError('create-account needs --name');
	const plan = parsePlan(values.plan);
	const externalAccount = parseExternalAccount(values['external-account']);

	// Read before connecting: a missing or malformed keyring is a configuration error, like the server's.
	const keyring = command === 'reencrypt-secrets' ? loadKeyring() : null;
	const dataSource = createDataSource(loadDatabaseUrl());
	await dataSource.initialize();
	try {
		switch (command) {
			case 'migrate': {
				const applied = await dataSource.runMigrations({ transaction: 'each' });
				for (const migration of applied) process.stdout.write(`applied ${migration.name}\n`);
				if (applied.length === 0) process.stdout.write('no pending migrations\n');
				break;
			}
			case 'migrate:revert': {
				const before = await dataSource.query('SELECT name FROM migrations ORDER BY id DESC LIMIT 1').catch(() => []);
				await dataSource.undoLastMigration({ transaction: 'each' });
				process.stdout.write(before[0] ? `reverted ${before[0].name}\n` : 'nothing to revert\n');
				break;
			}
			case 'create-platform-key': {
				const key = await createPlatformKey(dataSource, values.name?.trim() || 'platform');
				print({ id: key.id, key: key.key });
				break;
			}
			case 'create-account':
				print(await createTenant(dataSource, { name: values.name!.trim(), plan, externalAccount }));
				break;
			case 'reencrypt-secrets': {
				const box = new SecretBox(keyring!);
				const moved = [];
				for (const column of ENCRYPTED_COLUMNS) {
					moved.push(
						await reencryptColumn(dataSource, box, column, {
							onBatch: (progress) =>
								process.stderr.write(
									`${progress.table}.${progress.column}: ${progress.reencrypted} re-encrypted, ${progress.current} already current\n`,
								),
						}),
					);
				}
				print({
					keyId: box.currentKeyId,
					columns: moved.map(({ table, column, reencrypted, current }) => ({ table, column, reencrypted, current })),
				});
				break;
			}
		}
	} finally {
		await dataSource.destroy();
	}
}

run(process.argv.slice(2)).then(
	() => process.exit(0),
	(error: unknown) => {
		if (error instanceof UsageError) {
			process.stderr.write(`${error.message}\n\n${USAGE}\n`);
			process.exit(2);
		}
		if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
		else if (error instanceof HubError) process.stderr.write(`${error.code}: ${error.message}\n`);
		else process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	},
);
