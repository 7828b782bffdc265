import { parseQueueQuery, queueHref } from './appeal-views';

describe('appeal queue views', () => {
  describe(parseQueueQuery.name, () => {
    it('reads the filters the queue form and links send, empty ones as absent', () => {
      expect(parseQueueQuery({ status: 'open', q: ' ada@example.com ', sla: 'breached', mine: '1', after: 'abc' })).toEqual({
        filters: { status: 'open', q: 'ada@example.com', sla: 'breached', mine: true, after: 'abc' },
        errors: {},
      });
      expect(parseQueueQuery({ status: '', q: '', sla: '', mine: '' })).toEqual({ filters: {}, errors: {} });
      expect(parseQueueQuery({ mine: 'on' }).filters).toEqual({ mine: true });
      expect(parseQueueQuery({ mine: '0' }).filters).toEqual({});
    });

    it('names the field of each filter it cannot read', () => {
      expect(parseQueueQuery({ status: 'shut', sla: 'late', mine: 'yes', q: ['a', 'b'] }).errors).toEqual({
        status: expect.stringContaining('Choose open, closed, all or one of'),
        sla: 'The only SLA filter is breached.',
        mine: 'Use mine=1 for the appeals you hold.',
        q: 'Give this filter once.',
      });
      expect(parseQueueQuery({ q: 'x'.repeat(255) }).errors).toEqual({ q: 'Search for at most 254 characters.' });
    });

    it('reads the views and orders, and refuses the deadline order for a view with closed appeals', () => {
      expect(parseQueueQuery({ status: 'closed', sort: 'newest' }).filters).toEqual({ status: 'closed', sort: 'newest' });
      expect(parseQueueQuery({ status: 'all', sort: 'oldest' }).filters).toEqual({ status: 'all', sort: 'oldest' });
      expect(parseQueueQuery({ status: 'submitted', sort: 'deadline' }).filters).toEqual({ status: 'submitted', sort: 'deadline' });
      expect(parseQueueQuery({ sort: 'deadline' }).filters).toEqual({ sort: 'deadline' });
      expect(parseQueueQuery({ sort: 'soonest' }).errors).toEqual({ sort: 'Choose one of: deadline, newest, oldest.' });
      for (const status of ['all', 'closed', 'completed'])
        expect(parseQueueQuery({ status, sort: 'deadline' }).errors).toEqual({
          sort: expect.stringContaining('Only open appeals have a deadline'),
        });
    });
  });

  it(`${queueHref.name} writes the filters back as a link, in one order`, () => {
    expect(queueHref({})).toBe('/agent/appeals');
    expect(queueHref({ status: 'all', sort: 'newest', q: 'Zhang' })).toBe('/agent/appeals?status=all&sort=newest&q=Zhang');
    expect(queueHref({ mine: true, status: 'submitted', q: 'a b@example.com', sla: 'breached' }, 'cur')).toBe(
      '/agent/appeals?status=submitted&q=a+b%40example.com&sla=breached&mine=1&after=cur',
    );
  });
});
