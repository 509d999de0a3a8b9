'use client';

import { useState, type FormEvent } from 'react';
import { useCreateMatches, useMatchRun, type Match } from '@/hooks/useMatches';

function formatScore(match: Match): string {
  return `${Math.round(match.score * 100)}%`;
}

function parseJobIds(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((id) => id.trim())
    .filter(Boolean);
}

export default function MatchesPage() {
  const [candidateId, setCandidateId] = useState('');
  const [jobIdsText, setJobIdsText] = useState('');
  const [runId, setRunId] = useState<string | null>(null);

  const createMatches = useCreateMatches();
  const { data: run, isLoading, error } = useMatchRun(runId);

  const handleSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    createMatches.mutate(
      { candidateId, jobIds: parseJobIds(jobIdsText) },
      { onSuccess: (created) => setRunId(created.id) },
    );
  };

  return (
    <main className="mx-auto max-w-3xl p-6">
      <h1 className="text-2xl font-semibold">Job matches</h1>

      <form onSubmit={handleSubmit} className="mt-4 space-y-3">
        <label className="block">
          <span className="text-sm font-medium">Candidate ID</span>
          <input
            value={candidateId}
            onChange={(e) => setCandidateId(e.target.value)}
            required
            className="mt-1 w-full rounded border px-3 py-2"
          />
        </label>
        <label className="block">
          <span className="text-sm font-medium">Job IDs (comma or newline separated)</span>
          <textarea
            value={jobIdsText}
            onChange={(e) => setJobIdsText(e.target.value)}
            rows={4}
            required
            className="mt-1 w-full rounded border px-3 py-2"
          />
        </label>
        <button
          type="submit"
          disabled={createMatches.isPending}
          className="rounded bg-indigo-600 px-4 py-2 text-white disabled:opacity-50"
        >
          {createMatches.isPending ? 'Matching…' : 'Find matches'}
        </button>
        {createMatches.error && <p role="alert">{createMatches.error.message}</p>}
      </form>

      {isLoading && <p className="mt-6">Loading results…</p>}
      {error && <p role="alert">{error.message}</p>}

      {run && (
        <section className="mt-8">
          {run.source === 'fallback' && (
            <p className="mb-4 text-amber-700">
              AI ranking is temporarily unavailable; showing the most recent jobs first.
            </p>
          )}
          <ol className="space-y-4">
            {run.results.map((match) => (
              <li key={match.job_id} className="rounded border p-4">
                <div className="flex justify-between">
                  <strong>{match.job_id}</strong>
                  <span>{formatScore(match)}</span>
                </div>
                <ul className="mt-2 list-disc pl-5 text-sm text-gray-600">
                  {match.reasons.map((reason) => (
                    <li key={reason}>{reason}</li>
                  ))}
                </ul>
              </li>
            ))}
          </ol>
        </section>
      )}
    </main>
  );
}
