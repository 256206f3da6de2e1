/**
 * The SkyBot YouTube Trigger's poll() in n8n-core's own PollContext (the context n8n gives a polling trigger: its
 * parameters with their defaults, the node's static data, the request helpers with real credential handling and
 * n8n's OAuth2 refresh), against the fake Google. The rules are unit-tested in test/unit/nodes; this proves the node
 * keeps them inside n8n.
 */
import { randomUUID } from 'node:crypto';

import type { ICredentialDataDecryptedObject, INode, INodeExecutionData, IPollFunctions, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { FAKE_GOOGLE_CLIENT, type FakeGoogleYouTube, startFakeGoogleYouTube, YOUTUBE_SCOPES } from '../fakes/google-youtube';
import { loadPackages } from '../support/n8n-in-process';
import { InProcessCredentialsHelper } from '../support/n8n-in-process/credentials-helper';
import { n8nCore } from '../support/n8n-in-process/runtime';

const CHANNEL = 'UCskybotPollChannel00000';

interface PollContextClass {
	new (workflow: Workflow, node: INode, additionalData: IWorkflowExecuteAdditionalData, mode: 'trigger' | 'manual', activation: 'activate'): IPollFunctions;
}

let google: FakeGoogleYouTube;
beforeEach(async () => {
	google = await startFakeGoogleYouTube();
	google.addChannel(CHANNEL, 'SkyBot Poll Channel');
});
afterEach(() => google.close());

/** One activated trigger: each poll() gets a new PollContext over the same workflow (and so the same static data). */
async function activate(credential: ICredentialDataDecryptedObject) {
	const packages = await loadPackages();
	const type = packages.nodeTypes.getByNameAndVersion('n8n-nodes-skybot.skyBotYouTubeTrigger', 1);
	const given = { authentication: 'oAuth2', channelId: CHANNEL, options: { apiBaseUrl: google.url } };
	// n8n stores a node's parameters with its defaults filled in: so does the workflow here.
	const parameters = NodeHelpers.getNodeParameters(type.description.properties, given, true, false, null, null) ?? given;
	const node: INode = {
		id: 'poll',
		name: 'SkyBot YouTube Trigger',
		type: 'n8n-nodes-skybot.skyBotYouTubeTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { youTubeOAuth2Api: { id: 'yt-1', name: 'YouTube' } },
	};
	const workflow = new Workflow({ id: randomUUID(), name: 'poll', nodes: [node], connections: {}, nodeTypes: packages.nodeTypes, active: true, staticData: {} });
	const additionalData = {
		credentialsHelper: new InProcessCredentialsHelper(packages.credentialTypes, { youTubeOAuth2Api: credential }),
		executionId: randomUUID(),
		workflowId: workflow.id,
		variables: {},
		restApiUrl: 'http://127.0.0.1:9/rest',
		instanceBaseUrl: 'http://127.0.0.1:9/',
		webhookBaseUrl: 'http://127.0.0.1:9/webhook',
		webhookTestBaseUrl: 'http://127.0.0.1:9/webhook-test',
		webhookWaitingBaseUrl: 'http://127.0.0.1:9/webhook-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;
	const { PollContext } = n8nCore() as unknown as { PollContext: PollContextClass };
	const poll = async (mode: 'trigger' | 'manual' = 'trigger') => {
		const context = new PollContext(workflow, node, additionalData, mode, 'activate');
		return (await type.poll!.call(context)) as INodeExecutionData[][] | null;
	};
	return { poll, staticData: () => workflow.getStaticData('node', node) };
}

function credential(): ICredentialDataDecryptedObject {
	const tokens = google.issueTokens(CHANNEL);
	return {
		clientId: FAKE_GOOGLE_CLIENT.clientId,
		clientSecret: FAKE_GOOGLE_CLIENT.clientSecret,
		accessTokenUrl: google.oauthEndpoints.oauth2TokenUrl,
		authUrl: google.oauthEndpoints.oauth2AuthBaseUrl,
		scope: YOUTUBE_SCOPES.forceSsl,
		authentication: 'body',
		grantType: 'authorizationCode',
		oauthTokenData: { access_token: tokens.accessToken, refresh_token: tokens.refreshToken, token_type: 'Bearer' },
	};
}

describe('SkyBot YouTube Trigger in n8n-core', () => {
	it('keeps its watermark in static data, emits only new comments, and survives a token refresh', async () => {
		google.addComment(CHANNEL, { author: 'old', text: 'before activation', publishedAt: '2026-12-01T09:00:00Z' });
		const trigger = await activate(credential());
		expect(await trigger.poll()).toBeNull();
		expect(trigger.staticData()).toMatchObject({ watermarks: { [CHANNEL]: { channelId: CHANNEL, publishedAt: '2026-12-01T09:00:00.000Z' } } });

		const comment = google.addComment(CHANNEL, { author: '@fan', authorChannelId: 'UCfan', text: 'Quel prix ?' });
		google.expireTokens();
		const emitted = await trigger.poll();
		expect(google.refreshes).toHaveLength(1);
		expect(emitted?.[0]?.map((item) => item.json)).toEqual([
			expect.objectContaining({ provider: 'youtube', kind: 'comment', messageId: comment.commentId, accountExternalId: CHANNEL, text: 'Quel prix ?', contact: { externalId: 'UCfan', name: '@fan', handle: '@fan' } }),
		]);
		expect(await trigger.poll()).toBeNull();

		const manual = await trigger.poll('manual');
		expect(manual?.[0]?.[0]?.json).toMatchObject({ messageId: comment.commentId });
	});

	it('backs off on quotaExceeded without throwing', async () => {
		const trigger = await activate(credential());
		await trigger.poll();
		google.setQuotaExceeded(true);
		expect(await trigger.poll()).toBeNull();
		expect(Date.parse(String(trigger.staticData().quotaBackoffUntil))).toBeGreaterThan(Date.now());
	});
});
