import bcrypt from 'bcryptjs';
import type { DataSource, EntityManager } from 'typeorm';
import type { WhoAmIResponse } from '../../../../contracts/hub-api';
import type { Clock } from '../../clock';
import type { AuthConfig } from '../../config';
import { HubError } from '../../errors';
import type { AccessTokenVerifier, Principal, UserPrincipal } from './principal';
import { AccountsRepository } from '../accounts/accounts.repository';
import type { AccountView } from '../accounts/accounts.schemas';
import { type AccountsService, toAccountView } from '../accounts/accounts.service';
import type { User } from '../users/user.entity';
import { UsersRepository } from '../users/users.repository';
import type { UserView } from '../users/users.schemas';
import { toUserView } from '../users/users.service';
import type { SessionTokens } from './auth.schemas';
import type { LoginThrottle } from './login-throttle';
import { BCRYPT_ROUNDS } from './passwords';
import { SessionsRepository } from './sessions.repository';
import {
	generateRefreshToken,
	hashRefreshToken,
	invalidToken,
	isWellFormedRefreshToken,
	signAccessToken,
	verifyAccessToken,
} from './tokens';

export interface SignedIn {
	user: UserView;
	account: AccountView;
	tokens: SessionTokens;
}

export type UserWhoAmI = { user: UserView; account: AccountView };

// One answer for an unknown e-mail and a wrong password, so the login form does not reveal who has an account.
const invalidCredentials = () => new HubError(401, 'invalid_credentials', 'Invalid e-mail or password');
const invalidRefreshToken = () => new HubError(401, 'invalid_refresh_token', 'Refresh token is invalid or expired');

export interface AuthServiceDeps {
	dataSource: DataSource;
	accounts: AccountsService;
	throttle: LoginThrottle;
	config: AuthConfig;
	clock: Clock;
}

/** People: registration, login, the refresh-token rotation and the access tokens every request presents. */
export class AuthService implements AccessTokenVerifier {
	private readonly accounts: AccountsService;
	private readonly accountsRepository: AccountsRepository;
	private readonly users: UsersRepository;
	private readonly sessions: SessionsRepository;
	private readonly throttle: LoginThrottle;
	private readonly config: AuthConfig;
	private readonly clock: Clock;
	/** Compared against when the e-mail is unknown, so both failures cost one bcrypt comparison. */
	private dummyHash: Promise<string> | undefined;

	constructor({ dataSource, accounts, throttle, config, clock }: AuthServiceDeps) {
		this.accounts = accounts;
		this.accountsRepository = new AccountsRepository(dataSource);
		this.users = new UsersRepository(dataSource);
		this.sessions = new SessionsRepository(dataSource);
		this.throttle = throttle;
		this.config = config;
		this.clock = clock;
	}

	/** A new account (Freemium) with the caller as its owner, signed in. */
	async register(input: { accountName: string; email: string; password: string; name?: string }): Promise<SignedIn> {
		const passwordHash = await bcrypt.hash(input.password, BCRYPT_ROUNDS);
		return this.sessions.transaction(async (manager) => {
			const account = await this.accountsRepository.insert({ name: input.accountName, plan: 'freemium' }, manager);
			const user = await this.users.insert(
				{ accountId: account.id, email: input.email, passwordHash, name: input.name ?? null, role: 'owner' },
				manager,
			);
			return { user: toUserView(user), account: toAccountView(account), tokens: await this.startSession(user, manager) };
		});
	}

	async login(email: string, password: string, ip: string): Promise<SignedIn> {
		await this.throttle.beginAttempt(email, ip);
		const user = await this.users.findByEmail(email);
		const matches = await bcrypt.compare(password, user?.passwordHash ?? (await this.hashOfNothing()));
		if (!user || !matches) throw invalidCredentials();
		await this.throttle.recordSuccess(email, ip);
		const account = await this.accounts.get(user.accountId);
		const tokens = await this.sessions.transaction((manager) => this.startSession(user, manager));
		return { user: toUserView(user), account: toAccountView(account), tokens };
	}

