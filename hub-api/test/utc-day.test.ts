import { utcDayOf } from '../src/modules/quotas/quota-store';

describe('utcDayOf', () => {
	it('names the UTC day and its reset time, and follows the clock across midnight in both directions', () => {
		const at = (iso: string) => utcDayOf(new Date(iso));
		expect(at('2026-03-10T23:59:59.999Z')).toMatchObject({ date: '2026-03-10', resetAt: '2026-03-11T00:00:00.000Z' });
		expect(at('2026-03-11T00:00:00.000Z')).toMatchObject({ date: '2026-03-11', resetAt: '2026-03-12T00:00:00.000Z' });
		// Back again (tests move the hub's clock; a replica's clock may be corrected): the remembered day is not reused.
		expect(at('2026-03-10T12:00:00.000Z')).toMatchObject({ date: '2026-03-10', resetAt: '2026-03-11T00:00:00.000Z' });
		expect(at('2026-12-31T18:00:00.000Z')).toMatchObject({ date: '2026-12-31', resetAt: '2027-01-01T00:00:00.000Z' });
	});
});
