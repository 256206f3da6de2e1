import ms from 'ms';
import { z } from 'zod';
import { PLAN_IDS, type PlanId } from '../../contracts/hub-api';
import { parseKeyring, type SecretKey } from './secrets/secret-box';

/**
 * The hub's settings, read once from the environment at start-up. Each setting declares its schema and an example
 * shown when it is missing or malformed, so a bad deployment stops with one line that names the setting and never
 * echoes its value (several settings carry credentials). Later issues add ENCRYPTION_KEY, STRIPE_* …
 * as more entries of `SETTINGS` and more fields of `HubConfig`.
 */
export interface HubConfig {
	databaseUrl: string;
	redisUrl: string;
	port: number;
	logLevel: LogLevel;
	/** Largest accepted JSON body, in the `bytes` notation body-parser takes ("1mb", "512kb"). */
	bodyLimit: string;
	/** Signs execution reports from n8n (SKYBOT_WEBHOOK_SECRET); null turns POST /api/webhooks/n8n/execution off (503). */
	webhookSecret: string | null;
	/** People's sessions (JWT access tokens, rotating refresh tokens) and API-key rotation; durations in seconds. */
	auth: AuthConfig;
	/** Stripe billing; null when STRIPE_SECRET_KEY is unset (billing routes then answer 503 billing_not_configured). */
	billing: BillingConfig | null;
	rateLimits: RateLimitConfig;
	/** Prefix of the hub's own Redis keys (quota and rate-limit counters, billing jobs), so hubs can share one Redis. */
	redisNamespace: string;
	/** Agent deployments: n8n's public API, the template catalogue, and how n8n reaches the hub. */
	deploy: DeployConfig;
	/** Human handover: when a conversation a person holds goes back to the AI. */
	conversations: ConversationsConfig;
	pipeline: PipelineConfig;
	/**
	 * ENCRYPTION_KEYS (`id:base64key,…`, the first encrypts) or ENCRYPTION_KEY: the keyring of secrets at rest; null
	 * when neither is set (what stores secrets then answers 503).
	 */
	encryptionKeys: SecretKey[] | null;
	/** AI_REQUESTS_PER_MINUTE: per-plan overrides of the plans' model requests per minute per account. */
	aiRequestsPerMinute: Partial<Record<PlanId, number>>;
	/** The AI answer cache (docs/ai-limits.md#the-answer-cache). */
	answerCache: AnswerCacheConfig;
	/** The OAuth apps tenants connect their social accounts through (docs/social-accounts.md). */
	social: SocialConfig;
}

/**
 * One OAuth app per provider, shared by every tenant. A provider whose app is not configured answers 503
 * provider_not_configured on its social-account routes; the others work.
 */
export interface SocialConfig {
	/** OAUTH_REDIRECT_BASE_URL: the public URL providers send people back to; null means HUB_PUBLIC_URL or the listening URL. */
	redirectBaseUrl: string | null;
	meta: MetaAppConfig | null;
	/** Where Meta replies go (always: the operator's pages may be sent with its own token even without an app). */
	metaSend: MetaSendConfig;
	tiktok: TikTokAppConfig | null;
	youtube: GoogleAppConfig | null;
}

export interface MetaAppConfig {
	appId: string;
	appSecret: string;
	/** META_GRAPH_URL + META_GRAPH_VERSION: where Graph API calls go (a fake in tests). */
	graphUrl: string;
	graphVersion: string;
	/** META_DIALOG_URL: Facebook Login's consent page. */
	dialogUrl: string;
}

export interface MetaSendConfig {
	graphUrl: string;
	graphVersion: string;
	/**
	 * META_ACCESS_TOKEN: the operator's token for pages it claimed without an OAuth connection (POST
	 * /api/provider-accounts with the platform key); a page a tenant connected is always sent with its own page token.
	 */
	operatorAccessToken: string | null;
}

