import cron from 'node-cron';
import { logger } from '../lib/logger';
import { supabase } from '../lib/supabase';

const LOCK_NAME = 'nightly-digest';
const LOCK_TTL_SECONDS = 60 * 60;

// In-process guard: a slow run must not overlap with the next tick.
let running = false;

interface RunRow {
  candidate_id: string;
  results: { job_id: string; score: number }[];
}

export async function runNightlyDigest(now = new Date()): Promise<number> {
  if (running) {
    logger.warn({ job: LOCK_NAME }, 'previous run still in progress; skipping tick');
    return 0;
  }
  running = true;

  // Cross-instance guard: only one replica sends the digest.
  const { data: acquired, error: lockError } = await supabase.rpc('try_acquire_job_lock', {
    lock_name: LOCK_NAME,
    ttl_seconds: LOCK_TTL_SECONDS,
  });
  if (lockError || !acquired) {
    running = false;
    logger.info({ job: LOCK_NAME, lockError }, 'lock held elsewhere; skipping');
    return 0;
  }

  try {
    const since = new Date(now.getTime() - 24 * 60 * 60 * 1000).toISOString();
    const { data, error } = await supabase
      .from('match_runs')
      .select('candidate_id, results')
      .eq('source', 'ai-engine')
      .gte('created_at', since);
    if (error) throw error;

    const day = now.toISOString().slice(0, 10);
    const digests = ((data ?? []) as RunRow[]).map((run) => ({
      candidate_id: run.candidate_id,
      top_job_ids: run.results.slice(0, 5).map((r) => r.job_id),
      // One digest per candidate per day, even if the job runs twice.
      idempotency_key: `digest:${run.candidate_id}:${day}`,
    }));

    const { error: insertError } = await supabase
      .from('digest_emails')
      .upsert(digests, { onConflict: 'idempotency_key', ignoreDuplicates: true });
    if (insertError) throw insertError;

    logger.info({ job: LOCK_NAME, count: digests.length }, 'nightly digest queued');
    return digests.length;
  } finally {
    await supabase.rpc('release_job_lock', { lock_name: LOCK_NAME });
    running = false;
  }
}

export function scheduleNightlyDigest(): cron.ScheduledTask {
  return cron.schedule(
    '0 6 * * *',
    () => {
      runNightlyDigest().catch((err) => logger.error({ err, job: LOCK_NAME }, 'nightly digest failed'));
    },
    { timezone: 'UTC' },
  );
}
