import type { Logger } from 'pino';
import type { Provider } from '../../../../contracts/inbound-message';
import type { SocialProvider, YouTubeChannelsResponse, YouTubeCommentsResponse } from '../../../../contracts/social-accounts';
import type { Clock } from '../../clock';
import { HubError, notFound, TooManyRequestsError } from '../../errors';
import type { HubEvents } from '../../hub-events';
import type { OAuthStates } from './oauth-states';
import { pkcePair } from './oauth-states';
import type { MetaProvider, MetaSendApi } from './providers/meta';
import { ProviderAuthError, ProviderCallError } from './providers/provider';
import type { TikTokProvider } from './providers/tiktok';
import type { YouTubeProvider } from './providers/youtube';
import type { SocialAccount } from './social-account.entity';
import type { ChannelClaim, SavedConnection, SocialAccountsRepository } from './social-accounts.repository';
import type { SocialAccountView } from './social-accounts.schemas';
import { YOUTUBE_COST, type YouTubeQuota } from './youtube-quota';

/** A token this close to its expiry is refreshed before use, so a call never starts with one about to lapse. */
export const REFRESH_AHEAD_MS = 5 * 60_000;

export interface SocialProviders {
	meta: MetaProvider | null;
	tiktok: TikTokProvider | null;
	youtube: YouTubeProvider | null;
}

export interface SocialAccountsDeps {
	providers: SocialProviders;
	/** Meta's Send API, and the operator's token for pages claimed without a connection (META_ACCESS_TOKEN). */
	metaSend: MetaSendApi;
	metaOperatorToken: string | null;
	/** Whether a provider account is this tenant's in the routing table (however it was claimed). */
	routes: { holds(accountId: string, provider: Provider, externalId: string): Promise<boolean> };
	/** Null without a keyring (ENCRYPTION_KEY[S]): nothing is stored, the routes answer 503 encryption_not_configured. */
	repository: SocialAccountsRepository | null;
	states: OAuthStates;
	/** Null without a Google app. */
	youtubeQuota: YouTubeQuota | null;
	/** The public base URL providers send people back to (OAUTH_REDIRECT_BASE_URL, else the hub's URL). */
	redirectBaseUrl: () => string;
	events: HubEvents;
	clock: Clock;
	logger: Logger;
}

export const toSocialAccountView = (row: SocialAccount, channels: ChannelClaim[]): SocialAccountView => ({
	id: row.id,
	accountId: row.accountId,
	provider: row.provider,
	externalId: row.externalId,
	name: row.name,
	status: row.status,
	scopes: row.scopes === null ? [] : row.scopes.split(/[\s,]+/).filter(Boolean),
	tokenExpiresAt: row.tokenExpiresAt?.toISOString() ?? null,
	refreshedAt: row.refreshedAt?.toISOString() ?? null,
	connectedBy: row.connectedBy,
	createdAt: row.createdAt.toISOString(),
	channels,
});

const reauthRequired = (row: Pick<SocialAccount, 'provider' | 'externalId'>) =>
	new HubError(409, 'reauth_required', `The ${row.provider} account ${row.externalId} must be connected again (its tokens no longer work)`);

/**
 * Tenants' OAuth connections: the consent URL, the callback that stores the tokens (encrypted) and claims what they
 * prove, listing and disconnecting, and every provider call made with a tenant's token — refreshed first when it is
 * about to lapse, under the account's row lock so that one refresh happens however many callers race.
 */
export class SocialAccountsService {
	constructor(private readonly deps: SocialAccountsDeps) {}

	private provider<P extends SocialProvider>(id: P): NonNullable<SocialProviders[P]> {
		const provider = this.deps.providers[id];
		if (!provider) {
			throw new HubError(503, 'provider_not_configured', `No ${id} app is configured on this hub (see docs/social-accounts.md)`);
		}
		return provider as NonNullable<SocialProviders[P]>;
	}

