import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Lead phones are judged here, against libphonenumber's full ("max") metadata: the number ranges each country has
 * actually assigned. The default ("min") metadata checks lengths alone, so +33 7 12 34 56 78 (a French mobile length
 * in a range France has not opened) would pass it, as it passes the SkyBot node's dependency-free pattern pass
 * (nodes/SkyBotAi/helpers/phone.ts), which only finds candidates in a customer's text. The full metadata weighs
 * 145 kB, nothing for a server, and it is the one Google's own libphonenumber always uses.
 */

export type { CountryCode };

export const isPhoneCountry = (value: string): value is CountryCode => isSupportedCountry(value);

/**
 * A written phone number in E.164 (+33612345678), or undefined when it is not a valid number. International
 * writing is read as it is (+33 6 12 34 56 78, +33 (0)6…); national writing (06 12 34 56 78) only with the
 * country it is dialled in. The whole value must be the number (no "call me at …"), and an extension is refused
 * rather than silently dropped, since E.164 cannot hold it.
 */
export function toE164(written: string, country?: CountryCode): string | undefined {
	const phone = parsePhoneNumberFromString(written, { defaultCountry: country, extract: false });
	return phone?.isValid() && !phone.ext ? phone.number : undefined;
}