	/**
	 * Exchanges a refresh token for a new pair; the presented one stops working. Presenting an already exchanged token
	 * means it leaked (or a client replayed it): the whole session is revoked, so the thief's copy dies with it.
	 */
	async refresh(refreshToken: string): Promise<SessionTokens> {
		if (!isWellFormedRefreshToken(refreshToken)) throw invalidRefreshToken();
		const tokenHash = hashRefreshToken(refreshToken);
		const now = this.clock();
		const rotated = await this.sessions.transaction(async (manager) => {
			const consumed = await this.sessions.consumeRefreshToken(tokenHash, now, manager);
			if (!consumed) return null;
			const user = await this.users.findById(consumed.userId);
			if (!user) return null;
			return this.issueTokens(user, consumed.sessionId, manager);
		});
		if (rotated) return rotated;
		const known = await this.sessions.findRefreshToken(tokenHash);
		if (known?.used) await this.sessions.revokeSession(known.sessionId, now, 'refresh_token_reuse');
		throw invalidRefreshToken();
	}

	/** Ends the session of the refresh token (its access tokens included). Unknown tokens succeed too: nothing to end. */
	async logout(refreshToken: string): Promise<void> {
		if (!isWellFormedRefreshToken(refreshToken)) return;
		const known = await this.sessions.findRefreshToken(hashRefreshToken(refreshToken));
		if (known) await this.sessions.revokeSession(known.sessionId, this.clock(), 'logout');
	}

	async authenticateAccessToken(token: string): Promise<UserPrincipal> {
		const claims = verifyAccessToken(token, this.config.jwtSecret, this.clock());
		const user = await this.sessions.findSessionUser(claims.userId, claims.sessionId);
		if (!user) throw invalidToken();
		return {
			kind: 'user',
			scope: 'account',
			accountId: user.accountId,
			role: user.role,
			userId: user.id,
			sessionId: claims.sessionId,
		};
	}

	/** Keys keep the shape the n8n credential test reads (WhoAmIResponse); people get themselves and their account. */
	async whoAmI(principal: Principal): Promise<WhoAmIResponse | UserWhoAmI> {
		if (principal.kind === 'user') {
			const user = await this.users.findById(principal.userId);
			if (!user) throw invalidToken();
			return { user: toUserView(user), account: toAccountView(await this.accounts.get(user.accountId)) };
		}
		const { apiKey } = principal;
		const account = apiKey.accountId ? await this.accounts.get(apiKey.accountId) : null;
		return {
			apiKey: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix, scope: apiKey.scope },
			account: account && { id: account.id, name: account.name, plan: account.plan },
		};
	}

	private async startSession(user: User, manager: EntityManager): Promise<SessionTokens> {
		const sessionId = await this.sessions.createSession(user.id, this.clock(), manager);
		return this.issueTokens(user, sessionId, manager);
	}

	private async issueTokens(user: User, sessionId: string, manager: EntityManager): Promise<SessionTokens> {
		const now = this.clock();
		const { accessTokenTtlSeconds, refreshTokenTtlSeconds, jwtSecret } = this.config;
		const { token: refreshToken, tokenHash } = generateRefreshToken();
		const refreshExpiresAt = new Date(now.getTime() + refreshTokenTtlSeconds * 1000);
		await this.sessions.insertRefreshToken(sessionId, tokenHash, now, refreshExpiresAt, manager);
		return {
			tokenType: 'Bearer',
			accessToken: signAccessToken({ userId: user.id, sessionId }, jwtSecret, now, accessTokenTtlSeconds),
			expiresIn: accessTokenTtlSeconds,
			accessTokenExpiresAt: new Date(now.getTime() + accessTokenTtlSeconds * 1000).toISOString(),
			refreshToken,
			refreshTokenExpiresAt: refreshExpiresAt.toISOString(),
		};
	}

	private hashOfNothing(): Promise<string> {
		this.dummyHash ??= bcrypt.hash('no such user', BCRYPT_ROUNDS);
		return this.dummyHash;
	}
}