	private get repository(): SocialAccountsRepository {
		if (!this.deps.repository) {
			throw new HubError(503, 'encryption_not_configured', 'This hub has no ENCRYPTION_KEY: it cannot store tokens');
		}
		return this.deps.repository;
	}

	redirectUri(provider: SocialProvider): string {
		return `${this.deps.redirectBaseUrl().replace(/\/+$/, '')}/api/social-accounts/${provider}/callback`;
	}

	/** The consent page to send the person to; its state is theirs, for this account, once, for 10 minutes. */
	async authorizationUrl(providerId: SocialProvider, accountId: string, userId: string): Promise<{ url: string; expiresAt: string }> {
		const provider = this.provider(providerId);
		// Refused before the person consents, not at the callback: this hub could not store the tokens.
		void this.repository;
		const pkce = provider.usesPkce ? pkcePair() : null;
		const { state, expiresAt } = await this.deps.states.issue({ provider: providerId, accountId, userId, codeVerifier: pkce?.verifier ?? null });
		const url = provider.authorizationUrl({ state, redirectUri: this.redirectUri(providerId), codeChallenge: pkce?.challenge ?? null });
		return { url, expiresAt: expiresAt.toISOString() };
	}

	/**
	 * The provider sent the person back. The state is the only credential of this request: unknown, used, expired or
	 * issued for another provider → 400 invalid_oauth_state, and nothing is exchanged or stored.
	 */
	async completeConnection(
		providerId: SocialProvider,
		query: { state: string; code?: string; error?: string; errorDescription?: string },
	): Promise<{ socialAccount: SocialAccountView; claimed: ChannelClaim[]; conflicts: ChannelClaim[] }> {
		const provider = this.provider(providerId);
		const repository = this.repository;
		const binding = await this.deps.states.consume(query.state);
		if (!binding || binding.provider !== providerId) {
			throw new HubError(400, 'invalid_oauth_state', 'This connection link is unknown, already used or expired: start again from the auth URL');
		}
		if (query.error || !query.code) {
			throw new HubError(400, 'oauth_denied', `The ${providerId} consent was not given${query.error ? ` (${query.errorDescription ?? query.error})` : ''}`);
		}
		let saved: SavedConnection;
		try {
			const identity = await provider.connect({ code: query.code, redirectUri: this.redirectUri(providerId), codeVerifier: binding.codeVerifier });
			saved = await repository.saveConnection(binding.accountId, binding.userId, providerId, identity);
		} catch (error) {
			throw this.oauthFailure(providerId, error);
		}
		this.deps.logger.info(
			{ provider: providerId, accountId: binding.accountId, socialAccountId: saved.socialAccount.id, claimed: saved.claimed.length, conflicts: saved.conflicts.length },
			'social account connected',
		);
		return { socialAccount: toSocialAccountView(saved.socialAccount, saved.claimed), claimed: saved.claimed, conflicts: saved.conflicts };
	}

	private oauthFailure(providerId: SocialProvider, error: unknown): unknown {
		if (!(error instanceof ProviderAuthError)) return error;
		return error.kind === 'rejected'
			? new HubError(400, 'oauth_exchange_failed', `${providerId} refused the connection: ${error.message}`)
			: new HubError(502, 'provider_unavailable', `${providerId} could not complete the connection: ${error.message}`);
	}

	async list(accountId: string): Promise<SocialAccountView[]> {
		const rows = await this.repository.listForAccount(accountId);
		const channels = await this.repository.channelsOf(rows.map((row) => row.id));
		return rows.map((row) => toSocialAccountView(row, channels.get(row.id) ?? []));
	}

	/** Forgets a connection (and releases what it proved); the provider is asked to revoke it first, best effort. */
	async disconnect(accountId: string, id: string): Promise<{ revoked: boolean }> {
		const row = await this.repository.findForAccount(accountId, id);
		if (!row) throw notFound('social_account');
		let revoked = false;
		const provider = this.deps.providers[row.provider];
		if (provider) {
			try {
				await provider.revoke({ accessToken: this.repository.reveal(row, 'access_token')!, externalId: row.externalId });
				revoked = true;
			} catch (error) {
				// The tokens are forgotten either way; the person can also remove the app in the provider's settings.
				this.deps.logger.warn({ provider: row.provider, socialAccountId: row.id, reason: (error as Error).message }, 'revoking at the provider failed');
			}
		}
		await this.repository.delete(row.id);
		return { revoked };
	}

