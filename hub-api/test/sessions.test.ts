import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createManualClock, startTestHub, TEST_JWT_SECRET, type TestHub } from './support';
import { expectDocumented } from './support/documented';

const clock = createManualClock('2026-03-10T12:00:00.000Z');
let hub: TestHub;

beforeAll(async () => {
	hub = await startTestHub({ clock: clock.now });
});
afterAll(() => hub?.close());

const uniqueEmail = () => `person-${randomBytes(5).toString('hex')}@example.test`;

describe('POST /api/auth/register', () => {
	it('creates the account with its owner and signs them in', async () => {
		const email = uniqueEmail();
		const response = await hub.request('/api/auth/register', {
			body: { accountName: 'Bakery', email: ` ${email.toUpperCase()} `, password: 'correct horse battery', name: 'Ana' },
		});
		expect(response.status).toBe(201);
		expectDocumented(response, 'post', '/api/auth/register');
		expect(response.body.user).toEqual({
			id: expect.any(String),
			accountId: response.body.account.id,
			email,
			name: 'Ana',
			role: 'owner',
			createdAt: expect.any(String),
		});
		expect(response.body.account).toMatchObject({ name: 'Bakery', plan: 'freemium' });
		expect(response.body.tokens).toEqual({
			tokenType: 'Bearer',
			accessToken: expect.any(String),
			expiresIn: 900,
			accessTokenExpiresAt: '2026-03-10T12:15:00.000Z',
			refreshToken: expect.stringMatching(/^skr_/),
			refreshTokenExpiresAt: '2026-03-17T12:00:00.000Z',
		});
		expect(JSON.stringify(response.body)).not.toMatch(/hash/i);

		const me = await hub.request('/api/auth/me', { token: response.body.tokens.accessToken });
		expect(me.status).toBe(200);
		expectDocumented(me, 'get', '/api/auth/me');
		expect(me.body).toEqual({ user: response.body.user, account: response.body.account });
	});

	it('stores a bcrypt hash of the password and a sha256 of the refresh token, never the plaintext', async () => {
		const person = await hub.registerUser();
		const [user] = await hub.dataSource.query('SELECT password_hash FROM users WHERE id = $1', [person.user.id]);
		expect(user.password_hash).toMatch(/^\$2[aby]\$/);
		const tokens = await hub.dataSource.query(
			'SELECT token_hash FROM refresh_tokens JOIN auth_sessions s ON s.id = session_id WHERE s.user_id = $1',
			[person.user.id],
		);
		expect(tokens).toEqual([{ token_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
		expect(JSON.stringify(tokens)).not.toContain(person.refreshToken);
	});

	it('ignores role, plan, accountId and status in the body (mass assignment)', async () => {
		const victim = await hub.registerUser();
		const response = await hub.request('/api/auth/register', {
			body: {
				accountName: 'Sneaky',
				email: uniqueEmail(),
				password: 'correct horse battery',
				role: 'viewer',
				plan: 'ultra',
				accountId: victim.account.id,
				status: 'active',
			},
		});
		expect(response.status).toBe(201);
		expect(response.body.user.role).toBe('owner');
		expect(response.body.account.plan).toBe('freemium');
		expect(response.body.account.id).not.toBe(victim.account.id);
	});

	it('answers 409 email_taken for an e-mail already registered, whatever its case', async () => {
		const first = await hub.registerUser();
		const again = await hub.request('/api/auth/register', {
			body: { accountName: 'Again', email: first.email.toUpperCase(), password: 'another long password' },
		});
		expect(again.status).toBe(409);
		expect(again.body.error.code).toBe('email_taken');
		const [{ count }] = await hub.dataSource.query('SELECT count(*)::int AS count FROM accounts WHERE name = $1', [
			'Again',
		]);
		expect(count).toBe(0);
	});

	it('lets exactly one of two concurrent registrations of one e-mail win', async () => {
		const email = uniqueEmail();
		const body = { accountName: 'Race', email, password: 'correct horse battery' };
		const statuses = (await Promise.all([1, 2].map(() => hub.request('/api/auth/register', { body })))).map(
			(response) => response.status,
		);
		expect(statuses.sort()).toEqual([201, 409]);
	});

	it.each([
		['a short password', { password: 'short' }],
		['a password over 72 bytes', { password: 'é'.repeat(37) }],
		['a malformed e-mail', { email: 'not-an-email' }],
		['an empty account name', { accountName: '   ' }],
		['a number as e-mail', { email: 42 }],
	])('answers 422 for %s', async (_case, override) => {
		const response = await hub.request('/api/auth/register', {
			body: { accountName: 'Shop', email: uniqueEmail(), password: 'correct horse battery', ...override },
		});
		expect(response.status).toBe(422);
		expect(response.body.error.code).toBe('validation_failed');
	});
});

describe('POST /api/auth/login', () => {
	it('signs in with the right password, e-mail case-insensitive', async () => {
		const person = await hub.registerUser();
		const response = await hub.request('/api/auth/login', {
			body: { email: person.email.toUpperCase(), password: person.password },
		});
		expect(response.status).toBe(200);
		expectDocumented(response, 'post', '/api/auth/login');
		expect(response.body.user.id).toBe(person.user.id);
		expect(response.body.account.id).toBe(person.account.id);
		expect((await hub.request('/api/auth/me', { token: response.body.tokens.accessToken })).status).toBe(200);
	});

	it('gives the same answer for an unknown e-mail and a wrong password', async () => {
		const person = await hub.registerUser();
		const wrongPassword = await hub.request('/api/auth/login', {
			body: { email: person.email, password: 'not the password' },
		});
		const unknownEmail = await hub.request('/api/auth/login', {
			body: { email: uniqueEmail(), password: person.password },
		});
		expect(wrongPassword.status).toBe(401);
		expect(unknownEmail.status).toBe(401);
		expect(wrongPassword.body).toEqual(unknownEmail.body);
		expect(wrongPassword.body.error.code).toBe('invalid_credentials');
	});
});

describe('access tokens', () => {
	it('stop working once expired (401 token_expired)', async () => {
		const person = await hub.registerUser();
		clock.advance(15 * 60 * 1000);
		try {
			const response = await hub.request('/api/auth/me', { token: person.accessToken });
			expect(response.status).toBe(401);
			expect(response.body.error.code).toBe('token_expired');
		} finally {
			clock.set('2026-03-10T12:00:00.000Z');
		}
	});

	it.each([
		['garbage', () => 'not.a.jwt'],
		['signed with another secret', (sub: string, sid: string) => jwt.sign({ sid }, 'x'.repeat(40), { subject: sub })],
		[
			'unsigned (alg none)',
			(sub: string, sid: string) =>
				jwt.sign({ sid, iss: 'skybot-hub', aud: 'skybot-hub-api' }, '', { algorithm: 'none', subject: sub }),
		],
		[
			'right secret, wrong audience',
			(sub: string, sid: string) => jwt.sign({ sid }, TEST_JWT_SECRET, { subject: sub, issuer: 'skybot-hub' }),
		],
	])('refuses a token that is %s (401 invalid_token)', async (_case, forge) => {
		const person = await hub.registerUser();
		const { sub, sid } = jwt.decode(person.accessToken) as { sub: string; sid: string };
		const response = await hub.request('/api/auth/me', { token: forge(sub, sid) });
		expect(response.status).toBe(401);
		expect(response.body.error.code).toBe('invalid_token');
	});

	it('refuses a malformed Authorization header and a request carrying both kinds of credentials', async () => {
		const person = await hub.registerUser();
		const basic = await hub.request('/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
		expect(basic.status).toBe(401);
		const both = await hub.request('/api/auth/me', { token: person.accessToken, key: hub.platformKey });
		expect(both.status).toBe(400);
		expect(both.body.error.code).toBe('ambiguous_credentials');
	});
});

describe('refresh tokens', () => {
	it('rotate on use: the new pair works, the presented token stops working', async () => {
		const person = await hub.registerUser();
		const refreshed = await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } });
		expect(refreshed.status).toBe(200);
		expectDocumented(refreshed, 'post', '/api/auth/refresh');
		expect(refreshed.body.tokens.refreshToken).not.toBe(person.refreshToken);
		expect((await hub.request('/api/auth/me', { token: refreshed.body.tokens.accessToken })).status).toBe(200);

		const replay = await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } });
		expect(replay.status).toBe(401);
		expect(replay.body.error.code).toBe('invalid_refresh_token');
	});

	it('revoke the whole session when a rotated token is reused (its successors and access tokens die too)', async () => {
		const person = await hub.registerUser();
		const first = await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } });
		const second = await hub.request('/api/auth/refresh', { body: { refreshToken: first.body.tokens.refreshToken } });
		expect(second.status).toBe(200);

		// The stolen first token is replayed: the family ends.
		expect((await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } })).status).toBe(401);
		const latest = await hub.request('/api/auth/refresh', { body: { refreshToken: second.body.tokens.refreshToken } });
		expect(latest.status).toBe(401);
		expect((await hub.request('/api/auth/me', { token: second.body.tokens.accessToken })).status).toBe(401);

		// Other sessions of the same person are untouched.
		const other = await hub.request('/api/auth/login', { body: { email: person.email, password: person.password } });
		expect((await hub.request('/api/auth/me', { token: other.body.tokens.accessToken })).status).toBe(200);
	});

	it('let exactly one of two concurrent refreshes with one token succeed', async () => {
		const person = await hub.registerUser();
		const responses = await Promise.all(
			[1, 2].map(() => hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } })),
		);
		expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
	});

	it('expire after JWT_REFRESH_EXPIRY', async () => {
		const person = await hub.registerUser();
		clock.advance(7 * 86_400 * 1000);
		try {
			const response = await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } });
			expect(response.status).toBe(401);
		} finally {
			clock.set('2026-03-10T12:00:00.000Z');
		}
	});

	it.each([
		['unknown', { refreshToken: `skr_${'A'.repeat(43)}` }],
		['malformed', { refreshToken: 'nope' }],
	])('answer 401 for an %s token', async (_case, body) => {
		expect((await hub.request('/api/auth/refresh', { body })).status).toBe(401);
	});

	it('answer 422 for a missing token', async () => {
		expect((await hub.request('/api/auth/refresh', { body: {} })).status).toBe(422);
	});
});

