import { describe, expect, it } from 'vitest';
import { deliveryVerdict } from '../../src/mail/delivery';
import { createThrottle } from '../../src/mail/throttle';

describe('what a failed hand-over to the mail server means', () => {
  it('when the server replied, then 4xx is temporary and 5xx permanent; without a reply, only a failure before the message is temporary', () => {
    expect(deliveryVerdict({ responseCode: 451, command: 'RCPT TO', code: 'EENVELOPE' })).toBe('temporary');
    expect(deliveryVerdict({ responseCode: 421, command: 'DATA' })).toBe('temporary');
    expect(deliveryVerdict({ responseCode: 550, command: 'RCPT TO' })).toBe('permanent');
    expect(deliveryVerdict({ responseCode: 554, command: 'DATA' })).toBe('permanent');
    expect(deliveryVerdict({ code: 'ECONNECTION', command: 'CONN' })).toBe('temporary');
    expect(deliveryVerdict({ code: 'ETIMEDOUT', command: 'MAIL FROM' })).toBe('temporary');
    expect(deliveryVerdict(new Error('connect ECONNREFUSED'))).toBe('temporary');
    // the connection broke after the message was handed over: the server may have it
    expect(deliveryVerdict({ code: 'ETIMEDOUT', command: 'DATA' })).toBe('uncertain');
    expect(deliveryVerdict({ code: 'EENVELOPE' })).toBe('permanent');
  });
});

describe('the mail throttle', () => {
  it('when letters follow each other, then they are spaced by the overall rate and, to one domain, by the domain rate', async () => {
    let now = 0;
    const sent: [string, number][] = [];
    const clock = {
      now: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
    };
    const wait = createThrottle({ perSecond: 10, perDomain: 2 }, clock);
    for (const to of ['a@mail.ru', 'b@yandex.ru', 'c@MAIL.ru', 'd@gmail.com', 'e@mail.ru']) {
      await wait(to);
      sent.push([to, now]);
    }
    // 100 ms apart overall; mail.ru letters 500 ms apart (the domain is compared without case)
    expect(sent).toEqual([
      ['a@mail.ru', 0],
      ['b@yandex.ru', 100],
      ['c@MAIL.ru', 500],
      ['d@gmail.com', 600],
      ['e@mail.ru', 1000],
    ]);
  });
});
