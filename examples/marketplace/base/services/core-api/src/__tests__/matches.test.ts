import request from 'supertest';

jest.mock('../lib/supabase', () => {
  const builder: Record<string, jest.Mock> = {};
  for (const method of ['from', 'insert', 'update', 'select', 'eq', 'in', 'order', 'single', 'maybeSingle']) {
    builder[method] = jest.fn(() => builder);
  }
  return { supabase: builder, UNIQUE_VIOLATION: '23505' };
});
jest.mock('../webhooks/stripe', () => ({ stripeWebhookHandler: jest.fn() }));

import { app } from '../index';
import { aiClient, AiEngineError } from '../lib/ai-client';
import { supabase } from '../lib/supabase';

const db = supabase as unknown as Record<string, jest.Mock>;

describe('POST /api/matches', () => {
  afterEach(() => jest.restoreAllMocks());

  it('rejects a request without job ids', async () => {
    const res = await request(app).post('/api/matches').send({ candidateId: 'cand_1' });
    expect(res.status).toBe(400);
  });

  it('stores AI engine results ranked by score', async () => {
    const match = jest.spyOn(aiClient, 'match').mockResolvedValue([
      { job_id: 'job_a', score: 0.4, reasons: ['2 of 5 skills'] },
      { job_id: 'job_b', score: 0.9, reasons: ['5 of 5 skills'] },
    ]);
    db.single.mockImplementationOnce(async () => ({
      data: { id: 'run_1', source: 'ai-engine', results: [] },
      error: null,
    }));

    const res = await request(app)
      .post('/api/matches')
      .send({ candidateId: 'cand_1', jobIds: ['job_a', 'job_b'] });

    expect(res.status).toBe(201);
    expect(match).toHaveBeenCalledWith({ candidate_id: 'cand_1', job_ids: ['job_a', 'job_b'], limit: undefined });
    const inserted = db.insert.mock.calls.at(-1)?.[0];
    expect(inserted.results.map((r: { job_id: string }) => r.job_id)).toEqual(['job_b', 'job_a']);
  });

  it('falls back to recency ranking when the AI engine is down', async () => {
    jest.spyOn(aiClient, 'match').mockRejectedValue(new AiEngineError('AI engine unavailable'));
    db.order.mockImplementationOnce(async () => ({
      data: [{ id: 'job_b', posted_at: '2024-06-02' }, { id: 'job_a', posted_at: '2024-06-01' }],
      error: null,
    }));
    db.single.mockImplementationOnce(async () => ({ data: { id: 'run_2', source: 'fallback' }, error: null }));

    const res = await request(app)
      .post('/api/matches')
      .send({ candidateId: 'cand_1', jobIds: ['job_a', 'job_b'] });

    expect(res.status).toBe(201);
    expect(db.insert.mock.calls.at(-1)?.[0].source).toBe('fallback');
  });
});
