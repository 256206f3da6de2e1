import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { COUNTRIES, DEFAULT_COUNTRY, findPhoneNumbers, isCountryCode, readPhoneAnswer } from '../../helpers/phone';
import { buildPhoneMessages } from '../../helpers/prompts';
import { completeEachItem, modelProperty, optionsProperty } from './common';

const DEFAULTS = { maxTokens: 40, temperature: 0 };

const properties: INodeProperties[] = [
	modelProperty,
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '={{ $json.text }}',
		description: 'The text to look for a phone number in. Empty → no API call and no number.',
	},
	{
		displayName: 'Default Country',
		name: 'defaultCountry',
		type: 'options',
		options: Object.entries(COUNTRIES)
			.map(([code, country]) => ({ name: `${country.name} (+${country.callingCode})`, value: code }))
			.sort((a, b) => a.name.localeCompare(b.name)),
		default: DEFAULT_COUNTRY,
		description: 'Country of numbers written without a country code (06 12 34 56 78 → +33612345678)',
	},
	{
		displayName: 'Use AI Fallback',
		name: 'useAiFallback',
		type: 'boolean',
		default: true,
		description:
			'Whether to ask the model when the text has no unambiguous number (none, several, or written in words). Off: only numbers found by the built-in pattern count.',
	},
	optionsProperty(DEFAULTS),
];

export const description = updateDisplayOptions(
	{ show: { resource: ['text'], operation: ['extractPhone'] } },
	properties,
);

/**
 * Adds `phone`: `number` (E.164 or null), `raw` (as written), `source` (text, ai or none) and the model's usage and
 * cost (zero when no API call was made). A pattern pass runs first: exactly one number in the text settles it
 * without calling the model; the model's answer, when asked, is validated in code like any other input.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await completeEachItem.call(this, items, {
		resultField: 'phone',
		// No whenBlank: a blank text is just a text without a number, settled as `none` below.
		textParameter: 'text',
		defaults: DEFAULTS,
		prompt: (itemIndex, text) => {
			const country = this.getNodeParameter('defaultCountry', itemIndex, DEFAULT_COUNTRY);
			if (!isCountryCode(country)) {
				throw new NodeOperationError(this.getNode(), `Unknown default country "${String(country)}"`, { itemIndex });
			}
			const useAiFallback = this.getNodeParameter('useAiFallback', itemIndex, true) as boolean;

			const found = findPhoneNumbers(text, country);
			if (found.length === 1) return { withoutCall: { ...found[0], source: 'text' } };
			if (text.trim() === '' || !useAiFallback) return { withoutCall: { number: null, raw: null, source: 'none' } };

			const { name, callingCode } = COUNTRIES[country];
			return {
				messages: buildPhoneMessages({ text, countryName: name, callingCode }),
				parse: (answer) => ({ ...readPhoneAnswer(answer, country), source: 'ai' }),
			};
		},
	});
}
