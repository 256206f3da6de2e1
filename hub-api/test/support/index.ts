/**
 * Test support for the hub, exported for the hub suite and the end-to-end suite:
 * - createTestDatabase(): a fresh, randomly named database on the local PostgreSQL, migrated with the real migrations.
 * - startTestHub(): the real hub (startHub) on port 0 with real Redis, a platform key, seeding and request helpers.
 * - createManualClock(): a clock tests move by hand (day boundaries without waiting).
 * - hub.registerUser() / hub.addUser(): people with access tokens (Bearer), for role and tenant tests.
 * Nothing is mocked; everything a test creates is removed by close()/drop().
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import bcrypt from 'bcryptjs';
import Redis from 'ioredis';
import { Client } from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Clock } from '../../src/clock';
import {
	type AnswerCacheConfig,
	type AuthConfig,
	type BillingConfig,
	type ConversationsConfig,
	type PipelineConfig,
	conversationsConfig,
	type DeployConfig,
	type HubConfig,
	type LogLevel,
	type RateLimitConfig,
	type SocialConfig,
} from '../../src/config';
import { createDataSource } from '../../src/db/data-source';
import { createLogger } from '../../src/logger';
import type { SecretKey } from '../../src/secrets/secret-box';
import type { Role } from '../../src/modules/users/roles';
import { UsersRepository } from '../../src/modules/users/users.repository';
import { createPlatformKey, createTenant, type SeededTenant, type TenantSeed } from '../../src/seed';
import { type RunningHub, startHub } from '../../src/server';

export const TEST_DATABASE_BASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** startTestHub's SKYBOT_WEBHOOK_SECRET unless told otherwise: tests sign execution reports with it. */
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-4f1c2b9e7d6a5038c1e2f3a4b5c6d7e8';
/** The JWT_SECRET of test hubs (a real deployment generates its own; see README). */
export const TEST_JWT_SECRET = 'test-jwt-secret-of-at-least-32-characters';

export interface TestDatabase {
	name: string;
	url: string;
	/** Drops the database, closing any connection still open to it. */
	drop(): Promise<void>;
}

export async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ connectionString: TEST_DATABASE_BASE_URL });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** Applies every pending migration to `url` with the same DataSource (and migration list) as the hub. */
export async function migrateDatabase(url: string): Promise<void> {
	const dataSource = createDataSource(url);
	await dataSource.initialize();
	try {
		await dataSource.runMigrations({ transaction: 'each' });
	} finally {
		await dataSource.destroy();
	}
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
	const name = `skybot_test_${randomBytes(6).toString('hex')}`;
	await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
	const url = new URL(TEST_DATABASE_BASE_URL);
	url.pathname = `/${name}`;
	const database: TestDatabase = {
		name,
		url: url.toString(),
		drop: () =>
			withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
	};
	if (options.migrate ?? true) {
		await migrateDatabase(database.url).catch(async (error: unknown) => {
			await database.drop();
			throw error;
		});
	}
	return database;
}

/** A TCP port nothing listens on: a Redis (or any server) that is down. */
export async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

export interface ManualClock {
	now: Clock;
	set(at: Date | string): void;
	advance(milliseconds: number): void;
}

export function createManualClock(start: Date | string): ManualClock {
	let current = new Date(start);
	return {
		now: () => new Date(current),
		set: (at) => {
			current = new Date(at);
		},
		advance: (milliseconds) => {
			current = new Date(current.getTime() + milliseconds);
		},
	};
}

export interface TestRequest {
	method?: string;
	/** Sent as X-API-Key. */
	key?: string;
	/** An access token, sent as `Authorization: Bearer <token>`. */
	token?: string;
	/** Serialised as JSON. */
	body?: unknown;
	/** Sent as-is with Content-Type application/json (malformed or oversized bodies). */
	rawBody?: string;
	headers?: Record<string, string>;
}

export interface TestResponse {
	status: number;
	headers: Headers;
	// Tests assert on whatever shape the route returns.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	body: any;
}

export interface TestHub extends RunningHub {
	databaseUrl: string;
	/** The hub's REDIS_NAMESPACE: every Redis key it writes starts with `<redisNamespace>:`. */
	redisNamespace: string;
	/** A platform-scope key, as the shared n8n pipeline holds. */
	platformKey: string;
	/** A connection to the hub's database, for seeding and for asserting what was (not) stored. */
	dataSource: DataSource;
	request(path: string, request?: TestRequest): Promise<TestResponse>;
	/** Account + key + agent (+ provider account), like `cli create-account`. Random name by default. */
	createTenant(seed?: Partial<TenantSeed>): Promise<SeededTenant>;
	/** POST /api/auth/register with a random account name and e-mail (fails the test unless 201). */
	registerUser(body?: Partial<{ accountName: string; email: string; password: string; name: string }>): Promise<TestUser>;
	/** A person with `role` in an existing account (stored directly: there is no invitation route yet), logged in. */
	addUser(accountId: string, role: Role): Promise<TestUser>;
}

export interface TestUser {
	email: string;
	password: string;
	// The register/login answer as the hub sent it.
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	user: any;
	// eslint-disable-next-line @typescript-eslint/no-explicit-any
	account: any;
	accessToken: string;
	refreshToken: string;
}

