/**
 * What a chat message may not say: words of a list, and links (the usual scam at a live table is
 * "message me at ..."). Matching ignores case, accents, l33t spelling and letters spaced apart, and
 * takes a word with any ending ("fucking" for "fuck") but not a word that only contains one
 * ("Scunthorpe", "assessment"): a false refusal angers a paying player as much as a slur does.
 */

/** The default list: common English profanity. An operator sets their own (CHAT_BLOCKED_WORDS). */
export const DEFAULT_BLOCKED_WORDS: readonly string[] = [
  'fuck',
  'shit',
  'cunt',
  'bitch',
  'asshole',
  'bastard',
  'dickhead',
  'wanker',
  'twat',
  'bollocks',
  'motherfucker',
  'whore',
  'slut',
];

export type ModerationVerdict = { ok: true; text: string } | { ok: false; reason: 'blocked_word' | 'link' | 'empty' };

const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
};

const LINK = /(?:https?:\/\/|www\.|\b[a-z0-9-]{2,}\.(?:com|net|org|io|me|gg|co|ru|xyz|info|biz|app|link|ly|to)\b)/i;

export class ChatModeration {
  readonly #stems: readonly string[];

  constructor(blockedWords: readonly string[] = DEFAULT_BLOCKED_WORDS) {
    this.#stems = [...new Set(blockedWords.map((w) => fold(w).replace(/[^a-z]/g, '')).filter((w) => w.length >= 2))];
  }

  /** `CHAT_BLOCKED_WORDS` as configured (comma-separated), else the default list. */
  static fromSetting(setting: string | undefined): ChatModeration {
    return new ChatModeration(setting === undefined ? DEFAULT_BLOCKED_WORDS : setting.split(','));
  }

  /**
   * The message as it will be stored (control characters removed, white space collapsed), or why
   * it is refused.
   */
  check(raw: string): ModerationVerdict {
    const text = raw
      .normalize('NFC')
      .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
    if (text === '') return { ok: false, reason: 'empty' };
    // Spelled out to pass a filter: "site dot com", "site(dot)com", "site . com".
    const spelled = fold(text).replace(/\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*|\s+\.\s+/g, '.');
    if (LINK.test(text) || LINK.test(spelled)) {
      return { ok: false, reason: 'link' };
    }
    for (const word of words(text)) {
      if (this.#stems.some((stem) => word.startsWith(stem))) return { ok: false, reason: 'blocked_word' };
    }
    return { ok: true, text };
  }
}

/** Lower case, accents off, l33t letters read as letters. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[0-9@$!|]/g, (c) => LEET[c] ?? c);
}

/**
 * The words of a message, folded, each also joined with the next ones when they are single letters
 * ("f u c k", "f.u.c.k" -> "fuck") and with their in-word punctuation removed ("sh*t" -> "sht").
 */
function words(text: string): string[] {
  const tokens = fold(text)
    .split(/[\s,;:?"'()[\]{}<>/\\]+/)
    .filter(Boolean);
  const out: string[] = [];
  let letters = '';
  for (const token of tokens) {
    const parts = token.split(/[.\-_*+~^=#%&]+/).filter(Boolean);
    const single = parts.length > 0 && parts.every((p) => p.length === 1);
    if (single) {
      letters += parts.join('');
      continue;
    }
    if (letters.length >= 2) out.push(letters);
    letters = '';
    out.push(token.replace(/[^a-z]/g, ''));
    for (const p of parts) out.push(p.replace(/[^a-z]/g, ''));
  }
  if (letters.length >= 2) out.push(letters);
  return out;
}