	// --- tokens --------------------------------------------------------------------------------------------------

	private needsRefresh(row: SocialAccount): boolean {
		return row.tokenExpiresAt !== null && row.tokenExpiresAt.getTime() - REFRESH_AHEAD_MS <= this.deps.clock().getTime();
	}

	private expired(row: SocialAccount): boolean {
		return row.tokenExpiresAt !== null && row.tokenExpiresAt.getTime() <= this.deps.clock().getTime();
	}

	/**
	 * The account's usable access token. Close to expiry — or when the provider just refused `staleToken` — it is
	 * refreshed under the row lock; whoever gets the lock second finds the new token and uses it. A refresh the
	 * provider refuses (or a provider without refresh whose token is refused or expired) marks the account
	 * reauth_required (live event `social-account:status`) and answers 409; a provider that is down leaves a
	 * still-valid token in use.
	 */
	private async accessToken(row: SocialAccount, staleToken?: string): Promise<string> {
		const repository = this.repository;
		if (row.status === 'reauth_required') throw reauthRequired(row);
		const due = (account: SocialAccount) => this.needsRefresh(account) || (staleToken !== undefined && this.reveal(account) === staleToken);
		if (!due(row)) return this.reveal(row);
		const provider = this.provider(row.provider);
		const usable = (account: SocialAccount) => staleToken === undefined && !this.expired(account);
		const outcome = await repository.withLockedAccount(row.id, async (locked, update) => {
			if (locked.status === 'reauth_required') return { error: reauthRequired(locked) };
			if (!due(locked)) return { token: this.reveal(locked) };
			const refreshToken = locked.refreshToken === null ? null : repository.reveal(locked, 'refresh_token');
			if (!provider.refresh || !refreshToken) {
				if (usable(locked)) return { token: this.reveal(locked) };
				await update({ status: 'reauth_required' });
				return { error: reauthRequired(locked), lost: locked };
			}
			try {
				const tokens = await provider.refresh(refreshToken);
				await update({ tokens });
				return { token: tokens.accessToken };
			} catch (error) {
				if (error instanceof ProviderAuthError && error.kind === 'rejected') {
					await update({ status: 'reauth_required' });
					this.deps.logger.warn({ provider: locked.provider, socialAccountId: locked.id, reason: error.message }, 'token refresh refused');
					return { error: reauthRequired(locked), lost: locked };
				}
				if (usable(locked)) return { token: this.reveal(locked) };
				return { error: new HubError(502, 'provider_unavailable', `${locked.provider} could not refresh the token: ${(error as Error).message}`) };
			}
		});
		// After the commit: a client told "reconnect" finds the account marked so.
		if ('lost' in outcome && outcome.lost) this.announceLost(outcome.lost);
		if ('error' in outcome) throw outcome.error;
		return outcome.token;
	}

	private reveal(row: SocialAccount): string {
		return this.repository.reveal(row, 'access_token')!;
	}

	private announceLost(row: SocialAccount): void {
		this.deps.events.publish('social-account:status', {
			accountId: row.accountId,
			id: row.id,
			provider: row.provider,
			externalId: row.externalId,
			status: 'reauth_required',
			at: this.deps.clock().toISOString(),
		});
	}

	/** The provider said the token does not work (revoked in the provider's settings): mark it, tell the account. */
	private async markLost(row: SocialAccount): Promise<HubError> {
		await this.repository.withLockedAccount(row.id, (_locked, update) => update({ status: 'reauth_required' }));
		this.announceLost(row);
		return reauthRequired(row);
	}