export interface StartTestHubOptions {
	/** Reuse a database (not dropped on close); by default a fresh one is created and dropped. */
	database?: TestDatabase;
	redisUrl?: string;
	clock?: Clock;
	bodyLimit?: string;
	/** SKYBOT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET by default, null for a hub without one. */
	webhookSecret?: string | null;
	/** Hub log level; silent unless HUB_TEST_LOG_LEVEL says otherwise. */
	logLevel?: HubConfig['logLevel'];
	/** Replaces the hub's logger (e.g. one writing to a stream the test reads). */
	logger?: Logger;
	/** Overrides of the auth settings (token lifetimes, rotation grace); the secret is TEST_JWT_SECRET. */
	auth?: Partial<AuthConfig>;
	/**
	 * The hub's REDIS_NAMESPACE (quotas, login throttle, rate limits, billing jobs); random by default so test files
	 * never share counters. Give two hubs the same one to act as replicas of one deployment.
	 */
	loginThrottlePrefix?: string;
	/** Stripe billing (STRIPE_* settings); none by default, as in a hub without Stripe. */
	billing?: BillingConfig | null;
	rateLimits?: Partial<RateLimitConfig>;
	/** Agent deployments: no n8n (deploy routes answer 503) and the repository's templates unless given. */
	deploy?: Partial<DeployConfig>;
	/** Human handover: HANDOVER_IDLE_RELEASE's default (30m) and its sweep unless given. */
	conversations?: Partial<ConversationsConfig>;
	pipeline?: Partial<PipelineConfig>;
	/** AI_REQUESTS_PER_MINUTE overrides; none by default (the plans' own limits). */
	aiRequestsPerMinute?: HubConfig['aiRequestsPerMinute'];
	/** The AI answer cache: AI_ANSWER_CACHE_TTL's default (24h) unless given. */
	answerCache?: Partial<AnswerCacheConfig>;
	/** The keyring of secrets at rest (ENCRYPTION_KEYS); none by default (what stores secrets answers 503). */
	encryptionKeys?: SecretKey[] | null;
	/** The providers' OAuth apps (META_*, TIKTOK_*, GOOGLE_*); none configured by default. */
	social?: Partial<SocialConfig>;
}

/** A hub logger at `level` whose lines (one JSON object each) are collected in `lines` instead of printed. */
export function capturingLogger(level: LogLevel = 'info'): { logger: Logger; lines: string[] } {
	const lines: string[] = [];
	const capture = new Writable({
		write(chunk: Buffer, _encoding, done) {
			lines.push(...chunk.toString().split('\n').filter(Boolean));
			done();
		},
	});
	return { logger: createLogger(level, capture), lines };
}

