import { type Response, Router } from 'express';
import { principalOf } from '../../http/auth';
import { parseInput } from '../../http/validate';
import type { AccountsService } from '../accounts/accounts.service';
import type { Principal } from '../auth/principal';
import {
	accountScope,
	conversationHandlerQuery,
	conversationParams,
	listConversationsQuery,
	listMessagesQuery,
} from './conversations.schemas';
import type { ConversationsService, HandlerChanger } from './conversations.service';

/** Who is changing a handler, as the conversation records it. */
function changerOf(principal: Principal): HandlerChanger {
	return principal.kind === 'user'
		? { userId: principal.userId, apiKeyId: null }
		: { userId: null, apiKeyId: principal.apiKey.id };
}

/** Reading needs viewer, handing over and releasing member (the floor app.ts mounts the router with). */
export function conversationsRoutes(conversations: ConversationsService, accounts: AccountsService): Router {
	const router = Router();
	const accountOf = async (res: Response, accountId: string | undefined) =>
		(await accounts.resolveFor(principalOf(res), accountId)).id;

	router.get('/', async (req, res) => {
		const query = parseInput(listConversationsQuery, req.query, 'query');
		res.json(await conversations.list(await accountOf(res, query.accountId), query));
	});

	// Before /:id: the pipeline's check right before it sends.
	router.get('/handler', async (req, res) => {
		const { accountId, ...key } = parseInput(conversationHandlerQuery, req.query, 'query');
		res.json(await conversations.handlerOf({ accountId: await accountOf(res, accountId), ...key }));
	});

	router.get('/:id', async (req, res) => {
		const { id } = parseInput(conversationParams, req.params, 'params');
		const { accountId } = parseInput(accountScope, req.query, 'query');
		res.json(await conversations.get(await accountOf(res, accountId), id));
	});

	router.get('/:id/messages', async (req, res) => {
		const { id } = parseInput(conversationParams, req.params, 'params');
		const query = parseInput(listMessagesQuery, req.query, 'query');
		res.json(await conversations.messages(await accountOf(res, query.accountId), id, query));
	});

	for (const [path, change] of [
		['/:id/handover', 'handOver'],
		['/:id/release', 'release'],
	] as const) {
		router.post(path, async (req, res) => {
			const { id } = parseInput(conversationParams, req.params, 'params');
			const body = parseInput(accountScope, req.body ?? {}, 'body');
			const accountId = await accountOf(res, body.accountId);
			res.json(await conversations[change](accountId, id, changerOf(principalOf(res))));
		});
	}
	return router;
}
