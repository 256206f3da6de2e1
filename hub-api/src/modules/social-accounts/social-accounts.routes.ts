import { Router } from 'express';
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
	const accountFor = (res: Parameters<typeof principalOf>[0], requested: string | undefined) =>
		accounts.resolveFor(principalOf(res), requested);

	// What the hub recorded of a channel (each inbound message with its outcome and reply): no provider call, so no
	// provider rate limit or quota is spent reading it.
	router.get('/tiktok/interactions', async (req, res) => {
		const query = parseInput(listInteractionsQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json(await interactions.list(account.id, { ...query, providers: ['tiktok'] }));
	});

	router.get('/meta/messages', async (req, res) => {
		const query = parseInput(listInteractionsQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json(await interactions.list(account.id, { ...query, providers: META_PROVIDERS, kind: 'dm' }));
	});

	router.get('/tiktok/comments', async (req, res) => {
		const query = parseInput(tiktokCommentsQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json(await socialAccounts.tiktokComments(account.id, query));
	});

	router.get('/youtube/activities', async (req, res) => {
		const query = parseInput(youtubeActivitiesQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json(await socialAccounts.youtubeActivities(account.id, query));
	});

	router.get('/', async (req, res) => {
		const query = parseInput(onBehalfOfQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json({ socialAccounts: await socialAccounts.list(account.id) });
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

	router.post('/tiktok/send-message', async (req, res) => {
		const body = parseInput(tiktokSendMessageBody, req.body, 'body');
		const account = await accountFor(res, body.accountId);
		res.json(await socialAccounts.tiktokSendMessage(account.id, body));
	});

	router.post('/tiktok/reply-comment', async (req, res) => {
		const body = parseInput(tiktokReplyCommentBody, req.body, 'body');
		const account = await accountFor(res, body.accountId);
		res.json(await socialAccounts.tiktokReplyComment(account.id, body));
	});

	router.get('/youtube/comments', async (req, res) => {
		const query = parseInput(youtubeCommentsQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json(await socialAccounts.youtubeComments(account.id, query));
	});

	router.post('/youtube/reply-comment', async (req, res) => {
		const body = parseInput(youtubeReplyCommentBody, req.body, 'body');
		const account = await accountFor(res, body.accountId);
		res.json(await socialAccounts.youtubeReplyComment(account.id, body));
	});

	router.post('/meta/send-dm', async (req, res) => {
		const body = parseInput(metaSendDmBody, req.body, 'body');
		const account = await accountFor(res, body.accountId);
		res.json(await socialAccounts.metaSendDm(account.id, body));
	});

	router.delete('/:id', requireRole('admin'), async (req, res) => {
		const { id } = parseInput(socialAccountIdParam, req.params, 'params');
		const query = parseInput(onBehalfOfQuery, req.query, 'query');
		const account = await accountFor(res, query.accountId);
		res.json(await socialAccounts.disconnect(account.id, id));
	});
	return router;
}