export async function startTestHub(options: StartTestHubOptions = {}): Promise<TestHub> {
	const ownsDatabase = !options.database;
	const database = options.database ?? (await createTestDatabase());
	const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
	const logLevel =
		options.logLevel ?? (process.env.HUB_TEST_LOG_LEVEL as HubConfig['logLevel'] | undefined) ?? 'silent';
	const loginThrottlePrefix = options.loginThrottlePrefix ?? `skybot-test-${randomBytes(6).toString('hex')}`;
	const cleanups: (() => Promise<unknown>)[] = [];
	const cleanUp = async () => {
		for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
	};
	if (ownsDatabase) cleanups.push(() => database.drop());

	try {
		const dataSource = createDataSource(database.url);
		await dataSource.initialize();
		cleanups.push(() => dataSource.destroy());
		cleanups.push(() => deleteKeysMatching(redisUrl, `${loginThrottlePrefix}:*`));
		const platformKey = (await createPlatformKey(dataSource, 'test platform')).key;
		const hub = await startHub(
			{
				databaseUrl: database.url,
				redisUrl,
				port: 0,
				logLevel,
				bodyLimit: options.bodyLimit ?? '1mb',
				webhookSecret: options.webhookSecret === undefined ? TEST_WEBHOOK_SECRET : options.webhookSecret,
				auth: {
					jwtSecret: TEST_JWT_SECRET,
					accessTokenTtlSeconds: 15 * 60,
					refreshTokenTtlSeconds: 7 * 86_400,
					apiKeyRotationGraceSeconds: 10 * 60,
					...options.auth,
				},
				billing: options.billing ?? null,
				// Production limits per user/key; the per-IP auth limit is raised because every test signs in from
				// 127.0.0.1 (rate-limit.test.ts sets it low to test it).
				rateLimits: { perMinute: 100, authPerMinute: 10_000, ...options.rateLimits },
				// Quota and rate-limit counters, billing jobs: shared by hubs that share the prefix (replicas).
				redisNamespace: loginThrottlePrefix,
				deploy: { n8n: null, templatesDir: null, publicUrl: null, ...options.deploy },
				conversations: { ...conversationsConfig(30 * 60), ...options.conversations },
				// No burst wait unless a test asks for one: every other test's message is answered at once.
				pipeline: { burstWindowSeconds: 0, ...options.pipeline },
				aiRequestsPerMinute: options.aiRequestsPerMinute ?? {},
				encryptionKeys: options.encryptionKeys ?? null,
				answerCache: { ttlSeconds: 86_400, ...options.answerCache },
				social: {
					redirectBaseUrl: null,
					meta: null,
					metaSend: { graphUrl: 'https://graph.facebook.com', graphVersion: 'v23.0', operatorAccessToken: null },
					tiktok: null,
					youtube: null,
					...options.social,
				},
			},
			{ clock: options.clock, logger: options.logger ?? createLogger(logLevel) },
		);
		cleanups.push(() => hub.close());

		const request = (path: string, init: TestRequest = {}) => sendRequest(hub.url, path, init);
		const signIn = async (path: string, body: Record<string, string>): Promise<TestUser> => {
			const response = await request(path, { body });
			if (response.status !== 200 && response.status !== 201) {
				throw new Error(`${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
			}
			const { user, account, tokens } = response.body;
			const { email, password } = body as { email: string; password: string };
			return { email, password, user, account, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
		};
		return {
			...hub,
			databaseUrl: database.url,
			redisNamespace: loginThrottlePrefix,
			platformKey,
			dataSource,
			request,
			registerUser: (body = {}) =>
				signIn('/api/auth/register', {
					accountName: `account-${randomBytes(4).toString('hex')}`,
					email: randomEmail(),
					password: 'correct horse battery',
					...body,
				}),
			addUser: async (accountId, role) => {
				const email = randomEmail();
				const password = 'correct horse battery';
				await new UsersRepository(dataSource).insert({
					accountId,
					email,
					passwordHash: await bcrypt.hash(password, 4),
					name: null,
					role,
				});
				return signIn('/api/auth/login', { email, password });
			},
			createTenant: (seed = {}) =>
				createTenant(dataSource, { name: `tenant-${randomBytes(4).toString('hex')}`, ...seed }),
			close: cleanUp,
		};
	} catch (error) {
		await cleanUp();
		throw error;
	}
}

/** One request to any hub URL (a hub started elsewhere, e.g. in another process); hub.request() uses it. */
/** One Instagram message of a conversation, as the pipeline logs it (defaults: a skipped DM, or replied with `reply`). */
export interface PipelineMessage {
	conversationId: string;
	/** The contact's id; `igsid-<conversationId>` by default. */
	contact?: string;
	/** Left out of the message when null. */
	text?: string | null;
	at: Date;
	kind?: string;
	status?: string;
	reply?: string;
	messageId?: string;
}

/** Logs `message` through POST /api/interactions as the pipeline does; fails the test unless the hub took it. */
export async function logPipelineMessage(hub: TestHub, key: string, message: PipelineMessage) {
	const status = message.status ?? (message.reply ? 'replied' : 'skipped');
	const response = await hub.request('/api/interactions', {
		key,
		body: {
			status,
			reason: status === 'skipped' ? 'anti_flood' : undefined,
			message: {
				provider: 'instagram',
				kind: message.kind ?? 'dm',
				messageId: message.messageId ?? `mid-${randomUUID()}`,
				accountExternalId: '17841400000000001',
				conversationId: message.conversationId,
				contact: { externalId: message.contact ?? `igsid-${message.conversationId}`, name: 'Léa' },
				text: message.text ?? undefined,
				timestamp: message.at.toISOString(),
			},
			reply: message.reply === undefined ? undefined : { text: message.reply, externalId: `reply-${randomUUID()}` },
			error: status === 'failed' ? { message: 'Graph API said no', code: 'graph_api_error' } : undefined,
		},
	});
	if (response.status !== 201 && response.status !== 200) {
		throw new Error(`log: ${response.status} ${JSON.stringify(response.body)}`);
	}
	return response.body;
}

export async function sendRequest(baseUrl: string, path: string, request: TestRequest): Promise<TestResponse> {
	const headers: Record<string, string> = { ...request.headers };
	if (request.key !== undefined) headers['x-api-key'] = request.key;
	if (request.token !== undefined) headers.authorization = `Bearer ${request.token}`;
	let body: string | undefined = request.rawBody;
	if (request.body !== undefined) body = JSON.stringify(request.body);
	if (body !== undefined) headers['content-type'] ??= 'application/json';
	const response = await fetch(`${baseUrl}${path}`, {
		method: request.method ?? (body === undefined ? 'GET' : 'POST'),
		headers,
		body,
	});
	const text = await response.text();
	let parsed: unknown = text;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		// Non-JSON answers (metrics) are returned as text.
	}
	return { status: response.status, headers: response.headers, body: parsed };
}

const randomEmail = () => `user-${randomBytes(6).toString('hex')}@example.test`;

export async function deleteKeysMatching(redisUrl: string, pattern: string): Promise<void> {
	const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 1_000, lazyConnect: true });
	redis.on('error', () => {});
	try {
		await redis.connect();
		for await (const batch of redis.scanStream({ match: pattern, count: 1000 })) {
			if ((batch as string[]).length > 0) await redis.unlink(...(batch as string[]));
		}
	} finally {
		redis.disconnect();
	}
}
