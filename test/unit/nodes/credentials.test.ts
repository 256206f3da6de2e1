/**
 * The package's credentials authenticate in code (no `={{$credentials…}}` template for n8n's expression sandbox to
 * evaluate on every request): what each adds to a request, the request's own headers kept.
 */
import type { IHttpRequestOptions } from 'n8n-workflow';

import { SkyBotHubApi } from '../../../credentials/SkyBotHubApi.credentials';
import { SkyBotMetaAppApi } from '../../../credentials/SkyBotMetaAppApi.credentials';

const request: IHttpRequestOptions = { url: 'http://service.local/x', method: 'POST', headers: { 'Content-Type': 'application/json' } };

describe('credentials', () => {
	it('SkyBot Hub API sends its key as X-API-Key', async () => {
		const authenticated = await new SkyBotHubApi().authenticate({ apiKey: 'sk_hub_123', baseUrl: 'http://hub' }, request);
		expect(authenticated).toEqual({ ...request, headers: { 'Content-Type': 'application/json', 'X-API-Key': 'sk_hub_123' } });
		// The request given is not changed (n8n may reuse it for a retry).
		expect(request.headers).toEqual({ 'Content-Type': 'application/json' });
	});

	it('Meta App sends its access token as a bearer token', async () => {
		const authenticated = await new SkyBotMetaAppApi().authenticate({ accessToken: 'EAAG-token' }, { ...request, headers: undefined });
		expect(authenticated.headers).toEqual({ Authorization: 'Bearer EAAG-token' });
	});

	it('neither authenticates through an expression template', () => {
		for (const credential of [new SkyBotHubApi(), new SkyBotMetaAppApi()]) {
			expect(typeof credential.authenticate).toBe('function');
		}
	});
});