export interface TikTokAppConfig {
	appId: string;
	appSecret: string;
	/** TIKTOK_API_URL: the API for Business base, ending in /open_api/v1.3. */
	apiUrl: string;
	/** TIKTOK_AUTHORIZE_URL: TikTok's consent page for business accounts. */
	authorizeUrl: string;
}

export interface GoogleAppConfig {
	clientId: string;
	clientSecret: string;
	/** GOOGLE_OAUTH_URL: one base for /auth, /token and /revoke (a fake or proxy); null means Google's own endpoints. */
	oauthUrl: string | null;
	/** YOUTUBE_API_URL: the YouTube Data API's root (googleapis' rootUrl); null means youtube.googleapis.com. */
	apiUrl: string | null;
	/** YOUTUBE_DAILY_QUOTA: the Google project's daily YouTube Data API units (10 000 unless Google granted more). */
	dailyQuota: number;
}

export interface AnswerCacheConfig {
	/** AI_ANSWER_CACHE_TTL: how long a model's answer is reused for an identical model input; 0 turns the cache off. */
	ttlSeconds: number;
}

export interface ConversationsConfig {
	/** HANDOVER_IDLE_RELEASE: a conversation a person holds with no activity for this long goes back to the AI. */
	idleReleaseSeconds: number;
	/**
	 * How often each hub releases the idle handovers of every account (reads and changes release the ones they touch
	 * anyway, so this only bounds how late the live event of an unwatched conversation comes). Not a setting: a tenth
	 * of the idle time, at most 30 s.
	 */
	sweepIntervalMs: number;
}

export interface PipelineConfig {
	/**
	 * PIPELINE_BURST_WINDOW_SECONDS: messages of one contact this close together get one reply, unless the agent's
	 * scenario sets its own window; 0 answers each message on its own.
	 */
	burstWindowSeconds: number;
}

export interface DeployConfig {
	/** Null when N8N_URL / N8N_API_KEY are unset: the deployment routes answer 503 n8n_unavailable. */
	n8n: { url: string; apiKey: string } | null;
	/** TEMPLATES_DIR; null means the repository's workflows/templates. */
	templatesDir: string | null;
	/** HUB_PUBLIC_URL, written into agents' SkyBot Hub API credentials; null means the URL the hub listens on. */
	publicUrl: string | null;
}

/** The Stripe Price behind each purchasable (plan, interval): the STRIPE_PRICE_* settings. */
export interface StripePriceIds {
	premiumMonthly: string;
	ultraMonthly: string;
	ultraYearly: string;
}

export interface BillingConfig {
	secretKey: string;
	webhookSecret: string;
	/** Where the Stripe SDK sends API calls; null means Stripe itself (a local fake or proxy otherwise). */
	apiUrl: URL | null;
	prices: StripePriceIds;
	/** Days a failed payment keeps the paid plan before the account falls back to Freemium. */
	graceDays: number;
}

export interface RateLimitConfig {
	/** Requests per minute per user or account API key, counted across every hub replica. */
	perMinute: number;
	/** Requests per minute per client IP on /api/auth/* (login, register, refresh). */
	authPerMinute: number;
}

export interface AuthConfig {
	/** HMAC key signing access tokens (HS256); at least 32 characters. */
	jwtSecret: string;
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
	/** How long a rotated API key keeps working, so deployments can switch to the new one. */
	apiKeyRotationGraceSeconds: number;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ConfigError';
	}
}

interface Setting<T> {
	schema: z.ZodType<T>;
	/** What a valid value looks like, shown in the error line. */
	example: string;
	/** Absent means required. */
	fallback?: string;
}

const urlWithProtocols = (protocols: string[]) =>
	z.string().refine(
		(value) => {
			try {
				return protocols.includes(new URL(value).protocol);
			} catch {
				return false;
			}
		},
		`must be a ${protocols.map((p) => p.replace(':', '://')).join(' or ')} URL`,
	);

