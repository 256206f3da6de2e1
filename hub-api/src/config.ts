import { z } from 'zod';

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

const DURATION_UNITS_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** "90s", "15m", "12h", "7d" → seconds (the notation of JWT expiries), strictly positive. */
const duration = z
	.string()
	.regex(/^[1-9]\d*[smhd]$/, 'must be a duration such as 30s, 15m, 12h or 7d')
	.transform((value) => Number(value.slice(0, -1)) * DURATION_UNITS_SECONDS[value.at(-1) as 's' | 'm' | 'h' | 'd']);

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
} satisfies Record<string, Setting<unknown>>;

type SettingName = keyof typeof SETTINGS;

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
	};
}
