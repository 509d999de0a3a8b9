import { Router } from 'express';
import { aiClient, AiEngineError, type MatchResult } from '../lib/ai-client';
import { fallbackRanking } from '../lib/fallback-ranking';
import { logger } from '../lib/logger';
import { supabase } from '../lib/supabase';

export const matchesRouter = Router();

const RUN_COLUMNS = 'id, candidate_id, job_ids, results, source, created_at';

interface CreateMatchesBody {
  candidateId?: string;
  jobIds?: string[];
  limit?: number;
}

function rank(results: MatchResult[]): MatchResult[] {
  return [...results].sort((a, b) => b.score - a.score);
}

matchesRouter.post('/', async (req, res, next) => {
  const { candidateId, jobIds, limit } = req.body as CreateMatchesBody;
  if (!candidateId || !Array.isArray(jobIds) || jobIds.length === 0) {
    return res.status(400).json({ error: 'candidateId and a non-empty jobIds array are required' });
  }

  try {
    let results: MatchResult[];
    let source: 'ai-engine' | 'fallback' = 'ai-engine';
    try {
      results = rank(await aiClient.match({ candidate_id: candidateId, job_ids: jobIds, limit }));
    } catch (err) {
      if (!(err instanceof AiEngineError)) throw err;
      logger.warn({ err, candidateId }, 'ai-engine unavailable, using fallback ranking');
      results = await fallbackRanking(jobIds);
      source = 'fallback';
    }

    const { data, error } = await supabase
      .from('match_runs')
      .insert({ candidate_id: candidateId, job_ids: jobIds, results, source })
      .select(RUN_COLUMNS)
      .single();
    if (error) throw error;
    return res.status(201).json(data);
  } catch (err) {
    return next(err);
  }
});

matchesRouter.get('/:id', async (req, res, next) => {
  try {
    const { data: run, error } = await supabase
      .from('match_runs')
      .select(RUN_COLUMNS)
      .eq('id', req.params.id)
      .maybeSingle();
    if (error) throw error;
    if (!run) return res.status(404).json({ error: 'match run not found' });
    if (run.source !== 'fallback') return res.json(run);

    // A degraded run is upgraded to a real ranking once the AI engine is back.
    try {
      const results = rank(await aiClient.match({ candidate_id: run.candidate_id, job_ids: run.job_ids }));
      const { error: updateError } = await supabase
        .from('match_runs')
        .update({ results, source: 'ai-engine' })
        .eq('id', run.id);
      if (updateError) throw updateError;
      return res.json({ ...run, results, source: 'ai-engine' });
    } catch (err) {
      logger.warn({ err, runId: run.id }, 'could not upgrade fallback run; serving stored results');
      return res.json({ ...run, degraded: true });
    }
  } catch (err) {
    return next(err);
  }
});
