import { randomBytes } from 'node:crypto';

import type { CredentialSpec } from '../n8n-runtime/bootstrap.ts';

/** A setting `npm start` cannot work with; the message is the one line to print. */
export class StartConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'StartConfigError';
	}
}

export interface StartConfig {
	/** External PostgreSQL for the hub; undefined means the embedded one under .skybot/postgres. */
	databaseUrl: string | undefined;
	redisUrl: string;
	hubPort: number;
	n8nPort: number;
	logLevel: string;
	/** n8n queue-mode workers; 0 runs n8n as a single main process. */
	n8nWorkers: number;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
	const raw = env[name]?.trim();
	if (!raw) return fallback;
	if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
		throw new StartConfigError(`${name} must be a port number between 1 and 65535 (e.g. ${fallback})`);
	}
	return Number(raw);
}

function urlSetting(env: NodeJS.ProcessEnv, name: string, protocols: string[], example: string): string | undefined {
	const raw = env[name]?.trim();
	if (!raw) return undefined;
	let protocol: string;
	try {
		protocol = new URL(raw).protocol;
	} catch {
		throw new StartConfigError(`${name} is not a valid URL (e.g. ${example})`);
	}
	if (!protocols.includes(protocol)) {
		throw new StartConfigError(`${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL (e.g. ${example})`);
	}
	return raw;
}

/** Reads `npm start`'s settings; throws StartConfigError naming the first bad one (never echoing its value). */
export function resolveStartConfig(env: NodeJS.ProcessEnv): StartConfig {
	const workersRaw = env.SKYBOT_N8N_WORKERS?.trim() || '0';
	if (!/^\d+$/.test(workersRaw)) throw new StartConfigError('SKYBOT_N8N_WORKERS must be a whole number (0 = no queue mode)');
	const config: StartConfig = {
		databaseUrl: urlSetting(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], 'postgres://user:pass@localhost:5432/skybot'),
		redisUrl: urlSetting(env, 'REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379') ?? 'redis://127.0.0.1:6379',
		hubPort: port(env, 'PORT', 3000),
		n8nPort: port(env, 'N8N_PORT', 5678),
		logLevel: env.LOG_LEVEL?.trim() || 'info',
		n8nWorkers: Number(workersRaw),
	};
	if (config.hubPort === config.n8nPort) throw new StartConfigError(`PORT and N8N_PORT are both ${config.hubPort}; give them different ports`);
	return config;
}

/** A URL safe to print: the password replaced by `***`. */
export function redactUrl(url: string): string {
	try {
		const parsed = new URL(url);
		if (parsed.password) parsed.password = '***';
		return parsed.toString().replace(/\/$/, '');
	} catch {
		return '(unparseable URL)';
	}
}

/** Values `npm start` generates once and keeps in .skybot/state.json. */
export interface GeneratedSecrets {
	metaVerifyToken: string;
}

export function generateSecrets(): GeneratedSecrets {
	return { metaVerifyToken: randomBytes(16).toString('hex') };
}

export interface PipelineCredentials {
	specs: CredentialSpec[];
	/** Environment variables that were not set, so their credential fields hold placeholders. */
	placeholders: string[];
}

/**
 * The n8n credentials the pipeline workflow references (by these names and types): the hub (URL + platform key),
 * the Meta app and OpenAI. Unset secrets become a visible placeholder rather than an empty string, so a request made
 * with them fails loudly at the provider instead of looking like a configuration bug in the node.
 */
export function pipelineCredentials(input: {
	hubUrl: string;
	platformApiKey: string;
	env: NodeJS.ProcessEnv;
	generated: GeneratedSecrets;
	/** The hub's SKYBOT_WEBHOOK_SECRET: the pipeline signs its execution reports with it. */
	webhookSecret?: string;
}): PipelineCredentials {
	const { env } = input;
	const placeholders: string[] = [];
	const secret = (name: string) => {
		const value = env[name]?.trim();
		if (value) return value;
		placeholders.push(name);
		return `placeholder-set-${name}`;
	};
	return {
		specs: [
			{
				name: 'SkyBot Hub API',
				type: 'skyBotHubApi',
				data: {
					baseUrl: input.hubUrl,
					apiKey: input.platformApiKey,
					...(input.webhookSecret ? { webhookSecret: input.webhookSecret } : {}),
				},
			},
			{
				name: 'Meta App',
				type: 'skyBotMetaAppApi',
				data: {
					appSecret: secret('META_APP_SECRET'),
					verifyToken: env.META_VERIFY_TOKEN?.trim() || input.generated.metaVerifyToken,
					accessToken: secret('META_ACCESS_TOKEN'),
					graphBaseUrl: env.META_GRAPH_URL?.trim() || 'https://graph.facebook.com',
					graphVersion: env.META_GRAPH_VERSION?.trim() || 'v23.0',
				},
			},
			{
				// The TikTok entry workflow's trigger checks deliveries with the app the hub connects accounts through.
				name: 'TikTok App',
				type: 'skyBotTikTokAppApi',
				data: { clientKey: secret('TIKTOK_APP_ID'), appSecret: secret('TIKTOK_APP_SECRET') },
			},
			{
				name: 'OpenAI',
				type: 'openAiApi',
				data: {
					apiKey: secret('OPENAI_API_KEY'),
					url: env.OPENAI_BASE_URL?.trim() || 'https://api.openai.com/v1',
					header: false,
				},
			},
		],
		placeholders,
	};
}