	/**
	 * A provider call with the connection's token. A token the provider refuses although it looked valid (revoked and
	 * re-granted, or expired early) is refreshed once and the call retried; refused again, the account is lost.
	 */
	private async withToken<T>(row: SocialAccount, call: (token: string) => Promise<T>): Promise<T> {
		const token = await this.accessToken(row);
		try {
			return await call(token);
		} catch (error) {
			if (!(error instanceof ProviderCallError && error.kind === 'auth')) throw await this.callFailure(row, error);
			const fresh = await this.accessToken(row, token);
			return this.answerFor(row, () => call(fresh));
		}
	}

	private async answerFor<T>(row: SocialAccount, call: () => Promise<T>): Promise<T> {
		try {
			return await call();
		} catch (error) {
			throw await this.callFailure(row, error);
		}
	}

	/** A provider call's failure as the hub's answer; a token the provider refuses marks the account lost. */
	private async callFailure(row: SocialAccount, error: unknown): Promise<unknown> {
		if (!(error instanceof ProviderCallError)) return error;
		if (error.kind === 'auth') return this.markLost(row);
		if (error.kind === 'quota' && this.deps.youtubeQuota) return this.deps.youtubeQuota.markExceeded();
		if (error.kind === 'rate_limited') {
			return new TooManyRequestsError('provider_rate_limited', `${row.provider} is rate limiting this account: ${error.message}`, error.retryAfterSeconds ?? 60);
		}
		return new HubError(502, 'provider_error', `${row.provider} refused the call: ${error.message}`);
	}

	private async connection(accountId: string, provider: SocialProvider, externalId: string): Promise<SocialAccount> {
		this.provider(provider);
		const row = await this.repository.findByExternalId(accountId, provider, externalId);
		if (!row) {
			throw new HubError(404, 'social_account_not_found', `No connected ${provider} account ${externalId} in this account: connect it first`);
		}
		return row;
	}

	// --- provider calls --------------------------------------------------------------------------------------------

	/**
	 * TikTok addresses a DM to the conversation, not the person. The inbound DM carries its conversation id; a request
	 * without one names the conversation in `recipientId` (the hub keeps no open_id → conversation map yet).
	 */
	async tiktokSendMessage(
		accountId: string,
		request: { accountExternalId: string; recipientId: string; providerConversationId?: string; text: string },
	): Promise<{ messageId: string }> {
		const row = await this.connection(accountId, 'tiktok', request.accountExternalId);
		const conversationId = request.providerConversationId ?? request.recipientId;
		const messageId = await this.withToken(row, (token) =>
			this.provider('tiktok').sendMessage(token, { businessId: row.externalId, conversationId, text: request.text }),
		);
		return { messageId };
	}

	async tiktokReplyComment(accountId: string, request: { accountExternalId: string; videoId: string; commentId: string; text: string }): Promise<{ messageId: string }> {
		const row = await this.connection(accountId, 'tiktok', request.accountExternalId);
		const messageId = await this.withToken(row, (token) =>
			this.provider('tiktok').replyToComment(token, { businessId: row.externalId, videoId: request.videoId, commentId: request.commentId, text: request.text }),
		);
		return { messageId };
	}

	private get youtubeQuota(): YouTubeQuota {
		this.provider('youtube');
		return this.deps.youtubeQuota!;
	}

	async youtubeComments(accountId: string, request: { accountExternalId: string; pageToken?: string }): Promise<YouTubeCommentsResponse> {
		const row = await this.connection(accountId, 'youtube', request.accountExternalId);
		await this.youtubeQuota.spend(YOUTUBE_COST.list);
		const page = await this.withToken(row, (token) => this.provider('youtube').listCommentThreads(token, row.externalId, request.pageToken));
		return { ...page, quota: await this.youtubeQuota.view() };
	}

