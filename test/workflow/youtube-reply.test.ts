/**
 * The YouTube node inside n8n-core's own engine, with n8n's own youTubeOAuth2Api credential type: proves on the real
 * requestOAuth2 (not an emulation) that the node's 401 reaches n8n as a thrown error, that n8n refreshes the token at
 * the credential's token URL and repeats the call, and that a refresh Google refuses ends as a readable item error.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { FAKE_GOOGLE_CLIENT, type FakeGoogleYouTube, startFakeGoogleYouTube, YOUTUBE_SCOPES } from '../fakes/google-youtube';
import { runWorkflow, type WorkflowJson } from '../support/n8n-in-process';

const CHANNEL = 'UCskybotWorkflowChannel0';

const workflowJson: WorkflowJson = {
	name: 'YouTube reply',
	nodes: [
		{ id: 't', name: 'Comment', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'r',
			name: 'Reply',
			type: 'n8n-nodes-skybot.skyBotYouTube',
			typeVersion: 1,
			position: [200, 0],
			parameters: {
				authentication: 'oAuth2',
				resource: 'comment',
				operation: 'reply',
				replyTo: 'item',
				options: { apiBaseUrl: '={{ $json.apiBaseUrl }}' },
			},
			credentials: { youTubeOAuth2Api: { id: 'yt-1', name: 'YouTube' } },
			onError: 'continueRegularOutput',
		},
	],
	connections: { Comment: { main: [[{ node: 'Reply', type: 'main', index: 0 }]] } },
};

let google: FakeGoogleYouTube;
beforeEach(async () => {
	google = await startFakeGoogleYouTube();
	google.addChannel(CHANNEL, 'SkyBot Workflow Channel');
});
afterEach(() => google.close());

/** A connected youTubeOAuth2Api credential as n8n stores it, its token URL pointed at the fake. */
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

async function reply(youTubeOAuth2Api: ICredentialDataDecryptedObject) {
	const comment = google.addComment(CHANNEL, { author: 'fan', text: 'Vous livrez ?' });
	const result = await runWorkflow({
		workflowJson,
		triggerItems: [{ provider: 'youtube', kind: 'comment', messageId: comment.commentId, accountExternalId: CHANNEL, ai: { text: 'Oui, partout.' }, apiBaseUrl: google.url }],
		credentials: { youTubeOAuth2Api },
		mode: 'trigger',
	});
	expect(result.status).toBe('success');
	return { comment, output: result.outputsOf('Reply')[0]! };
}

describe('YouTube › Reply to Comment in n8n-core', () => {
	it('replies with the stored token', async () => {
		const { comment, output } = await reply(credential());
		expect(google.replies).toEqual([expect.objectContaining({ parentId: comment.commentId, text: 'Oui, partout.' })]);
		expect(output.delivery).toEqual({ provider: 'youtube', channelId: CHANNEL, parentId: comment.commentId, messageId: google.replies[0]!.id });
		expect(google.refreshes).toHaveLength(0);
	});

	it('lets n8n refresh an expired token on the 401 and repeat the reply once', async () => {
		const stored = credential();
		google.expireTokens();
		const { output } = await reply(stored);
		expect(google.refreshes).toHaveLength(1);
		expect(google.replies).toHaveLength(1);
		expect(output.delivery).toMatchObject({ messageId: google.replies[0]!.id });
		const unauthorized = google.requests.filter((request) => request.path === '/youtube/v3/comments' && request.status === 401);
		expect(unauthorized).toHaveLength(1);
	});

	it('fails the item readably when Google refuses the refresh', async () => {
		const stored = credential();
		google.expireTokens();
		google.revokeGrants(CHANNEL);
		const { output } = await reply(stored);
		expect(google.replies).toHaveLength(0);
		// n8n's own wording for a refresh the provider refused: the operator must reconnect the credential.
		expect(output.error).toMatchObject({ message: 'The credential "YouTube" needs to be reconnected.' });
		// One refused call, no second attempt with the same dead token.
		expect(google.requests.filter((request) => request.path === '/youtube/v3/comments')).toHaveLength(1);
	});
});
