import { describe, expect, it } from 'vitest';
import { ChatModeration } from '../src/chat/ChatModeration.js';

describe('ChatModeration', () => {
  const m = new ChatModeration();

  it('refuses listed words however they are spelled', () => {
    for (const text of [
      'fuck',
      'FUCKING hell',
      'f u c k',
      'f.u.c.k',
      'fück',
      'sh1t',
      '$hit',
      'a5shole',
      'you b!tch',
      'Motherfucker',
    ]) {
      expect(m.check(text), text).toEqual({ ok: false, reason: 'blocked_word' });
    }
  });

  it('lets through words that only contain a listed one, and ordinary chat', () => {
    for (const text of [
      'Scunthorpe',
      'assessment',
      'class act',
      'shiitake',
      'I am in',
      'nice 1',
      'GL all! 7 red?',
      'a b c',
    ]) {
      expect(m.check(text), text).toMatchObject({ ok: true });
    }
  });

  it('refuses links, spelled out too', () => {
    for (const text of [
      'http://x.y',
      'https://bonus',
      'www.casino',
      'visit bigwins.com',
      'bigwins dot com',
      'bigwins(dot)net',
      'bigwins . io',
    ]) {
      expect(m.check(text), text).toEqual({ ok: false, reason: 'link' });
    }
    expect(m.check('e.g. 17 or i.e. red').ok).toBe(true);
    expect(m.check('I lost. co-workers say hi').ok).toBe(true);
  });

  it('stores the text cleaned: control and invisible characters out, white space collapsed; empty is refused', () => {
    expect(m.check(' hi\u0000\u200b  there\n')).toEqual({ ok: true, text: 'hi there' });
    expect(m.check(' \u200b\t ')).toEqual({ ok: false, reason: 'empty' });
  });

  it('takes an operator list instead of the default', () => {
    const own = ChatModeration.fromSetting('lemon, Cherry');
    expect(own.check('lemons!').ok).toBe(false);
    expect(own.check('CHERRY').ok).toBe(false);
    expect(own.check('fuck').ok).toBe(true);
  });
});
