import type { MatchResult } from './ai-client';
import { supabase } from './supabase';

export const FALLBACK_REASON = 'AI ranking unavailable; sorted by most recent posting';

/**
 * Ranking used when the AI engine is down or times out: newest postings
 * first. Scores are 0 so the UI can tell a degraded run from a real one.
 */
export async function fallbackRanking(jobIds: string[]): Promise<MatchResult[]> {
  const { data, error } = await supabase
    .from('jobs')
    .select('id, posted_at')
    .in('id', jobIds)
    .order('posted_at', { ascending: false });
  if (error) throw error;

  const found = new Set((data ?? []).map((job) => job.id as string));
  const missing = jobIds.filter((id) => !found.has(id));

  return [...(data ?? []).map((job) => job.id as string), ...missing].map((jobId) => ({
    job_id: jobId,
    score: 0,
    reasons: [FALLBACK_REASON],
  }));
}
