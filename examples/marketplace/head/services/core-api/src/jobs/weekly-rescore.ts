import cron from 'node-cron';
import { logger } from '../lib/logger';
import { supabase } from '../lib/supabase';

const BATCH_SIZE = 500;

interface CandidateRow {
  id: string;
}

/**
 * Matching v2: every Sunday, queue a re-score for each active candidate.
 * The worker drains `job_queue` and calls the AI engine.
 */
export async function enqueueWeeklyRescore(): Promise<number> {
  const { data, error } = await supabase.from('candidates').select('id').eq('status', 'active');
  if (error) throw error;

  const rows = ((data ?? []) as CandidateRow[]).map((candidate) => ({
    type: 'rescore',
    payload: { candidate_id: candidate.id, requested_at: new Date().toISOString() },
    status: 'pending',
  }));

  for (let i = 0; i < rows.length; i += BATCH_SIZE) {
    const { error: insertError } = await supabase.from('job_queue').insert(rows.slice(i, i + BATCH_SIZE));
    if (insertError) throw insertError;
  }

  logger.info({ job: 'weekly-rescore', count: rows.length }, 'weekly rescore enqueued');
  return rows.length;
}

export function scheduleWeeklyRescore(): cron.ScheduledTask {
  return cron.schedule(
    '0 3 * * 0',
    async () => {
      try {
        await enqueueWeeklyRescore();
      } catch (err) {
        logger.error({ err, job: 'weekly-rescore' }, 'weekly rescore failed');
      }
    },
    { timezone: 'UTC' },
  );
}
