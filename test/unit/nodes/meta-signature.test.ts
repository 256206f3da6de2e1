import { createHmac } from 'node:crypto';

import {
	answerHandshake,
	computeMetaSignature,
	safeEqualStrings,
	verifyMetaSignature,
} from '../../../nodes/SkyBotMetaTrigger/signature';
import { instagramComment, serializeLikeMeta, sign, whatsappText } from '../../fakes/meta-webhook';

const SECRET = 'app-secret-3f9c';

describe('verifyMetaSignature', () => {
	it('matches the published HMAC-SHA256 test vector', () => {
		const body = Buffer.from('The quick brown fox jumps over the lazy dog');
		const header = 'sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8';
		expect(computeMetaSignature(body, 'key')).toBe(header);
		expect(verifyMetaSignature(body, header, 'key')).toEqual({ valid: true });
	});

	it('accepts a valid signature, in upper-case hex too', () => {
		const body = Buffer.from('{"object":"page","entry":[]}');
		const header = sign(body, SECRET);
		expect(verifyMetaSignature(body, header, SECRET)).toEqual({ valid: true });
		expect(verifyMetaSignature(body, `sha256=${header.slice(7).toUpperCase()}`, SECRET)).toEqual({ valid: true });
	});

	it('verifies the raw bytes of Meta-escaped unicode (accents, emoji as surrogate pairs, non-Latin scripts)', () => {
		const payload = instagramComment({ text: 'Prix ? 😍 très joli — 価格は？ Привет مرحبا' });
		const raw = serializeLikeMeta(payload);
		expect(raw).toContain('\\ud83d\\ude0d');
		expect(raw).not.toMatch(/[^\x00-\x7f]/);
		const rawBytes = Buffer.from(raw, 'utf8');
		const header = sign(rawBytes, SECRET);

		expect(verifyMetaSignature(rawBytes, header, SECRET)).toEqual({ valid: true });
		// Re-serialising the parsed JSON gives other bytes (UTF-8 instead of \u escapes): verifying those must fail,
		// which is why the trigger verifies req.rawBody and never the parsed body.
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw)), 'utf8');
		expect(reserialised.equals(rawBytes)).toBe(false);
		expect(verifyMetaSignature(reserialised, header, SECRET)).toEqual({ valid: false, reason: 'mismatch' });
	});

	it('verifies a WhatsApp body carrying an emoji and an accented name', () => {
		const raw = Buffer.from(serializeLikeMeta(whatsappText({ profileName: 'Chloé', text: 'Devis 🙏' })));
		expect(verifyMetaSignature(raw, sign(raw, SECRET), SECRET)).toEqual({ valid: true });
	});

	it('refuses a signature made with another secret', () => {
		const body = Buffer.from('{"object":"page"}');
		expect(verifyMetaSignature(body, sign(body, 'another-secret'), SECRET)).toEqual({ valid: false, reason: 'mismatch' });
	});

	it('refuses a signature without the sha256= prefix, or with the sha1 prefix of the legacy header', () => {
		const body = Buffer.from('{}');
		const hex = createHmac('sha256', SECRET).update(body).digest('hex');
		expect(verifyMetaSignature(body, hex, SECRET)).toEqual({ valid: false, reason: 'malformed_signature' });
		expect(verifyMetaSignature(body, `sha1=${hex}`, SECRET)).toEqual({ valid: false, reason: 'malformed_signature' });
	});

	it('refuses signatures of the wrong length or with non-hex characters', () => {
		const body = Buffer.from('{}');
		const header = sign(body, SECRET);
		expect(verifyMetaSignature(body, header.slice(0, -2), SECRET)).toEqual({ valid: false, reason: 'malformed_signature' });
		expect(verifyMetaSignature(body, `${header}00`, SECRET)).toEqual({ valid: false, reason: 'malformed_signature' });
		expect(verifyMetaSignature(body, `${header.slice(0, -1)}g`, SECRET)).toEqual({
			valid: false,
			reason: 'malformed_signature',
		});
	});

	it('refuses a body with one byte changed', () => {
		const body = Buffer.from(serializeLikeMeta(whatsappText({ text: 'Bonjour' })));
		const header = sign(body, SECRET);
		const tampered = Buffer.from(body);
		tampered[tampered.length - 3] ^= 0x01;
		expect(verifyMetaSignature(tampered, header, SECRET)).toEqual({ valid: false, reason: 'mismatch' });
	});

	it('refuses a missing or empty header, a repeated header, and an unset app secret', () => {
		const body = Buffer.from('{}');
		const header = sign(body, SECRET);
		expect(verifyMetaSignature(body, undefined, SECRET)).toEqual({ valid: false, reason: 'missing_signature' });
		expect(verifyMetaSignature(body, '', SECRET)).toEqual({ valid: false, reason: 'missing_signature' });
		expect(verifyMetaSignature(body, [header, header], SECRET)).toEqual({ valid: false, reason: 'malformed_signature' });
		expect(verifyMetaSignature(body, header, '')).toEqual({ valid: false, reason: 'missing_secret' });
	});

	it('checks an empty body like any other: its own signature passes, another body’s does not', () => {
		const empty = Buffer.alloc(0);
		expect(verifyMetaSignature(empty, sign(empty, SECRET), SECRET)).toEqual({ valid: true });
		expect(verifyMetaSignature(empty, sign('{}', SECRET), SECRET)).toEqual({ valid: false, reason: 'mismatch' });
	});
});

describe('answerHandshake', () => {
	const query = (overrides: Record<string, unknown> = {}) => ({
		'hub.mode': 'subscribe',
		'hub.verify_token': 'verify-me',
		'hub.challenge': '1158201444',
		...overrides,
	});

	it('echoes the challenge for the right token', () => {
		expect(answerHandshake(query(), 'verify-me')).toEqual({ status: 200, challenge: '1158201444' });
	});

	it('refuses a wrong token, a wrong mode, a missing challenge, and an unconfigured token', () => {
		expect(answerHandshake(query({ 'hub.verify_token': 'verify-m' }), 'verify-me')).toEqual({ status: 403 });
		expect(answerHandshake(query({ 'hub.verify_token': undefined }), 'verify-me')).toEqual({ status: 403 });
		expect(answerHandshake(query({ 'hub.mode': 'unsubscribe' }), 'verify-me')).toEqual({ status: 403 });
		expect(answerHandshake(query({ 'hub.challenge': undefined }), 'verify-me')).toEqual({ status: 403 });
		expect(answerHandshake(query({ 'hub.verify_token': '' }), '')).toEqual({ status: 403 });
		expect(answerHandshake(query({ 'hub.verify_token': ['verify-me', 'x'] }), 'verify-me')).toEqual({ status: 403 });
	});

	it('compares tokens exactly', () => {
		expect(safeEqualStrings('abc', 'abc')).toBe(true);
		expect(safeEqualStrings('abc', 'abcd')).toBe(false);
		expect(safeEqualStrings('abc', 'ABC')).toBe(false);
	});
});
