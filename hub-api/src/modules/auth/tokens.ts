import { createHash, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { HubError } from '../../errors';

/**
 * Access tokens are short-lived HS256 JWTs naming the user and the login session (so ending the session ends them
 * too); refresh tokens are opaque random strings, stored only as sha256 (256 random bits leave nothing to
 * brute-force, so a fast hash is enough).
 */
const ISSUER = 'skybot-hub';
const AUDIENCE = 'skybot-hub-api';

export interface AccessTokenClaims {
	userId: string;
	sessionId: string;
}

export function signAccessToken(claims: AccessTokenClaims, secret: string, issuedAt: Date, ttlSeconds: number): string {
	return jwt.sign({ sid: claims.sessionId, iat: Math.floor(issuedAt.getTime() / 1000) }, secret, {
		algorithm: 'HS256',
		subject: claims.userId,
		issuer: ISSUER,
		audience: AUDIENCE,
		expiresIn: ttlSeconds,
	});
}

/** Throws 401 `token_expired` or `invalid_token`; only HS256 is accepted, so `alg: none` or RS/HS confusion fail. */
export function verifyAccessToken(token: string, secret: string, now: Date): AccessTokenClaims {
	let payload: string | jwt.JwtPayload;
	try {
		payload = jwt.verify(token, secret, {
			algorithms: ['HS256'],
			issuer: ISSUER,
			audience: AUDIENCE,
			clockTimestamp: Math.floor(now.getTime() / 1000),
		});
	} catch (error) {
		if (error instanceof jwt.TokenExpiredError) {
			throw new HubError(401, 'token_expired', 'Access token has expired; refresh it');
		}
		throw invalidToken();
	}
	if (typeof payload === 'string' || typeof payload.sub !== 'string' || typeof payload.sid !== 'string') {
		throw invalidToken();
	}
	return { userId: payload.sub, sessionId: payload.sid };
}

export const invalidToken = () => new HubError(401, 'invalid_token', 'Missing or invalid access token');

const REFRESH_TOKEN_PATTERN = /^skr_[A-Za-z0-9_-]{43}$/;

export function generateRefreshToken(): { token: string; tokenHash: string } {
	const token = `skr_${randomBytes(32).toString('base64url')}`;
	return { token, tokenHash: hashRefreshToken(token) };
}

export function hashRefreshToken(token: string): string {
	return createHash('sha256').update(token).digest('hex');
}

export const isWellFormedRefreshToken = (token: string) => REFRESH_TOKEN_PATTERN.test(token);
