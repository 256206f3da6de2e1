import { ConfigError, loadConfig } from '../src/config';

const valid = {
	DATABASE_URL: 'postgres://hub:s3cret@db.internal:5432/hub',
	JWT_SECRET: 'a-jwt-secret-of-at-least-32-characters',
};

function configError(env: NodeJS.ProcessEnv): string {
	try {
		loadConfig(env);
	} catch (error) {
		expect(error).toBeInstanceOf(ConfigError);
		return (error as ConfigError).message;
	}
	throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
	it('applies the documented defaults', () => {
		expect(loadConfig(valid)).toEqual({
			databaseUrl: valid.DATABASE_URL,
			redisUrl: 'redis://127.0.0.1:6379',
			port: 3000,
			logLevel: 'info',
			pipeline: { burstWindowSeconds: 8 },
			aiRequestsPerMinute: {},
			encryptionKeys: null,
			bodyLimit: '1mb',
			auth: {
				jwtSecret: valid.JWT_SECRET,
				accessTokenTtlSeconds: 900,
				refreshTokenTtlSeconds: 604_800,
				apiKeyRotationGraceSeconds: 600,
			},
			webhookSecret: null,
			billing: null,
			rateLimits: { perMinute: 100, authPerMinute: 20 },
			redisNamespace: 'skybot',
			deploy: { n8n: null, templatesDir: null, publicUrl: null },
			conversations: { idleReleaseSeconds: 1800, sweepIntervalMs: 30_000 },
			answerCache: { ttlSeconds: 86_400 },
			social: {
				redirectBaseUrl: null,
				meta: null,
				metaSend: { graphUrl: 'https://graph.facebook.com', graphVersion: 'v23.0', operatorAccessToken: null },
				tiktok: null,
				youtube: null,
			},
		});
	});

	it('reads each provider app once its id and secret are set, with the providers\' own endpoints by default', () => {
		const config = loadConfig({
			...valid,
			META_APP_ID: '123',
			META_APP_SECRET: 'meta-secret',
			TIKTOK_APP_ID: 'tt-app',
			TIKTOK_APP_SECRET: 'tt-secret',
			GOOGLE_CLIENT_ID: 'client.apps.googleusercontent.com',
			GOOGLE_CLIENT_SECRET: 'google-secret',
			OAUTH_REDIRECT_BASE_URL: 'https://hub.example.com',
		});
		expect(config.social).toEqual({
			redirectBaseUrl: 'https://hub.example.com',
			meta: { appId: '123', appSecret: 'meta-secret', graphUrl: 'https://graph.facebook.com', graphVersion: 'v23.0', dialogUrl: 'https://www.facebook.com' },
			metaSend: { graphUrl: 'https://graph.facebook.com', graphVersion: 'v23.0', operatorAccessToken: null },
			tiktok: {
				appId: 'tt-app',
				appSecret: 'tt-secret',
				apiUrl: 'https://business-api.tiktok.com/open_api/v1.3',
				authorizeUrl: 'https://www.tiktok.com/v2/auth/authorize/',
			},
			youtube: { clientId: 'client.apps.googleusercontent.com', clientSecret: 'google-secret', oauthUrl: null, apiUrl: null, dailyQuota: 10_000 },
		});
	});

	it.each([
		['META_APP_SECRET', 'META_APP_ID', { META_APP_ID: '123' }],
		['TIKTOK_APP_ID', 'TIKTOK_APP_SECRET', { TIKTOK_APP_SECRET: 'tt-secret' }],
		['GOOGLE_CLIENT_SECRET', 'GOOGLE_CLIENT_ID', { GOOGLE_CLIENT_ID: 'client' }],
	])('refuses half a provider app: %s is required when %s is set', (missing, given, env) => {
		expect(configError({ ...valid, ...env })).toBe(`Configuration error: ${missing} is required when ${given} is set`);
	});

	it('reads every setting', () => {
		expect(
			loadConfig({
				...valid,
				REDIS_URL: 'rediss://cache:6380',
				PORT: '0',
				LOG_LEVEL: 'debug',
				HUB_BODY_LIMIT: '256kb',
			}),
		).toMatchObject({ redisUrl: 'rediss://cache:6380', port: 0, logLevel: 'debug', bodyLimit: '256kb' });
	});

	it('names a missing DATABASE_URL in one line with an example', () => {
		expect(configError({})).toBe('Configuration error: DATABASE_URL is required (postgres://user:pass@host:5432/db)');
	});

	it.each([
		['DATABASE_URL', { DATABASE_URL: 'mysql://hub:s3cret@db/hub' }],
		['REDIS_URL', { ...valid, REDIS_URL: 'localhost:6379' }],
		['PORT', { ...valid, PORT: 'eighty' }],
		['PORT', { ...valid, PORT: '70000' }],
		['LOG_LEVEL', { ...valid, LOG_LEVEL: 'verbose' }],
		['HUB_BODY_LIMIT', { ...valid, HUB_BODY_LIMIT: 'huge' }],
		['JWT_SECRET', { ...valid, JWT_SECRET: 'too-short' }],
		['JWT_ACCESS_EXPIRY', { ...valid, JWT_ACCESS_EXPIRY: '15 minutes' }],
		['JWT_REFRESH_EXPIRY', { ...valid, JWT_REFRESH_EXPIRY: '0d' }],
		['API_KEY_ROTATION_GRACE', { ...valid, API_KEY_ROTATION_GRACE: '-5m' }],
		['HANDOVER_IDLE_RELEASE', { ...valid, HANDOVER_IDLE_RELEASE: '30 minutes' }],
		['AI_ANSWER_CACHE_TTL', { ...valid, AI_ANSWER_CACHE_TTL: '3600' }],
		['AI_ANSWER_CACHE_TTL', { ...valid, AI_ANSWER_CACHE_TTL: '5w' }],
		['META_GRAPH_VERSION', { ...valid, META_GRAPH_VERSION: '23' }],
		['GOOGLE_OAUTH_URL', { ...valid, GOOGLE_OAUTH_URL: 'oauth2.googleapis.com' }],
		['YOUTUBE_DAILY_QUOTA', { ...valid, YOUTUBE_DAILY_QUOTA: 'lots' }],
	])('names a malformed %s in one line', (setting, env) => {
		const message = configError(env);
		expect(message).toMatch(new RegExp(`^Configuration error: ${setting} `));
		expect(message).not.toContain('\n');
	});

	it('requires JWT_SECRET and reads the auth durations', () => {
		expect(configError({ DATABASE_URL: valid.DATABASE_URL })).toBe(
			'Configuration error: JWT_SECRET is required (openssl rand -base64 32)',
		);
		expect(
			loadConfig({ ...valid, JWT_ACCESS_EXPIRY: '90s', JWT_REFRESH_EXPIRY: '12h', API_KEY_ROTATION_GRACE: '2d' }).auth,
		).toMatchObject({ accessTokenTtlSeconds: 90, refreshTokenTtlSeconds: 43_200, apiKeyRotationGraceSeconds: 172_800 });
		expect(loadConfig({ ...valid, JWT_REFRESH_EXPIRY: '2w' }).auth.refreshTokenTtlSeconds).toBe(1_209_600);
	});

	it('reads the idle release of handovers, its sweep a tenth of it and at most 30 s', () => {
		expect(loadConfig({ ...valid, HANDOVER_IDLE_RELEASE: '2h' }).conversations).toEqual({
			idleReleaseSeconds: 7_200,
			sweepIntervalMs: 30_000,
		});
		expect(loadConfig({ ...valid, HANDOVER_IDLE_RELEASE: '90s' }).conversations).toEqual({
			idleReleaseSeconds: 90,
			sweepIntervalMs: 9_000,
		});
	});

	it('reads the answer cache TTL in the duration notation; 0 turns the cache off', () => {
		expect(loadConfig({ ...valid, AI_ANSWER_CACHE_TTL: '6h' }).answerCache).toEqual({ ttlSeconds: 21_600 });
		expect(loadConfig({ ...valid, AI_ANSWER_CACHE_TTL: '30d' }).answerCache).toEqual({ ttlSeconds: 2_592_000 });
		expect(loadConfig({ ...valid, AI_ANSWER_CACHE_TTL: '0' }).answerCache).toEqual({ ttlSeconds: 0 });
		expect(configError({ ...valid, AI_ANSWER_CACHE_TTL: '31d' })).toBe(
			'Configuration error: AI_ANSWER_CACHE_TTL must be at most 30d (e.g. 24h, or 0 to turn the answer cache off)',
		);
		expect(configError({ ...valid, AI_ANSWER_CACHE_TTL: '1 day' })).toBe(
			'Configuration error: AI_ANSWER_CACHE_TTL must be 0 (off) or a duration such as 30m, 12h or 1d (e.g. 24h, or 0 to turn the answer cache off)',
		);
	});

	it('reads per-plan model request limits (AI_REQUESTS_PER_MINUTE) and refuses a malformed list, naming the entry', () => {
		expect(loadConfig({ ...valid, AI_REQUESTS_PER_MINUTE: 'ultra=600, premium=90' }).aiRequestsPerMinute).toEqual({
			ultra: 600,
			premium: 90,
		});
		expect(configError({ ...valid, AI_REQUESTS_PER_MINUTE: 'gold=5' })).toContain('"gold=5" is not <plan>=<whole number ≥ 1>');
		expect(configError({ ...valid, AI_REQUESTS_PER_MINUTE: 'ultra=5,ultra=6' })).toContain('"ultra=6"');
		expect(configError({ ...valid, AI_REQUESTS_PER_MINUTE: 'ultra=0' })).toContain('"ultra=0"');
	});

	// ms (which reads the durations) also takes these; config.ts says why each is refused.
	it.each(['2 days', '900', '1.5h', '500ms', '1M', '1y', '7D'])('refuses the duration %j, naming the setting', (value) => {
		expect(configError({ ...valid, JWT_REFRESH_EXPIRY: value })).toBe(
			'Configuration error: JWT_REFRESH_EXPIRY must be a duration such as 30s, 15m, 12h, 7d or 2w (e.g. 7d)',
		);
	});

	describe('billing and rate limits', () => {
		const stripe = {
			STRIPE_SECRET_KEY: 'sk_test_123',
			STRIPE_WEBHOOK_SECRET: 'whsec_123',
			STRIPE_PRICE_PREMIUM_MONTHLY: 'price_p_m',
			STRIPE_PRICE_ULTRA_MONTHLY: 'price_u_m',
			STRIPE_PRICE_ULTRA_YEARLY: 'price_u_y',
		};

		it('reads a complete Stripe setup, the fake/proxy URL and the grace period', () => {
			const config = loadConfig({ ...valid, ...stripe, STRIPE_API_URL: 'http://127.0.0.1:12111', BILLING_GRACE_DAYS: '3' });
			expect(config.billing).toMatchObject({
				secretKey: 'sk_test_123',
				webhookSecret: 'whsec_123',
				prices: { premiumMonthly: 'price_p_m', ultraMonthly: 'price_u_m', ultraYearly: 'price_u_y' },
				graceDays: 3,
			});
			expect(config.billing?.apiUrl?.port).toBe('12111');
			expect(loadConfig({ ...valid, ...stripe }).billing).toMatchObject({ apiUrl: null, graceDays: 7 });
		});

		it('refuses half a Stripe setup, naming what is missing', () => {
			expect(configError({ ...valid, ...stripe, STRIPE_PRICE_ULTRA_YEARLY: '' })).toBe(
				'Configuration error: STRIPE_PRICE_ULTRA_YEARLY is required when STRIPE_SECRET_KEY is set',
			);
			expect(configError({ ...valid, ...stripe, STRIPE_WEBHOOK_SECRET: undefined })).toMatch(/STRIPE_WEBHOOK_SECRET/);
			expect(configError({ ...valid, ...stripe, STRIPE_API_URL: 'ftp://x' })).toMatch(/^Configuration error: STRIPE_API_URL /);
		});

		it('reads the rate limits and the Redis namespace', () => {
			expect(
				loadConfig({ ...valid, RATE_LIMIT_PER_MINUTE: '300', AUTH_RATE_LIMIT_PER_MINUTE: '5', REDIS_NAMESPACE: 'eu-1' }),
			).toMatchObject({ rateLimits: { perMinute: 300, authPerMinute: 5 }, redisNamespace: 'eu-1' });
			expect(configError({ ...valid, RATE_LIMIT_PER_MINUTE: '0' })).toMatch(/^Configuration error: RATE_LIMIT_PER_MINUTE /);
			expect(configError({ ...valid, REDIS_NAMESPACE: 'a b' })).toMatch(/^Configuration error: REDIS_NAMESPACE /);
		});
	});

	it('reads the n8n deployment settings; a URL alone leaves deployments off, a key alone is refused', () => {
		const deploy = {
			N8N_URL: 'http://n8n:5678',
			N8N_API_KEY: 'n8n-key',
			HUB_PUBLIC_URL: 'http://hub:3000',
			TEMPLATES_DIR: '/srv/templates',
		};
		expect(loadConfig({ ...valid, ...deploy }).deploy).toEqual({
			n8n: { url: 'http://n8n:5678', apiKey: 'n8n-key' },
			publicUrl: 'http://hub:3000',
			templatesDir: '/srv/templates',
		});
		expect(loadConfig({ ...valid, N8N_URL: 'http://n8n:5678' }).deploy.n8n).toBeNull();
		expect(configError({ ...valid, N8N_API_KEY: 'n8n-key' })).toBe(
			'Configuration error: N8N_URL is required when N8N_API_KEY is set',
		);
		expect(configError({ ...valid, N8N_URL: 'n8n:5678', N8N_API_KEY: 'k' })).toMatch(/^Configuration error: N8N_URL /);
	});

	it('never echoes a setting value, which may hold credentials', () => {
		expect(configError({ ...valid, JWT_SECRET: 'short-secret' })).not.toContain('short-secret');
		expect(configError({ DATABASE_URL: 'mysql://hub:s3cret@db/hub' })).not.toContain('s3cret');
	});
});
