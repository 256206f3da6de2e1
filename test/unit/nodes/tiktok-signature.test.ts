import { createHmac } from 'node:crypto';

import {
	computeTikTokSignature,
	SIGNATURE_TOLERANCE_SECONDS,
	verifyTikTokSignature,
} from '../../../nodes/SkyBotTikTokTrigger/signature';
import { signTikTok, tiktokComment } from '../../fakes/tiktok-webhook';

const SECRET = 'tiktok-app-secret-9b1e';
const NOW = 1_780_000_000;
const body = Buffer.from(JSON.stringify(tiktokComment({ text: 'Prix ? 😍 très joli — 価格は？' })));

describe('verifyTikTokSignature', () => {
	it('accepts HMAC-SHA256(secret, "<t>.<raw body>") in hex, upper-case hex too', () => {
		const expected = createHmac('sha256', SECRET).update(`${NOW}.${body.toString('utf8')}`).digest('hex');
		const header = computeTikTokSignature(body, SECRET, NOW);
		expect(header).toBe(`t=${NOW},s=${expected}`);
		expect(signTikTok(body, SECRET, NOW)).toBe(header);
		expect(verifyTikTokSignature(body, header, SECRET, NOW)).toEqual({ valid: true });
		expect(verifyTikTokSignature(body, `t=${NOW},s=${expected.toUpperCase()}`, SECRET, NOW)).toEqual({ valid: true });
		// The order of the parts and spaces around them do not matter.
		expect(verifyTikTokSignature(body, `s=${expected}, t=${NOW}`, SECRET, NOW)).toEqual({ valid: true });
	});

	it('verifies the raw bytes, not re-serialised JSON', () => {
		const raw = Buffer.from('{"event":"im_receive_msg", "content":"{\\"text\\":{\\"body\\":\\"caf\\u00e9\\"}}"}');
		const header = computeTikTokSignature(raw, SECRET, NOW);
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8'))));
		expect(reserialised.equals(raw)).toBe(false);
		expect(verifyTikTokSignature(reserialised, header, SECRET, NOW)).toEqual({ valid: false, reason: 'mismatch' });
	});

	it('refuses another secret, a changed byte and a timestamp swapped into a genuine signature', () => {
		expect(verifyTikTokSignature(body, computeTikTokSignature(body, 'other', NOW), SECRET, NOW)).toEqual({ valid: false, reason: 'mismatch' });
		const tampered = Buffer.from(body);
		tampered[tampered.length - 2] ^= 0x01;
		expect(verifyTikTokSignature(tampered, computeTikTokSignature(body, SECRET, NOW), SECRET, NOW)).toEqual({ valid: false, reason: 'mismatch' });
		// The timestamp is signed: a replay cannot freshen an old signature by rewriting t.
		const old = computeTikTokSignature(body, SECRET, NOW - 3600);
		expect(verifyTikTokSignature(body, old.replace(`t=${NOW - 3600}`, `t=${NOW}`), SECRET, NOW)).toEqual({ valid: false, reason: 'mismatch' });
	});

	it('accepts up to 5 minutes of clock difference either way, and refuses beyond', () => {
		for (const offset of [-SIGNATURE_TOLERANCE_SECONDS, 0, SIGNATURE_TOLERANCE_SECONDS]) {
			expect(verifyTikTokSignature(body, computeTikTokSignature(body, SECRET, NOW + offset), SECRET, NOW)).toEqual({ valid: true });
		}
		for (const offset of [-SIGNATURE_TOLERANCE_SECONDS - 1, SIGNATURE_TOLERANCE_SECONDS + 1, -86_400]) {
			expect(verifyTikTokSignature(body, computeTikTokSignature(body, SECRET, NOW + offset), SECRET, NOW)).toEqual({
				valid: false,
				reason: 'stale_timestamp',
			});
		}
	});

	it('refuses malformed headers', () => {
		const good = computeTikTokSignature(body, SECRET, NOW);
		const hex = good.split('s=')[1];
		for (const header of [
			hex,
			`t=${NOW}`,
			`s=${hex}`,
			`t=${NOW},s=${hex.slice(0, -2)}`,
			`t=${NOW},s=${hex}00`,
			`t=${NOW},s=${hex.slice(0, -1)}g`,
			`t=soon,s=${hex}`,
			`t=${NOW},s=${hex},s=${hex}`,
			`t=${NOW},s=${hex},`,
			`sha256=${hex}`,
		]) {
			expect(verifyTikTokSignature(body, header, SECRET, NOW)).toEqual({ valid: false, reason: 'malformed_signature' });
		}
		expect(verifyTikTokSignature(body, [good, good], SECRET, NOW)).toEqual({ valid: false, reason: 'malformed_signature' });
	});

	it('refuses a missing header and an unset secret', () => {
		expect(verifyTikTokSignature(body, undefined, SECRET, NOW)).toEqual({ valid: false, reason: 'missing_signature' });
		expect(verifyTikTokSignature(body, '', SECRET, NOW)).toEqual({ valid: false, reason: 'missing_signature' });
		expect(verifyTikTokSignature(body, computeTikTokSignature(body, '', NOW), '', NOW)).toEqual({ valid: false, reason: 'missing_secret' });
	});
});
