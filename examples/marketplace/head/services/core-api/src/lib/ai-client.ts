import { logger } from './logger';

export interface MatchRequest {
  candidate_id: string;
  job_ids: string[];
  limit?: number;
}

export interface MatchResult {
  job_id: string;
  score: number;
  reasons: string[];
}

export interface MatchExplanation {
  job_id: string;
  summary: string;
  factors: { name: string; weight: number }[];
}

export class AiEngineError extends Error {
  constructor(
    message: string,
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'AiEngineError';
  }
}

const REQUEST_TIMEOUT_MS = 5000;
const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isRetryable(err: unknown): boolean {
  if (err instanceof AiEngineError && err.status !== undefined) {
    return err.status >= 500 || err.status === 429;
  }
  // Network errors and AbortSignal timeouts are worth another attempt.
  return true;
}

export class AiClient {
  private baseUrl = process.env.AI_ENGINE_URL || 'http://localhost:3002';

  async match(request: MatchRequest): Promise<MatchResult[]> {
    let lastError: unknown;

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const startedAt = Date.now();
      try {
        const res = await fetch(`${this.baseUrl}/api/v1/match`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(request),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        if (!res.ok) {
          throw new AiEngineError(`AI engine responded ${res.status}`, res.status);
        }
        const results = (await res.json()) as MatchResult[];
        logger.info(
          { candidateId: request.candidate_id, attempt, ms: Date.now() - startedAt },
          'ai-engine match succeeded',
        );
        return results;
      } catch (err) {
        lastError = err;
        logger.warn(
          { err, attempt, candidateId: request.candidate_id, ms: Date.now() - startedAt },
          'ai-engine match attempt failed',
        );
        if (!isRetryable(err) || attempt === MAX_ATTEMPTS) break;
        await sleep(BASE_DELAY_MS * 2 ** (attempt - 1));
      }
    }

    if (lastError instanceof AiEngineError) throw lastError;
    throw new AiEngineError(`AI engine unavailable: ${String(lastError)}`);
  }

  async explain(candidateId: string, jobId: string): Promise<MatchExplanation> {
    const res = await fetch(`${this.baseUrl}/api/v1/match/explain`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ candidate_id: candidateId, job_id: jobId }),
    });
    if (!res.ok) {
      throw new AiEngineError(`AI engine responded ${res.status}`, res.status);
    }
    return (await res.json()) as MatchExplanation;
  }

  async health(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }
}

export const aiClient = new AiClient();