describe('POST /api/auth/logout', () => {
	it('ends the session: its refresh token and access tokens stop working', async () => {
		const person = await hub.registerUser();
		const response = await hub.request('/api/auth/logout', { body: { refreshToken: person.refreshToken } });
		expect(response.status).toBe(204);
		expectDocumented(response, 'post', '/api/auth/logout');
		expect((await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } })).status).toBe(401);
		expect((await hub.request('/api/auth/me', { token: person.accessToken })).status).toBe(401);
	});

	it('succeeds for a token it does not know (nothing to end)', async () => {
		expect(
			(await hub.request('/api/auth/logout', { body: { refreshToken: `skr_${'B'.repeat(43)}` } })).status,
		).toBe(204);
	});
});

describe('refresh-token storage', () => {
	it('keeps exchanged tokens while they could be replayed and drops expired ones on the next refresh', async () => {
		const person = await hub.registerUser();
		const countTokens = async () =>
			(
				await hub.dataSource.query(
					'SELECT count(*)::int AS count FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id WHERE s.user_id = $1',
					[person.user.id],
				)
			)[0].count;
		try {
			clock.advance(86_400 * 1000);
			const first = await hub.request('/api/auth/refresh', { body: { refreshToken: person.refreshToken } });
			expect(await countTokens()).toBe(2);
			clock.advance(6 * 86_400 * 1000);
			// The registration token has now expired; the one from the first refresh is live a day longer.
			const second = await hub.request('/api/auth/refresh', { body: { refreshToken: first.body.tokens.refreshToken } });
			expect(second.status).toBe(200);
			expect(await countTokens()).toBe(2);
		} finally {
			clock.set('2026-03-10T12:00:00.000Z');
		}
	});
});