/**
 * A lifetime in whole seconds, in the compact notation of ms (the library jsonwebtoken reads expiries with): a
 * positive whole number and one unit letter, s, m, h, d or w ("90s", "15m", "12h", "7d", "2w"). ms reads more; these
 * are refused on purpose, each for a reason:
 * - words and spaces ("15 minutes", "2 days"): one notation in the docs, the examples and the env files;
 * - a bare number ("900"): ms reads milliseconds where jsonwebtoken reads seconds, so either reading surprises;
 * - fractions and ms ("1.5h", "500ms"): they can fall between whole seconds, and "90m" says 1.5h exactly;
 * - upper case ("1M", which ms reads as a minute and a reader as a month);
 * - y ("1y"), which ms counts as 365.25 days.
 */
const duration = z
	.string()
	.regex(/^[1-9]\d*[smhdw]$/, 'must be a duration such as 30s, 15m, 12h, 7d or 2w')
	.transform((value) => ms(value as ms.StringValue) / 1000);

/** Optional text: empty means unset. */
const optionalText = z.string().transform((value) => value || undefined);

/** `plan=n,plan=n` (e.g. `ultra=600`): per-plan numbers, each plan at most once; empty: none. */
const perPlanNumbers = z
	.string()
	.transform((value, context) => {
		const numbers: Partial<Record<PlanId, number>> = {};
		for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
			const match = /^([a-z]+)=(\d{1,7})$/.exec(entry);
			const plan = match?.[1] as PlanId | undefined;
			if (!match || !PLAN_IDS.includes(plan!) || numbers[plan!] !== undefined || Number(match[2]) < 1) {
				context.addIssue({ code: 'custom', message: `"${entry}" is not <plan>=<whole number ≥ 1> for one of ${PLAN_IDS.join(', ')}, once each` });
				return z.NEVER;
			}
			numbers[plan!] = Number(match[2]);
		}
		return numbers;
	});

const wholeNumber = (min: number, max: number) =>
	z
		.string()
		.regex(/^\d+$/, 'must be a whole number')
		.transform(Number)
		.pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** An optional http(s) URL: empty means unset. */
const optionalHttpUrl = z.union([z.literal('').transform(() => undefined), urlWithProtocols(['http:', 'https:'])]);