	/**
	 * The working YouTube channels: one account's, or (a platform key, null) every account's. A hub without a Google
	 * app or a keyring has none (nothing could be connected): an empty list, so a poller simply waits.
	 */
	async youtubeChannels(accountId: string | null): Promise<YouTubeChannelsResponse> {
		if (!this.deps.providers.youtube || !this.deps.repository) return { channels: [] };
		const rows = await this.deps.repository.listActive('youtube', accountId);
		return { channels: rows.map((row) => ({ accountId: row.accountId, channelId: row.externalId, name: row.name })) };
	}

	async tiktokComments(
		accountId: string,
		request: { accountExternalId: string; videoId: string; cursor?: number },
	): Promise<{ comments: unknown[]; cursor: number; hasMore: boolean }> {
		const row = await this.connection(accountId, 'tiktok', request.accountExternalId);
		return this.withToken(row, (token) =>
			this.provider('tiktok').listComments(token, { businessId: row.externalId, videoId: request.videoId, cursor: request.cursor }),
		);
	}

	async youtubeActivities(accountId: string, request: { accountExternalId: string; pageToken?: string }): Promise<YouTubeCommentsResponse> {
		const row = await this.connection(accountId, 'youtube', request.accountExternalId);
		await this.youtubeQuota.spend(YOUTUBE_COST.list);
		const page = await this.withToken(row, (token) => this.provider('youtube').listActivities(token, row.externalId, request.pageToken));
		return { ...page, quota: await this.youtubeQuota.view() };
	}

	async youtubeReplyComment(accountId: string, request: { accountExternalId: string; parentId: string; text: string }): Promise<{ messageId: string }> {
		const row = await this.connection(accountId, 'youtube', request.accountExternalId);
		await this.youtubeQuota.spend(YOUTUBE_COST.insert);
		const messageId = await this.withToken(row, (token) => this.provider('youtube').replyToComment(token, request.parentId, request.text));
		return { messageId };
	}

	/**
	 * A Messenger, Instagram or WhatsApp reply. A page the tenant connected through Meta is sent with its own page
	 * token; one the operator claimed without a connection, with the operator's token (META_ACCESS_TOKEN) when there is
	 * one. Anything else is not this tenant's to send from.
	 */
	async metaSendDm(
		accountId: string,
		request: { provider: 'messenger' | 'instagram' | 'whatsapp'; accountExternalId: string; recipientId: string; text: string; commentId?: string },
	): Promise<{ messageId: string }> {
		// Without a keyring no page token was ever stored: the operator's token is all there is.
		const page = this.deps.repository && (await this.deps.repository.findPageToken(accountId, request.provider, request.accountExternalId));
		if (page) {
			if (page.socialAccount.status === 'reauth_required') throw reauthRequired(page.socialAccount);
			// Page tokens do not expire with the user token; a page token Meta refuses means connecting the page again.
			return { messageId: await this.answerFor(page.socialAccount, () => this.deps.metaSend.send(page.accessToken, request)) };
		}
		const operatorToken = this.deps.metaOperatorToken;
		if (operatorToken && (await this.deps.routes.holds(accountId, request.provider, request.accountExternalId))) {
			return { messageId: await this.operatorSend(operatorToken, request) };
		}
		throw new HubError(
			404,
			'social_account_not_found',
			`No ${request.provider} account ${request.accountExternalId} connected through Meta in this account: connect its page first`,
		);
	}

	/** The operator's token belongs to no tenant: Meta refusing it is the operator's to fix, not a reconnection. */
	private async operatorSend(token: string, request: Parameters<MetaSendApi['send']>[1]): Promise<string> {
		try {
			return await this.deps.metaSend.send(token, request);
		} catch (error) {
			if (!(error instanceof ProviderCallError)) throw error;
			if (error.kind === 'rate_limited') {
				throw new TooManyRequestsError('provider_rate_limited', `Meta is rate limiting this page: ${error.message}`, error.retryAfterSeconds ?? 60);
			}
			throw new HubError(502, 'provider_error', `Meta refused the call made with the operator's token (META_ACCESS_TOKEN): ${error.message}`);
		}
	}
}
