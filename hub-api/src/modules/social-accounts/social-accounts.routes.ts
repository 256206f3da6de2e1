import { type RequestHandler, Router } from 'express';
import type { z } from 'zod';
import { principalOf, requireRole } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { HubError } from '../../errors';
import type { AccountsService } from '../accounts/accounts.service';
import { listInteractionsQuery } from '../interactions/interactions.schemas';
import type { InteractionsService } from '../interactions/interactions.service';
import {
	metaSendDmBody,
	oauthCallbackQuery,
	onBehalfOfQuery,
	socialAccountIdParam,
	socialProviderParam,
	tiktokCommentsQuery,
	tiktokReplyCommentBody,
	tiktokSendMessageBody,
	youtubeActivitiesQuery,
	youtubeCommentsQuery,
	youtubeReplyCommentBody,
} from './social-accounts.schemas';
import type { SocialAccountsService } from './social-accounts.service';

/**
 * GET /api/social-accounts/:provider/callback: where the provider sends the person back. It carries no hub
 * credentials (it is a browser redirect from the provider): the single-use state is what authenticates it.
 * Mounted before the authenticated routes.
 */
export function socialAccountCallbackRoutes(socialAccounts: SocialAccountsService): Router {
	const router = Router();
	router.get('/:provider/callback', async (req, res) => {
		const { provider } = parseInput(socialProviderParam, req.params, 'params');
		const query = parseInput(oauthCallbackQuery, req.query, 'query');
		res.json(await socialAccounts.completeConnection(provider, query));
	});
	return router;
}

/** The Meta providers whose DMs GET /meta/messages reads from the hub's record. */
const META_PROVIDERS = ['messenger', 'instagram', 'whatsapp'] as const;

export function socialAccountsRoutes(socialAccounts: SocialAccountsService, accounts: AccountsService, interactions: InteractionsService): Router {
	const router = Router();
	/**
	 * A route acting for one account: its input validated (`accountId` names the account with a platform key, an
	 * account key acts for its own), then `handle` answers with that account's id.
	 */
	const forAccount =
		<Schema extends z.ZodType<{ accountId?: string }>>(
			schema: Schema,
			location: 'body' | 'query',
			handle: (accountId: string, input: z.output<Schema>) => Promise<unknown>,
		): RequestHandler =>
		async (req, res) => {
			const input = parseInput(schema, location === 'body' ? req.body : req.query, location);
			const account = await accounts.resolveFor(principalOf(res), input.accountId);
			res.json(await handle(account.id, input));
		};

	router.get('/', forAccount(onBehalfOfQuery, 'query', async (accountId) => ({ socialAccounts: await socialAccounts.list(accountId) })));

	// What the hub recorded of a channel (each inbound message with its outcome and reply): no provider call, so no
	// provider rate limit or quota is spent reading it.
	router.get('/tiktok/interactions', forAccount(listInteractionsQuery, 'query', (accountId, query) => interactions.list(accountId, { ...query, providers: ['tiktok'] })));
	router.get(
		'/meta/messages',
		forAccount(listInteractionsQuery, 'query', (accountId, query) => interactions.list(accountId, { ...query, providers: META_PROVIDERS, kind: 'dm' })),
	);

	// Provider calls, made with the token of the connection that holds the account.
	router.get('/tiktok/comments', forAccount(tiktokCommentsQuery, 'query', (accountId, query) => socialAccounts.tiktokComments(accountId, query)));
	router.post('/tiktok/send-message', forAccount(tiktokSendMessageBody, 'body', (accountId, body) => socialAccounts.tiktokSendMessage(accountId, body)));
	router.post('/tiktok/reply-comment', forAccount(tiktokReplyCommentBody, 'body', (accountId, body) => socialAccounts.tiktokReplyComment(accountId, body)));
	router.get('/youtube/comments', forAccount(youtubeCommentsQuery, 'query', (accountId, query) => socialAccounts.youtubeComments(accountId, query)));
	router.get('/youtube/activities', forAccount(youtubeActivitiesQuery, 'query', (accountId, query) => socialAccounts.youtubeActivities(accountId, query)));
	router.post('/youtube/reply-comment', forAccount(youtubeReplyCommentBody, 'body', (accountId, body) => socialAccounts.youtubeReplyComment(accountId, body)));
	router.post('/meta/send-dm', forAccount(metaSendDmBody, 'body', (accountId, body) => socialAccounts.metaSendDm(accountId, body)));

	// The operator's YouTube entry polls every tenant's channel: a platform key lists them all, an account its own.
	router.get('/youtube/channels', async (_req, res) => {
		res.json(await socialAccounts.youtubeChannels(principalOf(res).accountId));
	});

	// A person connects their own accounts: the consent is theirs, so an API key cannot start it.
	router.get('/:provider/auth-url', requireRole('member'), async (req, res) => {
		const { provider } = parseInput(socialProviderParam, req.params, 'params');
		const principal = principalOf(res);
		if (principal.kind !== 'user') {
			throw new HubError(403, 'person_required', 'Connecting a social account needs a signed-in person (Authorization: Bearer), not an API key');
		}
		res.json(await socialAccounts.authorizationUrl(provider, principal.accountId, principal.userId));
	});

	router.delete('/:id', requireRole('admin'), async (req, res) => {
		const { id } = parseInput(socialAccountIdParam, req.params, 'params');
		const query = parseInput(onBehalfOfQuery, req.query, 'query');
		const account = await accounts.resolveFor(principalOf(res), query.accountId);
		res.json(await socialAccounts.disconnect(account.id, id));
	});
	return router;
}
