/**
 * How a scenario compares words, in any language: both the keyword and the message are cut into words on Unicode
 * word boundaries (UAX #29, with ICU's dictionaries for scripts written without spaces: Thai, Chinese, Japanese…),
 * then each word is folded so that case and accents do not matter. A keyword (one word or a phrase) matches when its
 * words appear in the message consecutively: "prix" matches "le prix ?" and "PRIX!" but not "prixe" or "surprix".
 *
 * Cutting the original text first, and folding each word after, keeps the dictionaries working: folding strips
 * combining marks, which in Thai (or Devanagari) are the vowel and tone signs a dictionary needs to find the words.
 */

/** One segmenter for every call: the boundaries do not depend on a locale for the scripts the dictionaries cover. */
const SEGMENTER = new Intl.Segmenter('und', { granularity: 'word' });

/** Inside a word, an apostrophe still separates words for matching: "l'offre" reads "l" "offre", "aujourd'hui" too. */
const APOSTROPHES = /['\u2019\u02bc\uff07]/u;
/**
 * Removed by folding: combining marks (accents, cedillas, Arabic harakat, emoji variation selectors), emoji skin
 * tones (👍🏽 matches 👍), and the Arabic tatweel that only stretches a word.
 */
const FOLDED_AWAY = /[\p{M}\p{Emoji_Modifier}\u0640]/gu;
/** What a segment that is not a word must contain to count: a symbol or emoji ("€", "👍"), not only punctuation. */
const MEANINGFUL = /[^\p{P}\p{Z}\p{C}\s]/u;

/**
 * Case and accents folded: compatibility decomposition (NFKD: accents apart, and full-width "ＰＲＩＸ" or the "ﬁ"
 * ligature as plain letters), marks stripped, lower case, and the two letters lower-casing leaves apart (ß, final ς).
 */
export function foldWord(word: string): string {
	return word
		.toLowerCase()
		.normalize('NFKD')
		.replace(FOLDED_AWAY, '')
		.replace(/ß/g, 'ss')
		.replace(/ς/g, 'σ');
}

/** The folded words of `text`, in order: what keywords are matched against. */
export function wordsOf(text: string): string[] {
	const words: string[] = [];
	for (const { segment, isWordLike } of SEGMENTER.segment(text)) {
		if (!isWordLike && !MEANINGFUL.test(segment)) continue;
		for (const part of isWordLike ? segment.split(APOSTROPHES) : [segment]) {
			const folded = foldWord(part);
			if (folded) words.push(folded);
		}
	}
	return words;
}

/**
 * A message's words indexed by word, built once per message, so each keyword costs a lookup of its first word rather
 * than a scan of the whole text.
 */
export class WordIndex {
	private readonly words: string[];
	private readonly positions = new Map<string, number[]>();

	constructor(text: string) {
		this.words = wordsOf(text);
		this.words.forEach((word, index) => {
			const at = this.positions.get(word);
			if (at) at.push(index);
			else this.positions.set(word, [index]);
		});
	}

	/** True when the keyword's words (`wordsOf(keyword)`) stand consecutively in the text; never for no words. */
	contains(phrase: readonly string[]): boolean {
		if (phrase.length === 0) return false;
		const starts = this.positions.get(phrase[0]!) ?? [];
		return starts.some((start) => phrase.every((word, offset) => this.words[start + offset] === word));
	}
}

/** Keywords come back with every message of an agent: their words are kept (a bounded memo, emptied when full). */
const KEYWORD_MEMO_SIZE = 10_000;
const keywordWords = new Map<string, string[]>();

/** `wordsOf(keyword)`, remembered. */
export function wordsOfKeyword(keyword: string): string[] {
	let words = keywordWords.get(keyword);
	if (!words) {
		if (keywordWords.size >= KEYWORD_MEMO_SIZE) keywordWords.clear();
		words = wordsOf(keyword);
		keywordWords.set(keyword, words);
	}
	return words;
}
