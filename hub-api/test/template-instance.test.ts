import { defaultTemplatesDir, loadTemplateCatalogue } from '../src/modules/templates/template-catalogue';
import {
	credentialFor,
	placeholderProblem,
	validateConfig,
	validateStoredConfig,
	withoutSecrets,
	workflowFor,
} from '../src/modules/templates/template-instance';

/** The placeholder words and what an install makes of a template, without n8n or a database. */
const words = {
	configFields: new Set(['model', 'openAiApiKey']),
	secretFields: new Set(['openAiApiKey']),
	credentialKeys: new Set(['openAi']),
};

describe('placeholder words', () => {
	it.each([
		['agent.id', 'workflow'],
		['agent.webhookPath', 'workflow'],
		['account.id', 'credential'],
		['config.model', 'workflow'],
		['config.openAiApiKey', 'credential'],
		['hub.apiKey', 'credential'],
		['hub.webhookSecret', 'credential'],
		['credentials.openAi.id', 'workflow'],
		['credentials.openAi.name', 'workflow'],
	] as const)('%s may stand in %s', (path, site) => {
		expect(placeholderProblem(path, site, words)).toBeNull();
	});

	it.each([
		['hub.apiKey', 'workflow', 'unknown'],
		['hub.url', 'workflow', 'unknown'],
		['config.openAiApiKey', 'workflow', 'secret'],
		['config.missing', 'credential', 'unknown'],
		['config.model.deeper', 'workflow', 'unknown'],
		['credentials.openAi.id', 'credential', 'unknown'],
		['credentials.other.id', 'workflow', 'unknown'],
		['credentials.openAi.secret', 'workflow', 'unknown'],
		['agent.secret', 'workflow', 'unknown'],
		// Object.prototype's names are not configuration fields.
		['config.constructor', 'credential', 'unknown'],
	] as const)('%s in %s is refused as %s', (path, site, problem) => {
		expect(placeholderProblem(path, site, words)).toBe(problem);
	});
});

describe('installing a shipped template', () => {
	const template = loadTemplateCatalogue(defaultTemplatesDir()).get('inbound-dm-auto-responder')!;
	const secrets = { metaAppSecret: 's'.repeat(32), metaVerifyToken: 'verify', metaAccessToken: 'EAAB', openAiApiKey: 'sk-x' };
	const config = validateConfig(template, { businessName: 'Ada Bakery', ...secrets });
	const target = { agentId: 'a1b2', agentName: 'Ada', accountId: 'acc-1', config };

	it('fills credential data, secrets and the hub access included, and names the credential after the agent', () => {
		const hub = { url: 'http://hub:3000', apiKey: 'skb_key', webhookSecret: 'w'.repeat(32) };
		const credentials = template.manifest.credentials.map((spec) => credentialFor(template, spec, target, hub));
		const text = JSON.stringify(credentials);
		expect(text).not.toContain('{{skybot:');
		expect(text).toContain('skb_key');
		expect(text).toContain('sk-x');
		for (const [index, spec] of template.manifest.credentials.entries()) {
			expect(credentials[index]).toMatchObject({ name: `${spec.name} · agent a1b2`, type: spec.type });
		}
	});

	it('fills the workflow with the agent, its webhook path and the credential ids, and no secret', () => {
		const ids = Object.fromEntries(template.manifest.credentials.map((spec, index) => [spec.key, `cred-${index}`]));
		const workflow = workflowFor(template, target, ids);
		const text = JSON.stringify(workflow);
		expect(text).not.toContain('{{skybot:');
		expect(text).toContain('skybot/a1b2/meta');
		expect(text).toContain('Ada Bakery');
		for (const id of Object.values(ids)) expect(text).toContain(`"${id}"`);
		for (const secret of Object.values(secrets)) expect(text).not.toContain(secret);
		expect(workflow.settings).toBeDefined();
	});

	it('keeps the configuration without its secrets, and checks a stored one without requiring them', () => {
		const stored = withoutSecrets(template, config);
		expect(Object.keys(stored).some((field) => template.secretFields.has(field))).toBe(false);
		expect(validateStoredConfig(template, stored)).toEqual(stored);
		expect(() => validateStoredConfig(template, { ...stored, unexpected: 1 })).toThrow(
			expect.objectContaining({ status: 409, code: 'config_incompatible' }),
		);
	});

	it('refuses a configuration missing a secret with 422 naming the field', () => {
		const withoutKey: Record<string, unknown> = { businessName: 'Ada Bakery', ...secrets };
		delete withoutKey.openAiApiKey;
		expect(() => validateConfig(template, withoutKey)).toThrow(
			expect.objectContaining({
				status: 422,
				details: expect.arrayContaining([expect.objectContaining({ path: 'body.config.openAiApiKey', code: 'required' })]),
			}),
		);
	});
});

describe('the follow-up sequence 2.0.0', () => {
	const template = loadTemplateCatalogue(defaultTemplatesDir()).get('follow-up-sequence')!;
	const secrets = { metaAppSecret: 's', metaVerifyToken: 'v', metaAccessToken: 'EAAB', openAiApiKey: 'sk-x' };

	it('upgrades a 1.0.0 agent: its stored configuration fits, the new steps get their defaults', () => {
		const storedAt100 = {
			businessName: 'Ada Bakery',
			businessContext: '',
			model: 'gpt-4o-mini',
			floodWindowMinutes: 5,
			everyHours: 4,
			idleDays: 3,
			maxFollowUps: 3,
			graphBaseUrl: 'https://graph.facebook.com',
			openAiBaseUrl: 'https://api.openai.com/v1',
		};
		expect(validateStoredConfig(template, storedAt100)).toMatchObject({ checkEveryMinutes: 10, followUpAfterHours: '1, 20' });
	});

	it('puts the steps and the interval into the workflow as given', () => {
		const config = validateConfig(template, { businessName: 'Ada', followUpAfterHours: '2, 12.5', checkEveryMinutes: 5, ...secrets });
		const workflow = workflowFor(template, { agentId: 'a1', agentName: 'Ada', accountId: 'acc', config }, {});
		const node = (name: string) => workflow.nodes.find((candidate) => candidate.name === name) as { parameters: Record<string, unknown> };
		expect(node('Every few minutes').parameters).toEqual({ rule: { interval: [{ field: 'minutes', minutesInterval: 5 }] } });
		for (const name of ['List leads due', 'List closed windows']) {
			expect(node(name).parameters.filters).toMatchObject({ followUpAfterHours: '2, 12.5', followUpCountBelow: 3, windowHours: 24 });
		}
	});

	it.each([['24'], ['0'], ['1, 24'], ['1 20'], ['soon'], ['1,2,3,4,5,6,7,8,9,10,11']])(
		'refuses the steps "%s": each a number of hours under 24, at most 10',
		(followUpAfterHours) => {
			expect(() => validateConfig(template, { businessName: 'Ada', followUpAfterHours, ...secrets })).toThrow(
				expect.objectContaining({
					status: 422,
					details: [expect.objectContaining({ path: 'body.config.followUpAfterHours', code: 'pattern' })],
				}),
			);
		},
	);
});
