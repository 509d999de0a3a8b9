'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiClient } from '@/lib/api-client';

export interface Match {
  job_id: string;
  score: number;
  reasons: string[];
}

export interface MatchRun {
  id: string;
  candidate_id: string;
  job_ids: string[];
  results: Match[];
  source: 'ai-engine' | 'fallback';
  created_at: string;
  degraded?: boolean;
}

export interface CreateMatchesInput {
  candidateId: string;
  jobIds: string[];
  limit?: number;
}

export const matchKeys = {
  all: ['matches'] as const,
  run: (id: string) => [...matchKeys.all, 'run', id] as const,
};

export function useMatchRun(id: string | null) {
  return useQuery({
    queryKey: matchKeys.run(id ?? ''),
    queryFn: () => apiClient.get<MatchRun>(`/api/matches/${id}`),
    enabled: Boolean(id),
    staleTime: 30_000,
  });
}

export function useCreateMatches() {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: (input: CreateMatchesInput) => apiClient.post<MatchRun>('/api/matches', input),
    onSuccess: (run) => {
      queryClient.setQueryData(matchKeys.run(run.id), run);
    },
  });
}

export function useRescoreMatches() {
  const queryClient = useQueryClient();

  return useMutation({
    mutationFn: (candidateId: string) =>
      apiClient.post<MatchRun>('/api/matches/rescore', { candidateId }),
    onSuccess: (run) => {
      queryClient.setQueryData(matchKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: matchKeys.all });
    },
  });
}