const SETTINGS = {
	DATABASE_URL: {
		schema: urlWithProtocols(['postgres:', 'postgresql:']),
		example: 'postgres://user:pass@host:5432/db',
	},
	REDIS_URL: {
		schema: urlWithProtocols(['redis:', 'rediss:']),
		example: 'redis://127.0.0.1:6379',
		fallback: 'redis://127.0.0.1:6379',
	},
	PORT: {
		schema: z
			.string()
			.regex(/^\d+$/, 'must be a whole number')
			.transform(Number)
			.pipe(z.number().max(65535, 'must be at most 65535')),
		example: '3000, or 0 for any free port',
		fallback: '3000',
	},
	LOG_LEVEL: {
		schema: z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`),
		example: 'info',
		fallback: 'info',
	},
	HUB_BODY_LIMIT: {
		schema: z.string().regex(/^\d+(b|kb|mb)?$/i, 'must be a size such as 1mb, 512kb or 100000'),
		example: '1mb',
		fallback: '1mb',
	},
	SKYBOT_WEBHOOK_SECRET: {
		schema: z
			.string()
			.refine((value) => value === '' || value.length >= 32, 'must be at least 32 characters')
			.transform((value) => value || null),
		example: 'openssl rand -hex 32 (the same value as the webhookSecret of the SkyBot Hub API credential in n8n)',
		fallback: '',
	},
	JWT_SECRET: {
		schema: z.string().min(32, 'must be at least 32 characters'),
		example: 'openssl rand -base64 32',
	},
	JWT_ACCESS_EXPIRY: { schema: duration, example: '15m', fallback: '15m' },
	JWT_REFRESH_EXPIRY: { schema: duration, example: '7d', fallback: '7d' },
	API_KEY_ROTATION_GRACE: { schema: duration, example: '10m', fallback: '10m' },
	HANDOVER_IDLE_RELEASE: { schema: duration, example: '30m', fallback: '30m' },
	PIPELINE_BURST_WINDOW_SECONDS: { schema: wholeNumber(0, 60), example: '8', fallback: '8' },
	AI_REQUESTS_PER_MINUTE: { schema: perPlanNumbers, example: 'ultra=600,premium=120 (empty: the plans\' own)', fallback: '' },
	ENCRYPTION_KEY: { schema: optionalText, example: 'openssl rand -base64 32', fallback: '' },
	ENCRYPTION_KEYS: { schema: optionalText, example: 'k2:<base64>,k1:<base64> (the first encrypts)', fallback: '' },
	STRIPE_SECRET_KEY: { schema: optionalText, example: 'sk_live_… or sk_test_…', fallback: '' },
	STRIPE_WEBHOOK_SECRET: { schema: optionalText, example: 'whsec_…', fallback: '' },
	STRIPE_API_URL: { schema: optionalHttpUrl, example: 'http://127.0.0.1:12111 (empty for api.stripe.com)', fallback: '' },
	STRIPE_PRICE_PREMIUM_MONTHLY: { schema: optionalText, example: 'price_…', fallback: '' },
	STRIPE_PRICE_ULTRA_MONTHLY: { schema: optionalText, example: 'price_…', fallback: '' },
	STRIPE_PRICE_ULTRA_YEARLY: { schema: optionalText, example: 'price_…', fallback: '' },
	BILLING_GRACE_DAYS: { schema: wholeNumber(0, 90), example: '7', fallback: '7' },
	RATE_LIMIT_PER_MINUTE: { schema: wholeNumber(1, 1_000_000), example: '100', fallback: '100' },
	AUTH_RATE_LIMIT_PER_MINUTE: { schema: wholeNumber(1, 1_000_000), example: '20', fallback: '20' },
	N8N_URL: { schema: optionalHttpUrl, example: 'http://127.0.0.1:5678 (empty disables agent deployments)', fallback: '' },
	N8N_API_KEY: { schema: optionalText, example: "an n8n public API key (n8n: Settings > n8n API)", fallback: '' },
	TEMPLATES_DIR: { schema: optionalText, example: '/app/workflows/templates', fallback: '' },
	HUB_PUBLIC_URL: { schema: optionalHttpUrl, example: 'http://hub:3000 (how n8n reaches the hub)', fallback: '' },
	AI_ANSWER_CACHE_TTL: {
		// A day: long enough for the openers many contacts send alike ("price?", "are you open?") to be answered from
		// the cache, short enough that an answer that depends on more than the model input (today's opening hours, a
		// stock the prompt does not carry) is not served for long. At most 30 days; 0 turns the cache off.
		schema: z
			.string()
			.regex(/^(0|[1-9]\d*[smhdw])$/, 'must be 0 (off) or a duration such as 30m, 12h or 1d')
			.transform((value) => (value === '0' ? 0 : ms(value as ms.StringValue) / 1000))
			.pipe(z.number().max(30 * 86_400, 'must be at most 30d')),
		example: '24h, or 0 to turn the answer cache off',
		fallback: '24h',
	},
	OAUTH_REDIRECT_BASE_URL: {
		schema: optionalHttpUrl,
		example: 'https://hub.example.com (where providers send people back: <url>/api/social-accounts/<provider>/callback)',
		fallback: '',
	},
	META_APP_ID: { schema: optionalText, example: 'the Meta app id (developers.facebook.com > your app)', fallback: '' },
	META_APP_SECRET: { schema: optionalText, example: 'the Meta app secret', fallback: '' },
	META_GRAPH_URL: { schema: urlWithProtocols(['http:', 'https:']), example: 'https://graph.facebook.com', fallback: 'https://graph.facebook.com' },
	META_GRAPH_VERSION: { schema: z.string().regex(/^v\d+\.\d+$/, 'must look like v23.0'), example: 'v23.0', fallback: 'v23.0' },
	META_ACCESS_TOKEN: { schema: optionalText, example: 'a page or system-user access token', fallback: '' },
	META_DIALOG_URL: { schema: urlWithProtocols(['http:', 'https:']), example: 'https://www.facebook.com', fallback: 'https://www.facebook.com' },
	TIKTOK_APP_ID: { schema: optionalText, example: 'the TikTok for Business app id', fallback: '' },
	TIKTOK_APP_SECRET: { schema: optionalText, example: 'the TikTok for Business app secret', fallback: '' },
	TIKTOK_API_URL: {
		schema: urlWithProtocols(['http:', 'https:']),
		example: 'https://business-api.tiktok.com/open_api/v1.3',
		fallback: 'https://business-api.tiktok.com/open_api/v1.3',
	},
	TIKTOK_AUTHORIZE_URL: {
		schema: urlWithProtocols(['http:', 'https:']),
		example: 'https://www.tiktok.com/v2/auth/authorize/',
		fallback: 'https://www.tiktok.com/v2/auth/authorize/',
	},
	GOOGLE_CLIENT_ID: { schema: optionalText, example: '…apps.googleusercontent.com', fallback: '' },
	GOOGLE_CLIENT_SECRET: { schema: optionalText, example: 'the OAuth client secret', fallback: '' },
	GOOGLE_OAUTH_URL: {
		schema: optionalHttpUrl,
		example: 'http://127.0.0.1:4010 (empty for Google; /auth, /token and /revoke below it)',
		fallback: '',
	},
	YOUTUBE_API_URL: { schema: optionalHttpUrl, example: 'http://127.0.0.1:4010 (empty for youtube.googleapis.com)', fallback: '' },
	YOUTUBE_DAILY_QUOTA: { schema: wholeNumber(1, 100_000_000), example: '10000', fallback: '10000' },
	REDIS_NAMESPACE: {
		schema: z.string().regex(/^[\w.-]+$/, 'must be letters, digits, _ . or -'),
		example: 'skybot',
		fallback: 'skybot',
	},
} satisfies Record<string, Setting<unknown>>;

type SettingName = keyof typeof SETTINGS;

/**
 * Billing is optional (the hub runs without Stripe), but half a Stripe setup is a deployment mistake: once
 * STRIPE_SECRET_KEY is set, the webhook secret and every price id are required.
 */
function readBillingConfig(env: NodeJS.ProcessEnv): BillingConfig | null {
	const secretKey = readSetting(env, 'STRIPE_SECRET_KEY', SETTINGS.STRIPE_SECRET_KEY);
	const graceDays = readSetting(env, 'BILLING_GRACE_DAYS', SETTINGS.BILLING_GRACE_DAYS);
	const apiUrl = readSetting(env, 'STRIPE_API_URL', SETTINGS.STRIPE_API_URL);
	if (!secretKey) return null;
	const required = (name: SettingName & `STRIPE_${string}`): string => {
		const value = readSetting(env, name, SETTINGS[name] as Setting<string | undefined>);
		if (!value) throw new ConfigError(`Configuration error: ${name} is required when STRIPE_SECRET_KEY is set`);
		return value;
	};
	return {
		secretKey,
		webhookSecret: required('STRIPE_WEBHOOK_SECRET'),
		apiUrl: apiUrl ? new URL(apiUrl) : null,
		prices: {
			premiumMonthly: required('STRIPE_PRICE_PREMIUM_MONTHLY'),
			ultraMonthly: required('STRIPE_PRICE_ULTRA_MONTHLY'),
			ultraYearly: required('STRIPE_PRICE_ULTRA_YEARLY'),
		},
		graceDays,
	};
}

function readSetting<T>(env: NodeJS.ProcessEnv, name: SettingName, setting: Setting<T>): T {
	const raw = env[name]?.trim();
	if (raw === undefined || raw === '') {
		if (setting.fallback === undefined) {
			throw new ConfigError(`Configuration error: ${name} is required (${setting.example})`);
		}
		return setting.schema.parse(setting.fallback);
	}
	const parsed = setting.schema.safeParse(raw);
	if (!parsed.success) {
		const reason = parsed.error.issues[0]?.message ?? 'is malformed';
		throw new ConfigError(`Configuration error: ${name} ${reason} (e.g. ${setting.example})`);
	}
	return parsed.data;
}

/**
 * Deployments are optional. N8N_URL alone leaves them off (a first start, before the operator has created n8n's API
 * key: docker-compose sets the URL), but an API key without a URL is a deployment mistake.
 */
function readDeployConfig(env: NodeJS.ProcessEnv): DeployConfig {
	const url = readSetting(env, 'N8N_URL', SETTINGS.N8N_URL);
	const apiKey = readSetting(env, 'N8N_API_KEY', SETTINGS.N8N_API_KEY);
	if (apiKey && !url) throw new ConfigError('Configuration error: N8N_URL is required when N8N_API_KEY is set');
	return {
		n8n: url && apiKey ? { url, apiKey } : null,
		templatesDir: readSetting(env, 'TEMPLATES_DIR', SETTINGS.TEMPLATES_DIR) ?? null,
		publicUrl: readSetting(env, 'HUB_PUBLIC_URL', SETTINGS.HUB_PUBLIC_URL) ?? null,
	};
}

/** Only the database: what the CLI needs (migrations, seeding), so one-shot jobs do not need the server's secrets. */
export function loadDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
	return readSetting(env, 'DATABASE_URL', SETTINGS.DATABASE_URL);
}

/** Throws a ConfigError whose message is the single line to print; never includes a setting's value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
	return {
		databaseUrl: readSetting(env, 'DATABASE_URL', SETTINGS.DATABASE_URL),
		redisUrl: readSetting(env, 'REDIS_URL', SETTINGS.REDIS_URL),
		port: readSetting(env, 'PORT', SETTINGS.PORT),
		logLevel: readSetting(env, 'LOG_LEVEL', SETTINGS.LOG_LEVEL),
		bodyLimit: readSetting(env, 'HUB_BODY_LIMIT', SETTINGS.HUB_BODY_LIMIT),
		webhookSecret: readSetting(env, 'SKYBOT_WEBHOOK_SECRET', SETTINGS.SKYBOT_WEBHOOK_SECRET),
		auth: {
			jwtSecret: readSetting(env, 'JWT_SECRET', SETTINGS.JWT_SECRET),
			accessTokenTtlSeconds: readSetting(env, 'JWT_ACCESS_EXPIRY', SETTINGS.JWT_ACCESS_EXPIRY),
			refreshTokenTtlSeconds: readSetting(env, 'JWT_REFRESH_EXPIRY', SETTINGS.JWT_REFRESH_EXPIRY),
			apiKeyRotationGraceSeconds: readSetting(env, 'API_KEY_ROTATION_GRACE', SETTINGS.API_KEY_ROTATION_GRACE),
		},
		billing: readBillingConfig(env),
		rateLimits: {
			perMinute: readSetting(env, 'RATE_LIMIT_PER_MINUTE', SETTINGS.RATE_LIMIT_PER_MINUTE),
			authPerMinute: readSetting(env, 'AUTH_RATE_LIMIT_PER_MINUTE', SETTINGS.AUTH_RATE_LIMIT_PER_MINUTE),
		},
		redisNamespace: readSetting(env, 'REDIS_NAMESPACE', SETTINGS.REDIS_NAMESPACE),
		deploy: readDeployConfig(env),
		conversations: conversationsConfig(readSetting(env, 'HANDOVER_IDLE_RELEASE', SETTINGS.HANDOVER_IDLE_RELEASE)),
		aiRequestsPerMinute: readSetting(env, 'AI_REQUESTS_PER_MINUTE', SETTINGS.AI_REQUESTS_PER_MINUTE),
		encryptionKeys: readKeyring(env),
		pipeline: {
			burstWindowSeconds: readSetting(env, 'PIPELINE_BURST_WINDOW_SECONDS', SETTINGS.PIPELINE_BURST_WINDOW_SECONDS),
		},
		answerCache: { ttlSeconds: readSetting(env, 'AI_ANSWER_CACHE_TTL', SETTINGS.AI_ANSWER_CACHE_TTL) },
		social: readSocialConfig(env),
	};
}

/**
 * Each provider's app is optional, but an id without its secret (or the reverse) is a deployment mistake. Every
 * setting is read (and so checked) whether or not its provider is configured.
 */
function readSocialConfig(env: NodeJS.ProcessEnv): SocialConfig {
	const setting = <N extends SettingName>(name: N) =>
		readSetting(env, name, SETTINGS[name] as unknown as Setting<z.output<(typeof SETTINGS)[N]['schema']>>);
	const app = (idName: SettingName, secretName: SettingName): { id: string; secret: string } | null => {
		const id = setting(idName) as string | undefined;
		const secret = setting(secretName) as string | undefined;
		if (!id && !secret) return null;
		if (!id || !secret) {
			throw new ConfigError(`Configuration error: ${id ? secretName : idName} is required when ${id ? idName : secretName} is set`);
		}
		return { id, secret };
	};
	const trimmed = (url: string) => url.replace(/\/+$/, '');
	const optionalUrl = (url: string | undefined) => (url ? trimmed(url) : null);
	const meta = app('META_APP_ID', 'META_APP_SECRET');
	const metaEndpoints = {
		graphUrl: trimmed(setting('META_GRAPH_URL')),
		graphVersion: setting('META_GRAPH_VERSION'),
		dialogUrl: trimmed(setting('META_DIALOG_URL')),
	};
	const tiktok = app('TIKTOK_APP_ID', 'TIKTOK_APP_SECRET');
	const tiktokEndpoints = { apiUrl: trimmed(setting('TIKTOK_API_URL')), authorizeUrl: setting('TIKTOK_AUTHORIZE_URL') };
	const google = app('GOOGLE_CLIENT_ID', 'GOOGLE_CLIENT_SECRET');
	const googleEndpoints = {
		oauthUrl: optionalUrl(setting('GOOGLE_OAUTH_URL')),
		apiUrl: optionalUrl(setting('YOUTUBE_API_URL')),
		dailyQuota: setting('YOUTUBE_DAILY_QUOTA'),
	};
	return {
		redirectBaseUrl: setting('OAUTH_REDIRECT_BASE_URL') ?? null,
		meta: meta && { appId: meta.id, appSecret: meta.secret, ...metaEndpoints },
		metaSend: {
			graphUrl: metaEndpoints.graphUrl,
			graphVersion: metaEndpoints.graphVersion,
			operatorAccessToken: setting('META_ACCESS_TOKEN') ?? null,
		},
		tiktok: tiktok && { appId: tiktok.id, appSecret: tiktok.secret, ...tiktokEndpoints },
		youtube: google && { clientId: google.id, clientSecret: google.secret, ...googleEndpoints },
	};
}

/** The keyring alone, required (the `reencrypt-secrets` command). */
export function loadKeyring(env: NodeJS.ProcessEnv = process.env): SecretKey[] {
	const keyring = readKeyring(env);
	if (!keyring) throw new ConfigError('Configuration error: ENCRYPTION_KEYS or ENCRYPTION_KEY is required (openssl rand -base64 32)');
	return keyring;
}

/** The secrets keyring (secrets/secret-box.ts), its problem named without echoing any key. */
function readKeyring(env: NodeJS.ProcessEnv): SecretKey[] | null {
	try {
		return parseKeyring({
			keys: readSetting(env, 'ENCRYPTION_KEYS', SETTINGS.ENCRYPTION_KEYS),
			key: readSetting(env, 'ENCRYPTION_KEY', SETTINGS.ENCRYPTION_KEY),
		});
	} catch (error) {
		throw new ConfigError(`Configuration error: ${(error as Error).message}`);
	}
}

/** The handover settings from the idle time (HANDOVER_IDLE_RELEASE, in seconds). */
export function conversationsConfig(idleReleaseSeconds: number): ConversationsConfig {
	return { idleReleaseSeconds, sweepIntervalMs: Math.min(30_000, idleReleaseSeconds * 100) };
}
