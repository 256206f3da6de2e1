import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	defaultTemplatesDir,
	loadTemplateCatalogue,
	TemplateLoadError,
} from '../src/modules/templates/template-catalogue';
import { placeholdersIn, substitute } from '../src/modules/templates/placeholders';
import { startTestHub, type TestHub } from './support';
import { expectDocumented } from './support/documented';

let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub();
});
afterAll(() => hub?.close());

describe('GET /api/templates', () => {
	it('lists the catalogue with manifest fields and each configuration schema', async () => {
		const { apiKey } = await hub.createTenant();
		const response = await hub.request('/api/templates', { key: apiKey.key });
		expect(response.status).toBe(200);
		expectDocumented(response, 'get', '/api/templates');
		const slugs = response.body.templates.map((template: { slug: string }) => template.slug).sort();
		expect(slugs).toEqual(['follow-up-sequence', 'inbound-dm-auto-responder', 'instagram-comment-to-dm', 'lead-qualifier', 'youtube-comment-responder']);
		const responder = response.body.templates.find((t: { slug: string }) => t.slug === 'inbound-dm-auto-responder');
		expect(responder).toMatchObject({
			name: 'Inbound DM auto-responder',
			category: 'SUPPORT',
			version: '1.0.0',
			premium: false,
			icon: expect.any(String),
			useCases: expect.arrayContaining([expect.any(String)]),
			requiredCredentials: [
				{ key: 'hub', type: 'skyBotHubApi', name: 'SkyBot Hub API' },
				{ key: 'metaApp', type: 'skyBotMetaAppApi', name: 'Meta App' },
				{ key: 'openAi', type: 'openAiApi', name: 'OpenAI' },
			],
		});
		expect(responder.configSchema.properties.metaAppSecret.writeOnly).toBe(true);
		expect(responder.configSchema.required).toContain('businessName');
	});

	it('filters by category and by premium', async () => {
		const { apiKey } = await hub.createTenant();
		const sales = await hub.request('/api/templates?category=SALES', { key: apiKey.key });
		expect(sales.body.templates.map((t: { slug: string }) => t.slug).sort()).toEqual(['follow-up-sequence', 'lead-qualifier']);
		const free = await hub.request('/api/templates?premium=false', { key: apiKey.key });
		expect(free.body.templates.every((t: { premium: boolean }) => !t.premium)).toBe(true);
		expect(free.body.templates).toHaveLength(3);
		const none = await hub.request('/api/templates?category=LEGAL&premium=true', { key: apiKey.key });
		expect(none.body.templates).toEqual([]);
	});

	it('refuses an unknown category or premium value with 422', async () => {
		const { apiKey } = await hub.createTenant();
		const category = await hub.request('/api/templates?category=sales', { key: apiKey.key });
		expect(category.status).toBe(422);
		expect(category.body.error.details[0].path).toBe('query.category');
		expect((await hub.request('/api/templates?premium=yes', { key: apiKey.key })).status).toBe(422);
	});

	it('answers one template by slug, 404 for an unknown one, 401 without credentials', async () => {
		const { apiKey } = await hub.createTenant();
		const found = await hub.request('/api/templates/lead-qualifier', { key: apiKey.key });
		expect(found.status).toBe(200);
		expectDocumented(found, 'get', '/api/templates/{slug}');
		expect(found.body.template).toMatchObject({ slug: 'lead-qualifier', category: 'SALES', premium: true });
		const missing = await hub.request('/api/templates/nope', { key: apiKey.key });
		expect(missing.status).toBe(404);
		expect(missing.body.error.code).toBe('template_not_found');
		expect((await hub.request('/api/templates')).status).toBe(401);
	});
});

