import { StartConfigError, pipelineCredentials, redactUrl, resolveStartConfig } from '../../../scripts/lib/start-config.ts';

describe('resolveStartConfig', () => {
	it('defaults to the embedded PostgreSQL, local Redis, hub on 3000 and n8n on 5678', () => {
		expect(resolveStartConfig({})).toEqual({
			databaseUrl: undefined,
			redisUrl: 'redis://127.0.0.1:6379',
			hubPort: 3000,
			n8nPort: 5678,
			logLevel: 'info',
			n8nWorkers: 0,
		});
	});

	it('takes the settings from the environment', () => {
		expect(
			resolveStartConfig({
				DATABASE_URL: 'postgres://u:p@db:5432/skybot',
				REDIS_URL: 'redis://cache:6380/1',
				PORT: '3100',
				N8N_PORT: '5700',
				LOG_LEVEL: 'debug',
				SKYBOT_N8N_WORKERS: '2',
			}),
		).toEqual({
			databaseUrl: 'postgres://u:p@db:5432/skybot',
			redisUrl: 'redis://cache:6380/1',
			hubPort: 3100,
			n8nPort: 5700,
			logLevel: 'debug',
			n8nWorkers: 2,
		});
	});

	it.each([
		[{ PORT: 'abc' }, /^PORT must be a port number/],
		[{ N8N_PORT: '70000' }, /^N8N_PORT must be a port number/],
		[{ PORT: '4000', N8N_PORT: '4000' }, /PORT and N8N_PORT are both 4000/],
		[{ DATABASE_URL: 'mysql://u:secret@h/db' }, /^DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
		[{ DATABASE_URL: 'nope' }, /^DATABASE_URL is not a valid URL/],
		[{ REDIS_URL: 'http://cache' }, /^REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
		[{ SKYBOT_N8N_WORKERS: 'two' }, /^SKYBOT_N8N_WORKERS must be a whole number/],
	])('stops with one line naming the bad setting for %p', (env, message) => {
		expect(() => resolveStartConfig(env)).toThrow(StartConfigError);
		expect(() => resolveStartConfig(env)).toThrow(message);
	});

	it('never echoes a setting value, which may hold a password', () => {
		expect(() => resolveStartConfig({ DATABASE_URL: 'mysql://u:hunter2@h/db' })).toThrow(
			expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
		);
	});
});

describe('redactUrl', () => {
	it('hides the password and keeps the rest', () => {
		expect(redactUrl('postgres://app:hunter2@db:5432/skybot')).toBe('postgres://app:***@db:5432/skybot');
		expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
	});
});

describe('pipelineCredentials', () => {
	const generated = { metaVerifyToken: 'generated-token' };

	it('fills the hub credential and marks every unset secret as a placeholder', () => {
		const { specs, placeholders } = pipelineCredentials({
			hubUrl: 'http://localhost:3000',
			platformApiKey: 'skb_key',
			env: {},
			generated,
		});
		expect(specs.map((spec) => [spec.name, spec.type])).toEqual([
			['SkyBot Hub API', 'skyBotHubApi'],
			['Meta App', 'skyBotMetaAppApi'],
			['TikTok App', 'skyBotTikTokAppApi'],
			['OpenAI', 'openAiApi'],
		]);
		expect(specs[0].data).toEqual({ baseUrl: 'http://localhost:3000', apiKey: 'skb_key' });
		expect(specs[1].data).toMatchObject({
			appSecret: 'placeholder-set-META_APP_SECRET',
			verifyToken: 'generated-token',
			graphBaseUrl: 'https://graph.facebook.com',
		});
		expect(specs[2].data).toEqual({ clientKey: 'placeholder-set-TIKTOK_APP_ID', appSecret: 'placeholder-set-TIKTOK_APP_SECRET' });
		expect(specs[3].data).toMatchObject({ apiKey: 'placeholder-set-OPENAI_API_KEY', url: 'https://api.openai.com/v1' });
		expect(placeholders).toEqual(['META_APP_SECRET', 'META_ACCESS_TOKEN', 'TIKTOK_APP_ID', 'TIKTOK_APP_SECRET', 'OPENAI_API_KEY']);
	});

	it("gives the hub credential the hub's webhook secret, so execution reports are signed", () => {
		const { specs } = pipelineCredentials({
			hubUrl: 'http://localhost:3000',
			platformApiKey: 'skb_key',
			env: {},
			generated,
			webhookSecret: 'whsk',
		});
		expect(specs[0].data).toEqual({ baseUrl: 'http://localhost:3000', apiKey: 'skb_key', webhookSecret: 'whsk' });
	});

	it('uses the Meta, TikTok and OpenAI settings when they are set', () => {
		const { specs, placeholders } = pipelineCredentials({
			hubUrl: 'http://localhost:3000',
			platformApiKey: 'skb_key',
			env: {
				META_APP_SECRET: 's',
				META_VERIFY_TOKEN: 'v',
				META_ACCESS_TOKEN: 'a',
				META_GRAPH_URL: 'http://127.0.0.1:9000',
				OPENAI_API_KEY: 'o',
				OPENAI_BASE_URL: 'http://127.0.0.1:9001/v1',
				TIKTOK_APP_ID: 'tt',
				TIKTOK_APP_SECRET: 'tts',
			},
			generated,
		});
		expect(specs[1].data).toEqual({
			appSecret: 's',
			verifyToken: 'v',
			accessToken: 'a',
			graphBaseUrl: 'http://127.0.0.1:9000',
			graphVersion: 'v23.0',
		});
		expect(specs[2].data).toEqual({ clientKey: 'tt', appSecret: 'tts' });
		expect(specs[3].data).toEqual({ apiKey: 'o', url: 'http://127.0.0.1:9001/v1', header: false });
		expect(placeholders).toEqual([]);
	});
});
