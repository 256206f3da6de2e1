/**
 * Proves the in-process harness on a small fixture made of n8n-nodes-base nodes: the If routes for real, the HTTP
 * Request node authenticates with the openAiApi credential type's own `authenticate` (so the fake sees the Bearer
 * key), and an HTTP failure flows to the error output.
 */
import { join } from 'node:path';

import { type FakeOpenAi, startFakeOpenAi } from '../fakes/openai';
import { readWorkflowJson, runWorkflow } from '../support/n8n-in-process';

const fixture = readWorkflowJson(join(__dirname, 'fixtures', 'ask-openai.workflow.json'));

let openai: FakeOpenAi;

beforeAll(async () => {
	openai = await startFakeOpenAi();
});
afterAll(() => openai.close());

function credentials(apiKey = openai.apiKey) {
	return { openAiApi: { apiKey, url: openai.baseUrl } };
}

describe('in-process workflow harness', () => {
	it('runs the nodes downstream of the injected trigger items, with the credential applied to HTTP calls', async () => {
		const result = await runWorkflow({
			workflowJson: fixture,
			triggerItems: [
				{ text: 'Bonjour, vous êtes ouverts dimanche ?', openAiBaseUrl: openai.baseUrl },
				{ text: '', openAiBaseUrl: openai.baseUrl },
			],
			credentials: credentials(),
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.outputsOf('Start')).toHaveLength(2);
		expect(result.outputsOf('Nothing to answer')).toEqual([{ text: '', openAiBaseUrl: openai.baseUrl }]);
		expect(result.outputsOf('Keep reply')).toEqual([
			expect.objectContaining({ reply: expect.stringContaining('Bonjour, vous êtes ouverts dimanche ?') }),
		]);
		const call = openai.requests.at(-1)!;
		expect(call.headers.authorization).toBe(`Bearer ${openai.apiKey}`);
		expect(call.json).toEqual({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Bonjour, vous êtes ouverts dimanche ?' }] });
		expect(result.executedNodes).toEqual(expect.arrayContaining(['Start', 'Has text?', 'Ask OpenAI', 'Keep reply', 'Nothing to answer']));
		expect(result.executedNodes).not.toContain('AI failed');
	});

	it('sends the error of a refused call down the error output', async () => {
		const result = await runWorkflow({
			workflowJson: fixture,
			triggerItems: [{ text: 'Salut', openAiBaseUrl: openai.baseUrl }],
			credentials: credentials('sk-not-the-right-key'),
		});

		expect(result.status).toBe('success');
		expect(result.outputsOf('Keep reply')).toEqual([]);
		const [failure] = result.outputsOf('Ask OpenAI', 1);
		expect(JSON.stringify(failure)).toContain('401');
		expect(openai.requests.at(-1)!.status).toBe(401);
	});

	it('names the missing credential type when a node needs credentials the test did not give', async () => {
		const calls = openai.requests.length;
		const result = await runWorkflow({ workflowJson: fixture, triggerItems: [{ text: 'Salut', openAiBaseUrl: openai.baseUrl }] });

		const [failure] = result.outputsOf('Ask OpenAI', 1) as { error: { message: string } }[];
		expect(failure!.error.message).toBe('No test credentials of type "openAiApi" were given to runWorkflow()');
		expect(openai.requests).toHaveLength(calls);
	});
});