describe('placeholders', () => {
	const values: Record<string, string | number | undefined> = { 'agent.id': 'a-1', 'config.minutes': 5, 'config.unset': undefined };
	const resolve = (path: string) => values[path];

	it('gives a whole-string placeholder the value itself, drops an absent one, and fills longer strings with text', () => {
		expect(
			substitute(
				{
					id: '{{skybot:agent.id}}',
					minutes: '{{skybot:config.minutes}}',
					gone: '{{skybot:config.unset}}',
					path: 'skybot/{{skybot:agent.id}}/meta every {{skybot:config.minutes}} min{{skybot:config.unset}}',
					list: ['{{skybot:config.minutes}}', 'plain'],
					expression: '={{ $json.text }} for {{skybot:agent.id}}',
				},
				resolve,
			),
		).toEqual({
			id: 'a-1',
			minutes: 5,
			path: 'skybot/a-1/meta every 5 min',
			list: [5, 'plain'],
			expression: '={{ $json.text }} for a-1',
		});
	});

	it('lists every placeholder with where it is', () => {
		expect(placeholdersIn({ nodes: [{ parameters: { path: 'x/{{skybot:agent.id}}' } }], other: '{{ $json.a }}' })).toEqual([
			{ path: 'agent.id', at: 'nodes[0].parameters.path' },
		]);
	});
});

describe('loading the catalogue', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'skybot-templates-'));
		cpSync(join(defaultTemplatesDir(), 'inbound-dm-auto-responder'), join(dir, 'inbound-dm-auto-responder'), {
			recursive: true,
		});
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	const edit = (file: string, change: (json: Record<string, unknown>) => void) => {
		const path = join(dir, 'inbound-dm-auto-responder', file);
		const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
		change(json);
		writeFileSync(path, JSON.stringify(json));
	};
	const loadError = () => {
		try {
			loadTemplateCatalogue(dir);
		} catch (error) {
			expect(error).toBeInstanceOf(TemplateLoadError);
			return (error as Error).message;
		}
		throw new Error('the catalogue loaded');
	};

	it('loads the repository templates', () => {
		const catalogue = loadTemplateCatalogue(defaultTemplatesDir());
		expect([...catalogue.keys()].sort()).toEqual([
			'follow-up-sequence',
			'inbound-dm-auto-responder',
			'instagram-comment-to-dm',
			'lead-qualifier',
			'youtube-comment-responder',
		]);
		expect([...catalogue.get('youtube-comment-responder')!.secretFields]).toEqual(['openAiApiKey']);
		expect([...catalogue.get('inbound-dm-auto-responder')!.secretFields].sort()).toEqual([
			'metaAccessToken',
			'metaAppSecret',
			'metaVerifyToken',
			'openAiApiKey',
		]);
	});

	it('names the manifest and the problem: unknown category', () => {
		edit('manifest.json', (manifest) => (manifest.category = 'SHOPPING'));
		expect(loadError()).toMatch(/manifest\.json: category/);
	});

	it('refuses a slug that does not match its folder', () => {
		edit('manifest.json', (manifest) => (manifest.slug = 'other'));
		expect(loadError()).toContain('must match its folder');
	});

	it('refuses a placeholder the hub cannot fill', () => {
		edit('inbound-dm-auto-responder.workflow.json', (workflow) => {
			(workflow.nodes as { parameters: Record<string, unknown> }[])[1]!.parameters.path = '{{skybot:agent.secret}}';
		});
		expect(loadError()).toContain('unknown placeholder {{skybot:agent.secret}}');
	});

	it('refuses a secret configuration field used in the workflow (it would be stored in plain text)', () => {
		edit('inbound-dm-auto-responder.workflow.json', (workflow) => {
			(workflow.nodes as { parameters: Record<string, unknown> }[])[1]!.parameters.path = '{{skybot:config.metaAppSecret}}';
		});
		expect(loadError()).toContain('uses the secret field metaAppSecret');
	});

	it('refuses an invalid configuration schema', () => {
		edit('manifest.json', (manifest) => {
			(manifest.configSchema as { properties: Record<string, unknown> }).properties.model = { type: 'strnig' };
		});
		expect(loadError()).toContain('configSchema is not a valid JSON Schema');
	});
});
